"""The nine hard rules of ``spec/exchange-format.md``, one function each.

Each rule is ``NAME(scenario, plan) -> list[Violation]``; the solver model adds
the same rule in a method ``add_NAME``. The checker does not care which solver
made the plan, and it never raises on a bad plan: unknown ids, missing or
duplicated sessions all come back as violations.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import pairwise

import jpholiday

from domain.calendar import BusinessCalendar, fits_in_some_window, windows_on
from domain.loading import scenario_sha256
from domain.plan import Plan, Session
from domain.scenario import Association, Expert, Scenario
from domain.types import format_clock
from domain.vocabulary import WEEKDAYS, phase_of


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, located as precisely as the rule allows."""

    rule: str
    association_id: str | None
    number: int | None
    expert_id: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.association_id is not None:
            where.append(
                self.association_id
                if self.number is None
                else f"{self.association_id} session {self.number}"
            )
        elif self.number is not None:
            where.append(f"session {self.number}")
        if self.expert_id is not None:
            where.append(f"expert {self.expert_id}")
        head = f"{self.rule}: {', '.join(where)}" if where else self.rule
        # Ids come from user data; keep the promise of one line per violation.
        return f"{head}: {self.message}".replace("\r", " ").replace("\n", " ")


Rule = Callable[[Scenario, Plan], list[Violation]]


# --- shared helpers -------------------------------------------------------------


def _label(session: Session) -> str:
    return f"{session.association_id} session {session.number}"


def _times(session: Session) -> str:
    return f"{format_clock(session.start)}-{format_clock(session.end)}"


def _day(day: dt.date) -> str:
    return f"{day.isoformat()} ({WEEKDAYS[day.weekday()].capitalize()})"


def _windows_text(windows: Iterable[tuple[int, int]]) -> str:
    return ", ".join(f"{format_clock(s)}-{format_clock(e)}" for s, e in windows)


def _listing(sessions: Iterable[Session]) -> str:
    return ", ".join(_label(s) for s in sessions)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _experts_of(session: Session) -> list[str]:
    """The session's experts, each once (rule 4 reports a repeated one)."""
    return list(dict.fromkeys(session.expert_ids))


def _session_order(session: Session) -> tuple[int, dt.date, int, str]:
    return (session.number, session.date, session.start, session.association_id)


class _Index:
    """Groupings of one plan that several rules need; each built on first use."""

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        self.scenario = scenario
        self.plan = plan

    @cached_property
    def by_association(self) -> dict[str, list[Session]]:
        """Sessions per association id (known or not), ordered by number then date."""
        groups: dict[str, list[Session]] = defaultdict(list)
        for session in self.plan.sessions:
            groups[session.association_id].append(session)
        for sessions in groups.values():
            sessions.sort(key=_session_order)
        return dict(groups)

    @cached_property
    def by_expert(self) -> dict[str, list[Session]]:
        """Sessions per known expert, lead or joining, in time order."""
        experts = self.scenario.expert_by_id
        groups: dict[str, list[Session]] = defaultdict(list)
        for session in self.plan.sessions:
            for expert_id in _experts_of(session):
                if expert_id in experts:
                    groups[expert_id].append(session)
        for sessions in groups.values():
            sessions.sort(key=lambda s: (s.date, s.start, s.end, s.association_id, s.number))
        return dict(groups)

    def known_served(self) -> Iterable[tuple[Association, list[Session]]]:
        """Associations of the scenario that have sessions in the plan."""
        associations = self.scenario.association_by_id
        for association_id, sessions in self.by_association.items():
            association = associations.get(association_id)
            if association is not None:
                yield association, sessions


# --- rule 1 ---------------------------------------------------------------------


def accepted_served_or_unserved(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Only accepted associations get sessions; every accepted one is served or unserved."""
    violation = partial(Violation, "accepted_served_or_unserved")
    found: list[Violation] = []
    index = _Index(scenario, plan)
    associations = scenario.association_by_id
    experts = scenario.expert_by_id

    for session in plan.sessions:
        if session.association_id not in associations:
            found.append(violation(session.association_id, session.number, None,
                                   "session of an association that is not in the scenario"))
        for expert_id in _experts_of(session):
            if expert_id not in experts:
                found.append(violation(session.association_id, session.number, expert_id,
                                       "expert is not in the scenario"))

    unserved_counts = Counter(entry.association_id for entry in plan.unserved)
    for association_id, count in unserved_counts.items():
        if count > 1:
            found.append(violation(association_id, None, None,
                                   f"listed in unserved {count} times"))
    for entry in plan.unserved:
        if entry.association_id not in associations:
            found.append(violation(entry.association_id, None, None,
                                   "listed in unserved but not in the scenario"))
    # One verdict per association even if unserved lists it twice (reported above).
    reasons = {entry.association_id: entry.reason for entry in reversed(plan.unserved)}

    for association in scenario.associations:
        sessions = index.by_association.get(association.id, [])
        reason = reasons.get(association.id)
        accepted = association.status == "accepted"
        if sessions and not accepted:
            found.append(violation(
                association.id, None, None,
                f"status is {association.status!r}, only accepted associations get sessions, "
                f"but the plan has {_plural(len(sessions), 'session')} for it",
            ))
        if sessions and reason is not None:
            found.append(violation(
                association.id, None, None,
                f"both served ({_plural(len(sessions), 'session')}) and listed in unserved "
                f"(reason {reason!r})",
            ))
        if accepted and not sessions and reason is None:
            found.append(violation(association.id, None, None,
                                   "accepted but neither served nor listed in unserved"))
        if accepted and reason == "not_accepted":
            found.append(violation(association.id, None, None,
                                   "accepted but listed in unserved with reason 'not_accepted'"))
        if not accepted and reason is not None and reason != "not_accepted":
            found.append(violation(
                association.id, None, None,
                f"status is {association.status!r}, so its unserved reason must be "
                f"'not_accepted', not {reason!r}",
            ))
    return found


# --- rule 2 ---------------------------------------------------------------------


def session_sequence(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Sessions 1..n, each session_minutes long, phases in order, dates far enough apart."""
    violation = partial(Violation, "session_sequence")
    found: list[Violation] = []
    min_days = scenario.programme.min_days_between_sessions

    for association, sessions in _Index(scenario, plan).known_served():
        requested = association.sessions_requested
        counts = Counter(session.number for session in sessions)
        for number in range(1, requested + 1):
            if number not in counts:
                found.append(violation(
                    association.id, number, None,
                    f"session {number} is missing (sessions_requested {requested}, "
                    f"the plan has {_plural(len(sessions), 'session')})",
                ))
        for number, count in counts.items():
            if count > 1:
                found.append(violation(association.id, number, None,
                                       f"session {number} appears {count} times"))

        for session in sessions:
            if not 1 <= session.number <= requested:
                found.append(violation(
                    association.id, session.number, None,
                    f"number {session.number} is outside 1..{requested} (sessions_requested)",
                ))
            else:
                expected = phase_of(session.number, requested)
                if session.phase != expected:
                    found.append(violation(
                        association.id, session.number, None,
                        f"phase {session.phase!r}, expected {expected!r} for session "
                        f"{session.number} of {requested}",
                    ))
            if session.minutes != association.session_minutes:
                found.append(violation(
                    association.id, session.number, None,
                    f"{_times(session)} is {session.minutes} minutes, the association's "
                    f"session_minutes is {association.session_minutes}",
                ))

        # Sorted by number: compare each session with the one numbered just before it.
        for earlier, later in pairwise(sessions):
            if earlier.number == later.number:
                continue  # a duplicate, reported above
            gap = (later.date - earlier.date).days
            if gap <= 0:
                found.append(violation(
                    association.id, later.number, None,
                    f"on {later.date}, not after session {earlier.number} on {earlier.date}",
                ))
            elif gap < min_days:
                found.append(violation(
                    association.id, later.number, None,
                    f"on {later.date}, only {_plural(gap, 'day')} after session "
                    f"{earlier.number} on {earlier.date} "
                    f"(min_days_between_sessions {min_days})",
                ))
    return found


# --- rule 3 ---------------------------------------------------------------------


def _is_business_day(calendar: BusinessCalendar, day: dt.date) -> bool:
    try:
        return calendar.is_business_day(day)
    except OverflowError:  # jpholiday looks a day ahead; 9999-12-31 has none
        return False


def _why_not_business_day(calendar: BusinessCalendar, day: dt.date) -> str:
    if day.weekday() >= 5:
        return f"a {day.strftime('%A')}"
    if day in calendar.closed:
        return "in the programme's closed_dates"
    try:
        name = jpholiday.is_holiday_name(day)
    except OverflowError:
        return "beyond the holiday calendar"
    return f"a national holiday ({name})" if name else "a national holiday"


def _earliest_first_session(calendar: BusinessCalendar, decided_on: dt.date) -> dt.date | None:
    try:
        return calendar.earliest_first_session(decided_on)
    except OverflowError:  # decided at the end of the representable calendar
        return None


def business_time(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Business day, business hours, implementation period, :00/:30, not too soon."""
    violation = partial(Violation, "business_time")
    found: list[Violation] = []
    programme = scenario.programme
    calendar = BusinessCalendar(programme)
    hours = programme.business_hours
    period = programme.implementation_period
    lead_days = programme.first_session_after_decision_business_days
    associations = scenario.association_by_id

    for session in plan.sessions:
        where = (session.association_id, session.number, None)
        if not _is_business_day(calendar, session.date):
            found.append(violation(
                *where,
                f"{session.date} is not a business day: "
                f"{_why_not_business_day(calendar, session.date)}",
            ))
        if session.start < hours.start or session.end > hours.end:
            found.append(violation(
                *where,
                f"{_times(session)} is outside business hours "
                f"{format_clock(hours.start)}-{format_clock(hours.end)}",
            ))
        if session.date not in period:
            found.append(violation(
                *where,
                f"{session.date} is outside the implementation period "
                f"{period.start}..{period.end}",
            ))
        if session.start % 30:
            found.append(violation(
                *where,
                f"starts at {format_clock(session.start)}, not on the hour or half hour",
            ))
        association = associations.get(session.association_id)
        if session.number == 1 and association is not None and association.decided_on:
            earliest = _earliest_first_session(calendar, association.decided_on)
            if earliest is not None and session.date < earliest:
                found.append(violation(
                    *where,
                    f"first session on {session.date}, before {earliest}: "
                    f"{_plural(lead_days, 'business day')} after decided_on "
                    f"{association.decided_on}",
                ))
    return found


# --- rule 4 ---------------------------------------------------------------------


def qualified_lead(scenario: Scenario, plan: Plan) -> list[Violation]:
    """One lead for all of an association's sessions, qualified for the primary need."""
    violation = partial(Violation, "qualified_lead")
    found: list[Violation] = []
    experts = scenario.expert_by_id

    for association, sessions in _Index(scenario, plan).known_served():
        for session in sessions:
            for expert_id, count in Counter(session.expert_ids).items():
                if count > 1:
                    found.append(violation(association.id, session.number, expert_id,
                                           f"listed {count} times in the session's expert_ids"))

        first = sessions[0]
        for session in sessions[1:]:
            if session.lead_id != first.lead_id:
                found.append(violation(
                    association.id, session.number, session.lead_id,
                    f"lead is {session.lead_id}, but session {first.number} on {first.date} "
                    f"is led by {first.lead_id}: one lead for all sessions",
                ))

        need = association.primary_need
        for lead_id in dict.fromkeys(session.lead_id for session in sessions):
            lead = experts.get(lead_id)
            if lead is not None and not scenario.covers(lead, need):
                covering = ", ".join(sorted(scenario.qualifications_covering(need))) or "none"
                found.append(violation(
                    association.id, None, lead_id,
                    f"lead holds {', '.join(lead.qualifications)}, none of which covers the "
                    f"primary need {need!r} (covered by {covering})",
                ))
    return found


# --- rule 5 ---------------------------------------------------------------------


def within_availability(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Each session inside one window of each of its experts and of its association."""
    violation = partial(Violation, "within_availability")
    found: list[Violation] = []
    hours = scenario.programme.business_hours
    default = (hours.start, hours.end)
    experts = scenario.expert_by_id
    associations = scenario.association_by_id

    def outside(whose: str, windows: list[tuple[int, int]], session: Session) -> str | None:
        if fits_in_some_window(windows, session.start, session.end):
            return None
        if not windows:
            return f"{whose} has no window on {_day(session.date)}"
        return (f"{_times(session)} on {_day(session.date)} is not inside one window of "
                f"{whose}: {_windows_text(windows)}")

    for session in plan.sessions:
        association = associations.get(session.association_id)
        if association is not None:
            windows = windows_on(association.availability, session.date, default)
            problem = outside("the association", windows, session)
            if problem:
                found.append(violation(session.association_id, session.number, None, problem))
        for expert_id in _experts_of(session):
            expert = experts.get(expert_id)
            if expert is None:
                continue  # unknown expert: rule 1
            windows = windows_on(expert.availability, session.date, default)
            problem = outside("the expert", windows, session)
            if problem:
                found.append(violation(session.association_id, session.number, expert_id,
                                       problem))
    return found


# --- rule 6 ---------------------------------------------------------------------


def _day_clashes(
    expert_id: str, day_sessions: list[Session], buffer: int
) -> list[Violation]:
    """Overlaps and short onsite gaps among one expert's sessions of one day.

    A sweep in start order, compared with the predecessor that ends last (and the
    onsite one that ends last), reports each clashing session once in O(k log k).
    """
    violation = partial(Violation, "expert_workload")
    found: list[Violation] = []
    last: Session | None = None
    last_onsite: Session | None = None
    for session in day_sessions:  # already in start order
        if last is not None and last.end > session.start:
            found.append(violation(
                session.association_id, session.number, expert_id,
                f"overlaps {_label(last)} on {session.date} "
                f"({_times(last)} vs {_times(session)})",
            ))
        else:
            previous = last if session.mode == "onsite" else last_onsite
            if previous is not None and session.start - previous.end < buffer:
                found.append(violation(
                    session.association_id, session.number, expert_id,
                    f"starts {session.start - previous.end} minutes after {_label(previous)} "
                    f"ends on {session.date} ({_times(previous)} {previous.mode} vs "
                    f"{_times(session)} {session.mode}), travel_buffer_minutes {buffer}",
                ))
        if last is None or session.end > last.end:
            last = session
        if session.mode == "onsite" and (last_onsite is None or session.end > last_onsite.end):
            last_onsite = session
    return found


def expert_workload(scenario: Scenario, plan: Plan) -> list[Violation]:
    """No overlaps, travel buffer around onsite sessions, per-day and per-ISO-week caps."""
    violation = partial(Violation, "expert_workload")
    found: list[Violation] = []
    buffer = scenario.programme.travel_buffer_minutes

    for expert_id, sessions in _Index(scenario, plan).by_expert.items():
        expert = scenario.expert_by_id[expert_id]
        by_day: dict[dt.date, list[Session]] = defaultdict(list)
        by_week: dict[tuple[int, int], list[Session]] = defaultdict(list)
        for session in sessions:
            by_day[session.date].append(session)
            iso = session.date.isocalendar()
            by_week[(iso.year, iso.week)].append(session)

        for day, day_sessions in by_day.items():
            found.extend(_day_clashes(expert_id, day_sessions, buffer))
            if len(day_sessions) > expert.max_sessions_per_day:
                found.append(violation(
                    None, None, expert_id,
                    f"{len(day_sessions)} sessions on {day} ({_listing(day_sessions)}), "
                    f"max_sessions_per_day {expert.max_sessions_per_day}",
                ))
        for (year, week), week_sessions in by_week.items():
            if len(week_sessions) > expert.max_sessions_per_week:
                found.append(violation(
                    None, None, expert_id,
                    f"{len(week_sessions)} sessions in ISO week {year}-W{week:02d} "
                    f"({_listing(week_sessions)}), "
                    f"max_sessions_per_week {expert.max_sessions_per_week}",
                ))
    return found


# --- rule 7 ---------------------------------------------------------------------


def expert_associations(scenario: Scenario, plan: Plan) -> list[Violation]:
    """At most max_associations distinct associations per expert, none in its conflicts."""
    violation = partial(Violation, "expert_associations")
    found: list[Violation] = []

    for expert_id, sessions in _Index(scenario, plan).by_expert.items():
        expert: Expert = scenario.expert_by_id[expert_id]
        served = sorted({session.association_id for session in sessions})
        if len(served) > expert.max_associations:
            found.append(violation(
                None, None, expert_id,
                f"works with {len(served)} associations ({', '.join(served)}), "
                f"max_associations {expert.max_associations}",
            ))
        conflicts = set(expert.conflicts)
        for association_id in served:
            if association_id in conflicts:
                numbers = sorted({s.number for s in sessions if s.association_id == association_id})
                found.append(violation(
                    association_id, None, expert_id,
                    f"the expert names {association_id} in its conflicts but is in its "
                    f"{_plural(len(numbers), 'session')} ({', '.join(map(str, numbers))})",
                ))
    return found


# --- rule 8 ---------------------------------------------------------------------


def session_mode(scenario: Scenario, plan: Plan) -> list[Violation]:
    """The association's mode unless 'either'; every expert offers the session's mode."""
    violation = partial(Violation, "session_mode")
    found: list[Violation] = []
    experts = scenario.expert_by_id
    associations = scenario.association_by_id

    for session in plan.sessions:
        association = associations.get(session.association_id)
        if association is not None and association.mode not in ("either", session.mode):
            found.append(violation(
                session.association_id, session.number, None,
                f"mode {session.mode!r}, but the association asked for {association.mode!r}",
            ))
        for expert_id in _experts_of(session):
            expert = experts.get(expert_id)
            if expert is not None and session.mode not in expert.modes:
                found.append(violation(
                    session.association_id, session.number, expert_id,
                    f"mode {session.mode!r}, but the expert offers only "
                    f"{', '.join(repr(m) for m in expert.modes)}",
                ))
    return found


# --- rule 9 ---------------------------------------------------------------------

_PINNED_FIELDS = ("phase", "expert_ids", "date", "start", "end", "mode")


def _show(field: str, value: object) -> str:
    if field in ("start", "end") and isinstance(value, int):
        return format_clock(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def pinned_unchanged(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every pinned session appears in the plan exactly as pinned."""
    violation = partial(Violation, "pinned_unchanged")
    found: list[Violation] = []
    index = _Index(scenario, plan)

    for pin in scenario.pinned:
        candidates = [s for s in index.by_association.get(pin.association_id, [])
                      if s.number == pin.number]
        if any(candidate == pin for candidate in candidates):
            continue
        if not candidates:
            found.append(violation(pin.association_id, pin.number, None,
                                   "pinned session is missing from the plan"))
            continue
        changes = [
            f"{field} {_show(field, getattr(pin, field))} -> "
            f"{_show(field, getattr(candidates[0], field))}"
            for field in _PINNED_FIELDS
            if getattr(pin, field) != getattr(candidates[0], field)
        ]
        found.append(violation(pin.association_id, pin.number, None,
                               "pinned session changed: " + "; ".join(changes)))
    return found


# --- all rules --------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    accepted_served_or_unserved,
    session_sequence,
    business_time,
    qualified_lead,
    within_availability,
    expert_workload,
    expert_associations,
    session_mode,
    pinned_unchanged,
)

_RULE_ORDER = {rule.__name__: position for position, rule in enumerate(RULES)}


def _sort_key(v: Violation) -> tuple[int, str, int, str, str]:
    return (_RULE_ORDER.get(v.rule, len(RULES)), v.association_id or "", v.number or 0,
            v.expert_id or "", v.message)


def check_plan(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every hard rule the plan breaks; empty for a valid plan. Sorted by rule, then place."""
    found = [v for rule in RULES for v in rule(scenario, plan)]
    return sorted(found, key=_sort_key)


def scenario_hash_matches(scenario: Scenario, plan: Plan) -> bool:
    """Whether the plan says it was made for this very scenario (not a hard rule)."""
    return plan.scenario_sha256 == scenario_sha256(scenario)
