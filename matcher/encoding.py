"""Scenario -> arrays, once. The solver and the baseline see only what is built here.

Time is a grid: day ``d`` of the implementation period and half-hour slot ``h``
of that day; a start is the absolute slot ``d * SLOTS_PER_DAY + h``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from domain.calendar import BusinessCalendar, clip, windows_on
from domain.errors import InputError, Issue
from domain.plan import Session
from domain.scenario import Association, Availability, Expert, Scenario

SLOT_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

MODE_ONSITE, MODE_ONLINE, MODE_EITHER = 0, 1, 2
_MODE_CODE = {"onsite": MODE_ONSITE, "online": MODE_ONLINE, "either": MODE_EITHER}
MODE_NAMES = ("onsite", "online")


@dataclass(frozen=True)
class PinnedSession:
    """A session of the scenario's ``pinned``: confirmed or held, it stays (rule 9)."""

    association: int
    number: int  # 1-based
    start: int  # absolute slot
    lead: int
    joiners: tuple[int, ...]
    mode: int


@dataclass(frozen=True)
class KeptSession:
    """A published session a re-plan should leave where it is (objective 6)."""

    association: int
    number: int  # 1-based
    start: int  # absolute slot
    lead: int


@dataclass(frozen=True, eq=False)
class ExpertStarts:
    """Where each expert can start a session of one length."""

    slots: BoolArray  # (E, D, S)
    days: IntArray  # (E, D) uint64: bit h set where slots[e, d, h]


@dataclass(frozen=True, eq=False)
class Encoding:
    """Read-only arrays and plain ids describing one planning problem; what needs the
    scenario's words and records (plans, reasons) gets the scenario beside it.

    Associations are the accepted ones only, in ``applied_at`` order (rank 0 first).
    """

    days: tuple[dt.date, ...]
    business_day: BoolArray  # (D,)
    iso_week: IntArray  # (D,) dense ISO-week index, 0-based
    expert_ids: tuple[str, ...]
    association_ids: tuple[str, ...]
    sessions: IntArray  # (A,) n sessions requested
    minutes: IntArray  # (A,) session length
    mode: IntArray  # (A,) MODE_*
    earliest_day: IntArray  # (A,) first allowed day index of session 1
    association_starts: BoolArray  # (A, D, S) own windows, business rules, decision
    # Only the session lengths accepted associations ask for: each holds an (E, D, S) array.
    expert_starts_by_minutes: Mapping[int, ExpertStarts]
    # (E, D) sessions of the shortest length asked for that fit in the expert's windows.
    expert_day_fits: IntArray
    expert_modes: BoolArray  # (E, 2) offers onsite / online
    expert_max_associations: IntArray
    expert_max_per_day: IntArray
    expert_max_per_week: IntArray
    covers: BoolArray  # (E, Q) expert covers need q
    need_ids: tuple[str, ...]
    primary_need: IntArray  # (A,)
    secondary_needs: tuple[tuple[int, ...], ...]
    conflict: BoolArray  # (A, E)
    industry_match: BoolArray  # (A, E)
    travel_buffer_minutes: int
    min_gap_days: int
    target_gap_days: int
    pins: tuple[PinnedSession, ...]  # the scenario's pinned sessions
    kept: tuple[KeptSession, ...]  # published sessions a re-plan should keep

    @property
    def n_days(self) -> int:
        return len(self.days)

    def expert_starts(self, minutes: int) -> BoolArray:
        """(E, D, S): expert can start a session of ``minutes`` at (day, slot)."""
        return self.expert_starts_by_minutes[minutes].slots

    def expert_start_days(self, minutes: int) -> IntArray:
        """(E, D) uint64: bit ``h`` set where the expert can start ``minutes`` at slot h."""
        return self.expert_starts_by_minutes[minutes].days

    def common_days(self, a: int) -> BoolArray:
        """(E, D): the days association ``a`` and each expert could hold a session."""
        own = pack_slots(self.association_starts[a])
        return (self.expert_start_days(int(self.minutes[a])) & own[None, :]) != 0

    def pair_starts(self, a: int, e: int) -> BoolArray:
        """(D, S): where association ``a`` and expert ``e`` can both hold a session."""
        return self.association_starts[a] & self.expert_starts(int(self.minutes[a]))[e]

    def session_mode(self, a: int, e: int) -> int:
        """The mode association ``a`` gets with lead ``e``: fixed, else online when offered."""
        mode = int(self.mode[a])
        if mode != MODE_EITHER:
            return mode
        return MODE_ONLINE if self.expert_modes[e, MODE_ONLINE] else MODE_ONSITE

    def travel_pad(self, mode: int) -> int:
        """Minutes an expert's session blocks on each side of itself.

        Onsite sessions carry the travel buffer on both sides, so any two sessions of
        one expert with an onsite one between them are at least the buffer apart
        (two onsite ones conservatively twice that).
        """
        return self.travel_buffer_minutes if mode == MODE_ONSITE else 0


Windows = tuple[tuple[int, int], ...]


def _windows_by_day(availability: Availability | None, days: Sequence[dt.date],
                    business_day: BoolArray, hours: tuple[int, int]) -> list[Windows]:
    """Each day's windows inside business hours; none on days that are not business days.

    ``windows_on`` decides each day; it is asked once per weekday and once per date
    the availability names (a date of its own, or blocked), since every other day of a
    weekday has the same windows. At 2,400 people over a 150-day period, asking it for
    every day was most of the time the encoding took.
    """
    by_weekday: dict[int, Windows] = {}
    exceptions: set[dt.date] = set()
    if availability is not None and days:
        exceptions.update(day for day in availability.dates if days[0] <= day <= days[-1])
        for blocked in availability.blocked:
            first = max(blocked.start, days[0])
            exceptions.update(first + dt.timedelta(days=i)
                              for i in range((min(blocked.end, days[-1]) - first).days + 1))
    result: list[Windows] = []
    for d, day in enumerate(days):
        if not business_day[d]:
            result.append(())
        elif day in exceptions:
            result.append(tuple(clip(windows_on(availability, day, hours), hours)))
        else:
            weekday = day.weekday()
            windows = by_weekday.get(weekday)
            if windows is None:
                windows = tuple(clip(windows_on(availability, day, hours), hours))
                by_weekday[weekday] = windows
            result.append(windows)
    return result


def _start_mask(windows_by_day: Sequence[Windows], minutes: int) -> BoolArray:
    """(D, S) slots where a session of ``minutes`` fits inside one window."""
    mask = np.zeros((len(windows_by_day), SLOTS_PER_DAY), dtype=bool)
    rows: dict[Windows, BoolArray] = {}
    for d, windows in enumerate(windows_by_day):
        if not windows:
            continue
        row = rows.get(windows)
        if row is None:
            row = np.zeros(SLOTS_PER_DAY, dtype=bool)
            for start, end in windows:
                first = -(-start // SLOT_MINUTES)
                last = (end - minutes) // SLOT_MINUTES
                if last >= first:
                    row[first : last + 1] = True
            rows[windows] = row
        mask[d] = row
    return mask


def _read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def encode(scenario: Scenario, published: Sequence[Session] = ()) -> Encoding:
    """The scenario, its pinned sessions and, on a re-plan, its ``published`` sessions
    on the arrays; a pin off the grid is an input error."""
    programme = scenario.programme
    hours = (programme.business_hours.start, programme.business_hours.end)
    calendar = BusinessCalendar(programme)
    days = calendar.period_days()
    business_day = np.array([calendar.is_business_day(day) for day in days], dtype=bool)
    weeks = [day.isocalendar()[:2] for day in days]
    week_index = {week: i for i, week in enumerate(sorted(set(weeks)))}
    iso_week = np.array([week_index[w] for w in weeks], dtype=np.int64)

    accepted: list[Association] = sorted(
        scenario.accepted, key=lambda a: (a.applied_at, a.id)
    )
    experts: list[Expert] = list(scenario.experts)
    need_ids = list(programme.words.needs)
    need_index = {need: i for i, need in enumerate(need_ids)}
    n_a, n_e = len(accepted), len(experts)

    covers = np.array(
        [[scenario.covers(expert, need) for need in need_ids] for expert in experts], dtype=bool
    ).reshape(n_e, len(need_ids))
    association_index = {a.id: i for i, a in enumerate(accepted)}
    conflict = np.zeros((n_a, n_e), dtype=bool)
    for e, expert in enumerate(experts):
        for association_id in expert.conflicts:
            if association_id in association_index:
                conflict[association_index[association_id], e] = True
    industry_match = np.array(
        [[a.industry in expert.industries for expert in experts] for a in accepted], dtype=bool
    ).reshape(n_a, n_e)

    earliest = []
    first_day = days[0]
    for a in accepted:
        assert a.decided_on is not None  # guaranteed for accepted ones by the model
        first = max(calendar.earliest_first_session(a.decided_on), first_day)
        earliest.append((first - first_day).days)
    association_starts = np.zeros((n_a, len(days), SLOTS_PER_DAY), dtype=bool)
    for i, a in enumerate(accepted):
        association_starts[i] = _start_mask(
            _windows_by_day(a.availability, days, business_day, hours), a.session_minutes)
        association_starts[i, : earliest[i]] = False

    lengths = sorted({a.session_minutes for a in accepted})
    shortest = lengths[0] if lengths else programme.session_minutes.min
    slots = {m: np.zeros((n_e, len(days), SLOTS_PER_DAY), dtype=bool) for m in lengths}
    day_fits = np.zeros((n_e, len(days)), dtype=np.int64)
    for e, expert in enumerate(experts):
        windows_by_day = _windows_by_day(expert.availability, days, business_day, hours)
        for m in lengths:
            slots[m][e] = _start_mask(windows_by_day, m)
        day_fits[e] = [sum((end - start) // shortest for start, end in windows)
                       for windows in windows_by_day]
    starts_by_minutes = MappingProxyType({
        m: ExpertStarts(_read_only(slots[m]), _read_only(pack_slots(slots[m])))
        for m in lengths})

    association_ids = tuple(a.id for a in accepted)
    expert_ids = tuple(expert.id for expert in experts)
    return Encoding(
        days=tuple(days),
        business_day=_read_only(business_day),
        iso_week=_read_only(iso_week),
        expert_ids=expert_ids,
        association_ids=association_ids,
        sessions=_read_only(np.array([a.sessions_requested for a in accepted], dtype=np.int64)),
        minutes=_read_only(np.array([a.session_minutes for a in accepted], dtype=np.int64)),
        mode=_read_only(np.array([_MODE_CODE[a.mode] for a in accepted], dtype=np.int64)),
        earliest_day=_read_only(np.array(earliest, dtype=np.int64)),
        association_starts=_read_only(association_starts),
        expert_starts_by_minutes=starts_by_minutes,
        expert_day_fits=_read_only(day_fits),
        expert_modes=_read_only(np.array(
            [[m in expert.modes for m in MODE_NAMES] for expert in experts], dtype=bool
        ).reshape(n_e, 2)),
        expert_max_associations=_read_only(
            np.array([x.max_associations for x in experts], dtype=np.int64)),
        expert_max_per_day=_read_only(
            np.array([x.max_sessions_per_day for x in experts], dtype=np.int64)),
        expert_max_per_week=_read_only(
            np.array([x.max_sessions_per_week for x in experts], dtype=np.int64)),
        covers=_read_only(covers),
        need_ids=tuple(need_ids),
        primary_need=_read_only(
            np.array([need_index[a.primary_need] for a in accepted], dtype=np.int64)),
        secondary_needs=tuple(tuple(need_index[n] for n in a.secondary_needs)
                              for a in accepted),
        conflict=_read_only(conflict),
        industry_match=_read_only(industry_match),
        travel_buffer_minutes=programme.travel_buffer_minutes,
        min_gap_days=programme.min_days_between_sessions,
        target_gap_days=programme.target_days_between_sessions,
        pins=_pinned_sessions(scenario.pinned, days, association_ids, expert_ids),
        kept=_kept_sessions(published, days, association_ids, expert_ids),
    )


def _pinned_sessions(pinned: Sequence[Session], days: Sequence[dt.date],
                     association_ids: Sequence[str], expert_ids: Sequence[str]
                     ) -> tuple[PinnedSession, ...]:
    index = {association_id: a for a, association_id in enumerate(association_ids)}
    experts = {expert_id: e for e, expert_id in enumerate(expert_ids)}
    issues, pins = [], []
    for i, session in enumerate(pinned):
        where = f"pinned[{i}] ({session.association_id})"
        day = (session.date - days[0]).days
        if not 0 <= day < len(days):
            issues.append(Issue(f"{where}.date", f"{session.date} is outside the period"))
            continue
        if session.start % SLOT_MINUTES:
            issues.append(Issue(f"{where}.start", "does not start on the hour or half hour"))
            continue
        pins.append(PinnedSession(
            association=index[session.association_id],
            number=session.number,
            start=day * SLOTS_PER_DAY + session.start // SLOT_MINUTES,
            lead=experts[session.expert_ids[0]],
            joiners=tuple(experts[x] for x in session.expert_ids[1:]),
            mode=MODE_NAMES.index(session.mode),
        ))
    leads: dict[int, set[int]] = {}
    for pin in pins:
        leads.setdefault(pin.association, set()).add(pin.lead)
    for a, found in leads.items():
        if len(found) > 1:
            issues.append(Issue(f"pinned ({association_ids[a]})",
                                "pinned sessions of one association name different leads"))
    if issues:
        raise InputError("scenario", issues)
    return tuple(pins)


def _kept_sessions(published: Sequence[Session], days: Sequence[dt.date],
                   association_ids: Sequence[str], expert_ids: Sequence[str]
                   ) -> tuple[KeptSession, ...]:
    """Those of withdrawn associations or gone experts cannot be kept and are left out."""
    index = {association_id: a for a, association_id in enumerate(association_ids)}
    experts = {expert_id: e for e, expert_id in enumerate(expert_ids)}
    kept = []
    for session in published:
        a, lead = index.get(session.association_id), experts.get(session.lead_id)
        day = (session.date - days[0]).days
        if a is None or lead is None or not 0 <= day < len(days) or session.start % SLOT_MINUTES:
            continue
        kept.append(KeptSession(a, session.number,
                                day * SLOTS_PER_DAY + session.start // SLOT_MINUTES, lead))
    return tuple(kept)


def pack_slots(starts: BoolArray) -> IntArray:
    """(..., S) booleans -> (...) uint64 with bit ``h`` for slot ``h``: a day in one word."""
    weights = np.left_shift(np.uint64(1), np.arange(SLOTS_PER_DAY, dtype=np.uint64))
    return np.bitwise_or.reduce(np.where(starts, weights, np.uint64(0)), axis=-1)


def fits_sessions_each(days_available: BoolArray, sessions: int, min_gap: int) -> BoolArray:
    """``fits_sessions`` for each row of a (K, D) array at once."""
    k, n_days = days_available.shape
    # next_day[i, d]: the first available day >= d of row i (n_days when none).
    index = np.where(days_available, np.arange(n_days), n_days)
    next_day = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1]
    next_day = np.concatenate([next_day, np.full((k, 1), n_days)], axis=1)
    rows = np.arange(k)
    day = next_day[:, 0]
    for _ in range(sessions - 1):
        day = next_day[rows, np.minimum(day + min_gap, n_days)]
    return np.asarray(day < n_days)


def fits_sessions(days_available: BoolArray, sessions: int, min_gap: int) -> bool:
    """Can ``sessions`` sessions be placed on available days at least ``min_gap`` apart?"""
    return last_feasible_start(days_available, sessions, min_gap) is not None


def last_feasible_start(days_available: BoolArray, sessions: int, min_gap: int) -> int | None:
    """Earliest-first packing: the day of the last session, or None if they do not fit."""
    candidates = np.flatnonzero(days_available)
    if candidates.size == 0:
        return None
    day = int(candidates[0])
    for _ in range(sessions - 1):
        later = candidates[np.searchsorted(candidates, day + min_gap) :]
        if later.size == 0:
            return None
        day = int(later[0])
    return day


def widened_pair_starts(scenario: Scenario, enc: Encoding, a: int, e: int, *,
                        business_time: bool, within_availability: bool) -> BoolArray:
    """(D, S): ``enc.pair_starts(a, e)`` without the part of rule 3 or 5 that is off,
    for a model that leaves that rule out (the rule's test pair).

    Rule 3's part is business days and hours and the days before the first session
    may be; rule 5's, the association's and the expert's windows. The half-hour
    grid and the implementation period are the model's time itself.
    """
    minutes = int(enc.minutes[a])
    hours = (scenario.programme.business_hours.start,
             scenario.programme.business_hours.end)
    if within_availability:
        association = scenario.association_by_id[enc.association_ids[a]]
        starts = (_fitting_starts(enc, association.availability, minutes, hours)
                  & _fitting_starts(enc, scenario.experts[e].availability, minutes,
                                    hours))
    else:
        starts = _fitting_starts(enc, None, minutes, (0, SLOTS_PER_DAY * SLOT_MINUTES))
    if business_time:
        starts &= _fitting_starts(enc, None, minutes, hours)
        starts[~enc.business_day] = False
        starts[: int(enc.earliest_day[a])] = False
    return starts


def _fitting_starts(enc: Encoding, availability: Availability | None, minutes: int,
                    hours: tuple[int, int]) -> BoolArray:
    """(D, S): where a session of ``minutes`` fits inside one window of ``availability``
    (``hours`` where it states none) on each day of the period, business day or not."""
    starts = np.zeros((enc.n_days, SLOTS_PER_DAY), dtype=bool)
    for d, day in enumerate(enc.days):
        for start, end in windows_on(availability, day, hours):
            first, last = -(-start // SLOT_MINUTES), (end - minutes) // SLOT_MINUTES
            if last >= first:
                starts[d, first : last + 1] = True
    return starts
