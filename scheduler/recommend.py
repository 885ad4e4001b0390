"""Options for one association on the phone: who could serve it and when, with every
other session of a plan held exactly where it is.

Nothing else moves, so the question is small: only the association asked about and
the experts who could take part in its sessions are put on the arrays (a scenario of
one association), and everyone else's sessions are the experts' occupancy in their
ledgers (``scheduler.ledger``). For a new association each candidate lead's best
option is the exact re-insertion of ``scheduler.reinsert`` (days, slots and joiners by
dynamic programming); leads are tried best bound first and the search stops when no
lead left can beat the k-th option on coverage, industry and load. For a move, the
lead stays and each day for the session is tried, the later sessions moving only
where the gap rule makes them.

Options are ranked by the spec's order of objectives on the whole plan: secondary
needs covered, industry match, the busiest expert's load (then how many share it),
the gaps' distance from the target; on a move, then the sessions moved.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from domain.checker import RULES, Violation
from domain.errors import InputError, Issue
from domain.plan import Plan, Session, Stats
from domain.scenario import Association, Expert, Scenario
from domain.types import format_clock
from domain.vocabulary import phase_of
from matcher.core import Matching, match, unserved_reason
from matcher.encoding import MODE_NAMES, SLOT_MINUTES, SLOTS_PER_DAY, Encoding, encode
from scheduler.ledger import LedgerSession
from scheduler.reinsert import JOINERS_EXAMINED_PER_NEED, Bookings, Reinserter
from scheduler.solution import Assignment

# The association asked about is the only one on the arrays.
TARGET = 0
DEFAULT_OPTIONS = 3
# An option before it is ranked: its key and its sessions.
_Found = tuple[tuple[int, ...], tuple[Session, ...]]
# Leads put on the arrays at a time: most questions are settled by the first few.
LEADS_A_BATCH = 8


@dataclass(frozen=True)
class Option:
    """One way to serve the association: its sessions, what they do to the plan's
    figures, and why the option ranks where it does."""

    rank: int
    sessions: tuple[Session, ...]
    impact: dict[str, Any]
    reasons: dict[str, str]
    key: tuple[int, ...] = field(compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank,
                "sessions": [s.model_dump(mode="json") for s in self.sessions],
                "impact": self.impact, "reasons": self.reasons}


@dataclass(frozen=True)
class Recommendation:
    """The k best options for one association, or why there is none."""

    association_id: str
    options: tuple[Option, ...]
    unserved_reason: dict[str, str] | None
    # For a move: the session asked to move.
    session_number: int | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"association_id": self.association_id}
        if self.session_number is not None:
            document["session_number"] = self.session_number
        document["options"] = [option.to_json() for option in self.options]
        document["unserved_reason"] = self.unserved_reason
        return document


def with_option(plan: Plan, option: Option) -> Plan:
    """``plan`` with ``option`` taken: its sessions in place of the association's, the
    association no longer unserved."""
    association_id = option.sessions[0].association_id
    numbers = {s.number for s in option.sessions}
    sessions = [s for s in plan.sessions
                if s.association_id != association_id or s.number not in numbers]
    sessions += option.sessions
    sessions.sort(key=lambda s: (s.association_id, s.number))
    unserved = [u for u in plan.unserved if u.association_id != association_id]
    served = len({s.association_id for s in sessions})
    stats = plan.stats.model_copy(update={"served": served, "unserved": len(unserved)})
    return plan.model_copy(update={"sessions": sessions, "unserved": unserved, "stats": stats})


# --- the question, checked ------------------------------------------------------


def _error(path: str, message: str) -> InputError:
    return InputError("recommend", [Issue(path, message)])


def _accepted(scenario: Scenario, association_id: str, path: str) -> Association:
    association = scenario.association_by_id.get(association_id)
    if association is None:
        raise _error(path, f"no association {association_id!r} in the scenario")
    if association.status != "accepted":
        raise _error(path, f"{association_id} is {association.status!r}; only an accepted "
                           "association can be served")
    return association


def recommend(scenario: Scenario, plan: Plan, association_id: str,
              k: int = DEFAULT_OPTIONS) -> Recommendation:
    """The ``k`` best ways to serve ``association_id``, which ``plan`` does not serve,
    leaving every session of ``plan`` as it is."""
    if k < 1:
        raise _error("-k", "ask for at least one option")
    association = _accepted(scenario, association_id, "--association")
    if any(s.association_id == association_id for s in plan.sessions):
        raise _error("--association", f"{association_id} is served by the plan already; "
                                       "ask for --move ASSOCIATION:N to move a session")
    if any(s.association_id == association_id for s in scenario.pinned):
        raise _error("--association", f"{association_id} has pinned sessions that the plan "
                                       "does not hold: re-plan it")
    problem = _Problem(scenario, plan, association, fixed=())
    return problem.new_options(k)


def recommend_move(scenario: Scenario, plan: Plan, association_id: str, number: int,
                   k: int = DEFAULT_OPTIONS) -> Recommendation:
    """The ``k`` best other dates and times for session ``number`` of ``association_id``
    (and the later sessions where the gap rule needs it), everything else unchanged."""
    if k < 1:
        raise _error("-k", "ask for at least one option")
    association = _accepted(scenario, association_id, "--move")
    own = sorted((s for s in plan.sessions if s.association_id == association_id),
                 key=lambda s: s.number)
    if not own:
        raise _error("--move", f"{association_id} is not served by the plan; ask for "
                               "--association to serve it")
    if not 1 <= number <= len(own):
        raise _error("--move", f"{association_id} has sessions 1 to {len(own)}, not {number}")
    pinned = {s.number for s in scenario.pinned if s.association_id == association_id}
    if number in pinned:
        raise _error("--move", f"session {number} of {association_id} is pinned (confirmed "
                               "or held); it stays")
    problem = _Problem(scenario, plan, association, fixed=own[:number - 1])
    # A move keeps the lead and the team: only they are on the arrays.
    team = {e for s in own for e in s.expert_ids}
    problem.put_on_arrays([x for x in scenario.experts if x.id in team])
    return problem.move_options(own, number, k, pinned)


# --- the arrays for one association ---------------------------------------------


@dataclass
class _Figures:
    """The sums behind ``domain.quality.plan_quality``, kept so that adding one
    association's sessions to a large plan costs only that association."""

    needs: int = 0
    covered: int = 0
    matched: int = 0
    served: int = 0
    deviation: int = 0
    gaps: int = 0
    load: Counter[str] = field(default_factory=Counter)

    def add(self, scenario: Scenario, own: Sequence[Session], *, load: bool = True) -> None:
        """One association's sessions (all of them), as ``plan_quality`` counts them;
        ``load=False`` leaves the experts' load to the caller."""
        association = scenario.association_by_id.get(own[0].association_id)
        if association is None:
            return
        own = sorted(own, key=lambda s: (s.date, s.start))
        present = [scenario.expert_by_id[e] for e in dict.fromkeys(
            e for s in own for e in s.expert_ids) if e in scenario.expert_by_id]
        for need in association.secondary_needs:
            self.needs += 1
            self.covered += any(scenario.covers(x, need) for x in present)
        lead = scenario.expert_by_id.get(own[0].lead_id)
        self.matched += bool(lead and association.industry in lead.industries)
        target = scenario.programme.target_days_between_sessions
        for a, b in itertools.pairwise(own):
            self.deviation += abs((b.date - a.date).days - target)
            self.gaps += 1
        if load:
            self.load.update(e for s in own for e in s.expert_ids)
        self.served += 1

    def with_association(self, scenario: Scenario, own: Sequence[Session]) -> _Figures:
        figures = _Figures(self.needs, self.covered, self.matched, self.served,
                           self.deviation, self.gaps, self.load.copy())
        if own:
            figures.add(scenario, own)
        return figures

    def quality(self) -> dict[str, float | int | None]:
        """What ``plan_quality`` gives for the same sessions."""
        return {
            "secondary_need_coverage": (round(self.covered / self.needs, 4) if self.needs
                                        else None),
            "industry_match": round(self.matched / self.served, 4) if self.served else None,
            "max_expert_sessions": max(self.load.values(), default=0),
            "mean_gap_deviation_days": (round(self.deviation / self.gaps, 3) if self.gaps
                                        else None),
        }


class _Problem:
    """One association and the experts who may take part, on the arrays; the plan's
    other sessions booked in their ledgers."""

    def __init__(self, scenario: Scenario, plan: Plan, association: Association,
                 fixed: Sequence[Session]) -> None:
        self.scenario, self.plan, self.association = scenario, plan, association
        self.fixed = tuple(fixed)
        # On a move: where each session of the association is now.
        self.moving_from: dict[str, dict[int, tuple[Any, ...]]] = {}
        others = [s for s in plan.sessions if s.association_id != association.id]
        self.held = [*others, *self.fixed]
        self.held_by_expert: dict[str, list[Session]] = {}
        self.associations_of: dict[str, set[str]] = {}
        for session in self.held:
            for expert_id in dict.fromkeys(session.expert_ids):
                self.held_by_expert.setdefault(expert_id, []).append(session)
                self.associations_of.setdefault(expert_id, set()).add(session.association_id)
        # Every expert's sessions in the plan (the figures speak of all of them).
        self.loads: Counter[str] = Counter(e for s in self.held for e in s.expert_ids)
        self.top = max(self.loads.values(), default=0)
        # As the plan has them, the association's own sessions included (on a move).
        self.plan_loads: Counter[str] = Counter(e for s in plan.sessions for e in s.expert_ids)
        self.others = _Figures()
        by_association: dict[str, list[Session]] = {}
        for session in others:
            by_association.setdefault(session.association_id, []).append(session)
        for own in by_association.values():
            self.others.add(scenario, own, load=False)
        self.others.load = Counter(e for s in others for e in s.expert_ids)
        current = [s for s in plan.sessions if s.association_id == association.id]
        self.before = self.others.with_association(scenario, current).quality()

    def has_room(self, expert: Expert) -> bool:
        """Whether the expert may work with one more association (rule 7)."""
        return len(self.associations_of.get(expert.id, set()) - {self.association.id}
                   ) < expert.max_associations

    def put_on_arrays(self, experts: Sequence[Expert]) -> None:
        """Encode the association with ``experts`` (in the scenario's order) and book
        their sessions of the plan in their ledgers."""
        order = {x.id: i for i, x in enumerate(self.scenario.experts)}
        experts = sorted({x.id: x for x in experts}.values(), key=lambda x: order[x.id])
        self.small = Scenario.model_construct(
            programme=self.scenario.programme, experts=experts,
            associations=[self.association], pinned=[])
        self.enc: Encoding = encode(self.small)
        self.matching: Matching = match(self.enc, bound_seconds=None)
        self.index = {expert_id: e for e, expert_id in enumerate(self.enc.expert_ids)}
        self.bookings = Bookings(self.enc, {})
        numbers: dict[str, int] = {self.association.id: TARGET}
        for expert_id, e in self.index.items():
            for session in self.held_by_expert.get(expert_id, ()):
                booked = self._on_grid(session)
                if booked is not None:
                    self.bookings.ledgers[e].book(*booked)
                self.bookings.associations[e].add(
                    numbers.setdefault(session.association_id, len(numbers)))
                self.bookings.load[e] += 1

    def _on_grid(self, session: Session) -> LedgerSession | None:
        """A plan's session as the ledgers take it; None off the period (the checker
        reports such a session; it occupies no day of the grid)."""
        day = (session.date - self.enc.days[0]).days
        if not 0 <= day < self.enc.n_days:
            return None
        mode = MODE_NAMES.index(session.mode)
        return (day, int(self.enc.iso_week[day]), session.start, session.end,
                self.enc.travel_pad(mode))

    # --- turning the arrays back into sessions and figures -----------------------

    def sessions_of(self, x: Assignment, first: int = 1) -> tuple[Session, ...]:
        enc, n = self.enc, int(self.enc.sessions[TARGET])
        sessions = []
        for k, slot in enumerate(x.starts):
            number = first + k
            day, half_hour = divmod(int(slot), SLOTS_PER_DAY)
            start = half_hour * SLOT_MINUTES
            sessions.append(Session(
                association_id=self.association.id, number=number,
                phase=phase_of(number, n),
                expert_ids=[enc.expert_ids[e] for e in x.experts(k)],
                date=enc.days[0] + dt.timedelta(days=day),
                start=format_clock(start), end=format_clock(start + int(enc.minutes[TARGET])),
                mode=MODE_NAMES[x.mode]))
        return tuple(sessions)

    def key_of(self, sessions: Sequence[Session]) -> tuple[int, ...]:
        """The spec's order on the whole plan with ``sessions`` added (higher is better):
        needs covered, industry match, -top load, -experts at the top, -gap deviation;
        then -the busiest of the option's experts and -sessions moved (on a move)."""
        own = sorted([*self.fixed, *sessions], key=lambda s: s.number)
        covered, industry, gap = self._figures(own)
        loads = self.loads.copy()
        loads.update(e for s in sessions for e in s.expert_ids)
        top = max(loads.values(), default=0)
        at_top = sum(1 for load in loads.values() if load == top)
        team_top = max(loads[e] for s in sessions for e in s.expert_ids)
        moved = sum(1 for s in sessions if s.association_id in self.moving_from
                    and self.moving_from[s.association_id].get(s.number) != _place(s))
        return (covered, industry, -top, -at_top, -gap, -team_top, -moved)

    def _figures(self, own: Sequence[Session]) -> tuple[int, int, int]:
        scenario, association = self.scenario, self.association
        present = [scenario.expert_by_id[e] for e in {e for s in own for e in s.expert_ids}]
        covered = sum(any(scenario.covers(x, need) for x in present)
                      for need in association.secondary_needs)
        lead = scenario.expert_by_id[own[0].lead_id]
        industry = int(association.industry in lead.industries)
        target = scenario.programme.target_days_between_sessions
        gap = sum(abs((b.date - a.date).days - target) for a, b in itertools.pairwise(own))
        return covered, industry, gap

    def impact(self, sessions: Sequence[Session]) -> dict[str, Any]:
        own = sorted([*self.fixed, *sessions], key=lambda s: s.number)
        after = self.others.with_association(self.scenario, own).quality()
        covered, industry, gap = self._figures(own)
        served = len({s.association_id for s in self.plan.sessions})
        served_after = self.others.served + 1
        loads = self.loads.copy()
        loads.update(e for s in sessions for e in s.expert_ids)
        team = sorted({e for s in own for e in s.expert_ids},
                      key=lambda e: (e != own[0].lead_id, e))
        return {
            "served": {"before": served, "after": served_after},
            "secondary_need_coverage": {"before": self.before["secondary_need_coverage"],
                                        "after": after["secondary_need_coverage"]},
            "industry_match": {"before": self.before["industry_match"],
                               "after": after["industry_match"]},
            "max_expert_sessions": {"before": self.before["max_expert_sessions"],
                                    "after": after["max_expert_sessions"]},
            "mean_gap_deviation_days": {"before": self.before["mean_gap_deviation_days"],
                                        "after": after["mean_gap_deviation_days"]},
            "association": {
                "secondary_needs_covered": covered,
                "secondary_needs": len(self.association.secondary_needs),
                "industry_match": bool(industry),
                "gap_deviation_days": gap,
            },
            "expert_sessions": {e: {"before": self.plan_loads.get(e, 0), "after": loads[e]}
                                for e in team},
        }

    def new_violations(self, sessions: Sequence[Session]) -> list[Violation]:
        """Rules ``sessions`` break beside the plan's sessions of the same experts (the
        checker, on the part of the plan they can touch)."""
        experts = {e for s in sessions for e in s.expert_ids}
        touching = list({id(s): s for e in sorted(experts)
                         for s in self.held_by_expert.get(e, ())
                         if s.association_id != self.association.id}.values())
        before = _bare_plan([*touching, *self.fixed, *(
            s for s in self.plan.sessions if s.association_id == self.association.id
            and s not in self.fixed)])
        after = _bare_plan([*touching, *self.fixed, *sessions])
        known = set(_violations(self.scenario, before))
        return [v for v in _violations(self.scenario, after) if v not in known]

    # --- a new association --------------------------------------------------------

    def new_options(self, k: int) -> Recommendation:
        """Leads in order of what they could at best achieve; each one's best option by
        exact re-insertion, until no lead left can beat the k-th option found."""
        leads = self.lead_bounds()
        pool = self.joiner_pool()
        found: list[tuple[tuple[int, ...], tuple[Session, ...]]] = []

        def beaten(bound: tuple[int, ...]) -> bool:
            return len(found) >= k and bound < found[k - 1][0][:len(bound)]

        for first in range(0, len(leads), LEADS_A_BATCH):
            batch = [(bound, lead) for bound, lead in leads[first:first + LEADS_A_BATCH]
                     if not beaten(bound)]
            if not batch:
                break
            self.put_on_arrays([*(lead for _, lead in batch), *pool])
            reinserter = Reinserter(self.enc, self.matching)
            candidates = {int(e) for e in self.matching.leads[TARGET]}
            for bound, expert in batch:
                lead = self.index[expert.id]
                if beaten(bound) or lead not in candidates:
                    continue
                result = reinserter.with_lead(TARGET, lead, self.bookings, self.top)
                if result is None or not reinserter.within_week_caps(
                        TARGET, result[1], self.bookings):
                    continue
                sessions = self.sessions_of(result[1])
                if self.new_violations(sessions):
                    continue  # the ledgers are stricter than rule 6: a safety net
                found.append((self.key_of(sessions), sessions))
                found.sort(key=lambda item: (item[0], _order_key(item[1])), reverse=True)
        # Fewer leads than options asked for: other days for the best ones' teams.
        for _, sessions in list(found):
            if len(found) >= k:
                break
            team = {e for x in sessions for e in x.expert_ids}
            self.put_on_arrays([x for x in self.scenario.experts if x.id in team])
            known = [f[1] for f in found]
            found += [item for item in self.alternatives(sessions, 1, k)
                      if item[1] not in known]
            found.sort(key=lambda item: (item[0], _order_key(item[1])), reverse=True)
        if not found:
            # The reason names every qualified expert, as ``unserved`` does.
            self.put_on_arrays([x for x in self.scenario.experts
                                if self.scenario.covers(x, self.association.primary_need)])
        return self._recommendation(found[:k], None)

    def session_mode(self, lead: Expert) -> str:
        """The mode of the association's sessions with ``lead`` (``Encoding.session_mode``)."""
        mode = self.association.mode
        if mode != "either":
            return mode
        return "online" if "online" in lead.modes else "onsite"

    def may_join(self, expert: Expert, mode: str) -> bool:
        return (self.association.id not in expert.conflicts and mode in expert.modes
                and self.has_room(expert))

    def lead_bounds(self) -> list[tuple[tuple[int, ...], Expert]]:
        """Each expert who may lead, with the best any option it leads could achieve on
        the key's first six terms (joiners only add load), best first."""
        scenario, association = self.scenario, self.association
        n = association.sessions_requested
        leads = [x for x in scenario.experts
                 if scenario.covers(x, association.primary_need)
                 and association.id not in x.conflicts and self.has_room(x)
                 and (association.mode == "either" or association.mode in x.modes)]
        joiners = {need: [x for x in scenario.experts if scenario.covers(x, need)]
                   for need in association.secondary_needs}
        bounded: list[tuple[tuple[int, ...], Expert]] = []
        for lead in leads:
            mode = self.session_mode(lead)
            coverable = sum(1 for need in association.secondary_needs
                            if scenario.covers(lead, need) or any(
                                x.id != lead.id and self.may_join(x, mode)
                                for x in joiners[need]))
            industry = int(association.industry in lead.industries)
            after = self.loads.get(lead.id, 0) + n
            top = max(self.top, after)
            at_top = (sum(1 for e, load in self.loads.items() if load == top and e != lead.id)
                      + int(after == top))
            # No gap is below 0 from the target; the option's experts are at least the lead.
            bounded.append(((coverable, industry, -top, -at_top, 0, -after), lead))
        position = {x.id: i for i, x in enumerate(scenario.experts)}
        bounded.sort(key=lambda item: (item[0], -position[item[1].id]), reverse=True)
        return bounded

    def joiner_pool(self) -> list[Expert]:
        """For each secondary need and mode, the least loaded experts who may join: those
        exact re-insertion examines (``JOINERS_EXAMINED_PER_NEED``, and one more for when
        the lead is among them)."""
        scenario, association = self.scenario, self.association
        modes = ["onsite", "online"] if association.mode == "either" else [association.mode]
        position = {x.id: i for i, x in enumerate(scenario.experts)}
        pool: dict[str, Expert] = {}
        for need in association.secondary_needs:
            for mode in modes:
                able = [x for x in scenario.experts
                        if scenario.covers(x, need) and self.may_join(x, mode)]
                able.sort(key=lambda x: (self.loads.get(x.id, 0), position[x.id]))
                pool.update((x.id, x) for x in able[:JOINERS_EXAMINED_PER_NEED + 1])
        return list(pool.values())

    def _recommendation(self, found: Sequence[tuple[tuple[int, ...], tuple[Session, ...]]],
                        number: int | None) -> Recommendation:
        options: list[Option] = []
        for rank, (key, sessions) in enumerate(found, start=1):
            impact = self.impact(sessions)
            reasons = _reasons(self, rank, key, sessions, impact,
                               found[rank - 2][0] if rank > 1 else None)
            options.append(Option(rank, sessions, impact, reasons, key))
        reason = None
        if not options:
            reason = self._unserved_reason(number)
        return Recommendation(self.association.id, tuple(options), reason, number)

    def _unserved_reason(self, number: int | None) -> dict[str, str]:
        if number is not None:
            return {"reason": "no_common_time",
                    "detail": f"{number}回目を動かせる日時がありません（主担当・参加者の空き、"
                              "間隔、上限をすべて守る日がない）",
                    "detail_en": f"no other date and time for session {number} keeps every "
                                 "rule (the team's free time, the gaps and the caps)"}
        load = np.array([len(associations) for associations in self.bookings.associations],
                        dtype=np.int64)
        reason = unserved_reason(self.small, self.enc, self.matching, TARGET, load)
        return {"reason": reason.reason, "detail": reason.detail,
                "detail_en": reason.detail_en}

    # --- a move ---------------------------------------------------------------------

    def move_options(self, own: Sequence[Session], number: int, k: int,
                     pinned: Collection[int]) -> Recommendation:
        """Other dates and times for session ``number``, later ones moved where needed."""
        self.moving_from = {self.association.id: {s.number: _place(s) for s in own}}
        return self._recommendation(self.alternatives(own, number, k, pinned), number)

    def alternatives(self, own: Sequence[Session], number: int, k: int,
                     pinned: Collection[int] = ()) -> list[_Found]:
        """Each day for session ``number`` of ``own`` with the team it has (and, when that
        team can make no day, the lead alone); the later sessions stay unless the gap
        needs them to move, the ``pinned`` ones always. The best ``k``, checked."""
        enc = self.enc
        lead = self.index[own[0].lead_id]
        mode = MODE_NAMES.index(own[0].mode)
        minutes = int(enc.minutes[TARGET])
        moving = list(own[number - 1:])
        current = own[number - 1]
        teams = [[self.index[e] for e in s.expert_ids if e in self.index] for s in moving]
        earliest = (int(enc.earliest_day[TARGET]) if number == 1 else
                    (own[number - 2].date - enc.days[0]).days + enc.min_gap_days)
        found: list[_Found] = []

        def rank_key(item: _Found) -> tuple[Any, ...]:
            # Then the day nearest the current one.
            near = -abs((item[1][0].date - current.date).days)
            return (item[0], near, _order_key(item[1]))

        for lead_only in (False, True):
            team_of = [team if lead_only is False or s.number in pinned else [lead]
                       for team, s in zip(teams, moving, strict=True)]
            free = {e: enc.pair_starts(TARGET, e) & self.bookings.free_starts(e, minutes, mode)
                    for team in team_of for e in team}
            starts = [np.logical_and.reduce([free[e] for e in team]) for team in team_of]
            for day in np.flatnonzero(starts[0].any(axis=1)):
                if day < earliest:
                    continue
                chosen = self._later(moving, starts, int(day), pinned)
                if chosen is None:
                    continue
                x = Assignment(lead, chosen, mode, [t[1:] for t in team_of])
                sessions = self.sessions_of(x, first=number)
                if (sessions[0].date, sessions[0].start) == (current.date, current.start):
                    continue
                if self._within_caps(sessions):
                    found.append((self.key_of(sessions), sessions))
            found.sort(key=rank_key, reverse=True)
            # The ledgers are stricter than rule 6; the checker is a safety net, not a filter.
            found = list(itertools.islice(
                (item for item in found if not self.new_violations(item[1])), k))
            if found:
                break
        return found

    def _later(self, moving: Sequence[Session], starts: Sequence[np.ndarray], day: int,
               pinned: Collection[int]) -> list[int] | None:
        """Slots for the moving sessions with the first on ``day`` at the time nearest its
        current one; each later one where it is while the gap allows, else the first day
        the gap allows; a pinned one where it is, or none."""
        enc, gap = self.enc, self.enc.min_gap_days
        chosen: list[int] = []
        previous = day - gap
        for i, session in enumerate(moving):
            here = (session.date - enc.days[0]).days
            wanted = day if i == 0 else max(here, previous + gap)
            slot = self._slot_on_or_after(starts[i], wanted, session.start)
            if slot is None:
                return None
            if session.number in pinned and (
                    slot // SLOTS_PER_DAY != here
                    or slot % SLOTS_PER_DAY * SLOT_MINUTES != session.start):
                return None
            chosen.append(slot)
            previous = slot // SLOTS_PER_DAY
        return chosen

    @staticmethod
    def _slot_on_or_after(starts: np.ndarray, day: int, minute: int) -> int | None:
        """The start nearest ``minute`` on ``day``, else on the first later day with one."""
        days = np.flatnonzero(starts.any(axis=1))
        days = days[days >= day]
        if days.size == 0:
            return None
        first = int(days[0])
        slots = np.flatnonzero(starts[first])
        wanted = minute // SLOT_MINUTES
        half_hour = int(slots[np.argmin(np.abs(slots - wanted))])
        return first * SLOTS_PER_DAY + half_hour

    def _within_caps(self, sessions: Sequence[Session]) -> bool:
        """Week caps with the moved sessions counted together (closer than a week apart
        they may share an ISO week)."""
        added: Counter[tuple[int, int]] = Counter()
        for session in sessions:
            booked = self._on_grid(session)
            if booked is None:
                return False
            for expert_id in session.expert_ids:
                added[(self.index[expert_id], booked[1])] += 1
        return all(self.bookings.ledgers[e].in_week(week) + count
                   <= self.enc.expert_max_per_week[e] for (e, week), count in added.items())


def _place(session: Session) -> tuple[Any, ...]:
    """What a move changes: the day, the time and the team."""
    return (session.date, session.start, tuple(session.expert_ids))


def _order_key(sessions: Sequence[Session]) -> tuple[Any, ...]:
    """Ties are broken towards the earlier dates and the smaller ids, so the order is
    the same on every run (reversed with the key: later dates sort first otherwise)."""
    return tuple((-s.date.toordinal(), -s.start) for s in sessions) + tuple(
        tuple(-ord(c) for c in s.expert_ids[0]) for s in sessions[:1])


def _violations(scenario: Scenario, plan: Plan) -> list[Violation]:
    """The checker's rules but the first: a part of a plan leaves associations out, and
    rule 1 would read every association of the scenario to say so."""
    return [v for rule in RULES if rule.__name__ != "accepted_served_or_unserved"
            for v in rule(scenario, plan)]


def _bare_plan(sessions: Sequence[Session]) -> Plan:
    # Only the sessions matter to the rules checked here; the figures are not read.
    return Plan(scenario_sha256="", sessions=list(sessions), unserved=[],
                stats=Stats(served=0, unserved=0, served_upper_bound=0, solver_status="",
                            wall_seconds=0.0))


# --- why an option ranks where it does ------------------------------------------

_WORSE = (
    ("副次ニーズの対応が少ない", "secondary needs covered"),
    ("業種が合わない", "industry match"),
    ("最多担当者の回数が増える", "the busiest expert's load"),
    ("最多担当の専門家が増える", "how many experts share the top load"),
    ("間隔が目標日数から遠い", "the gaps' distance from the target"),
    ("担当する専門家の回数が多い", "its experts' own load"),
    ("動かす回が多い", "sessions moved"),
)


def _reasons(problem: _Problem, rank: int, key: tuple[int, ...], sessions: Sequence[Session],
             impact: dict[str, Any], above: tuple[int, ...] | None) -> dict[str, str]:
    scenario, association = problem.scenario, problem.association
    words = scenario.programme.words
    own = impact["association"]
    lead = sessions[0].lead_id
    if problem.fixed:
        lead = problem.fixed[0].lead_id  # a move keeps the lead of the sessions before
    ja: list[str] = []
    en: list[str] = []
    if above is None:
        ja.append("第1候補：目的の順（副次ニーズ、業種、負荷、間隔）で最良")
        en.append("first choice: best on the spec's order (needs, industry, load, gaps)")
    else:
        index = next((i for i, (a, b) in enumerate(zip(key, above, strict=False)) if a < b),
                     None)
        if index is None:
            ja.append(f"第{rank}候補：前の候補と同等（日付の早い順）")
            en.append(f"option {rank}: as good as the one above (earlier dates first)")
        else:
            ja.append(f"第{rank}候補：前の候補より{_WORSE[index][0]}")
            en.append(f"option {rank}: below the one above on {_WORSE[index][1]}")
    lead_expert = scenario.expert_by_id[lead]
    joiners = sorted({e for s in sessions for e in s.expert_ids[1:]})
    ja.append(f"主担当 {lead}（{lead_expert.name}）" + (
        f"、参加 {'・'.join(joiners)}" if joiners else ""))
    en.append(f"lead {lead} ({lead_expert.name})" + (
        f", joined by {', '.join(joiners)}" if joiners else ""))
    if own["secondary_needs"]:
        present = [scenario.expert_by_id[e] for e in
                   {e for s in [*problem.fixed, *sessions] for e in s.expert_ids}]
        covered = [need for need in association.secondary_needs
                   if any(scenario.covers(x, need) for x in present)]
        ja.append(f"副次ニーズ {own['secondary_needs_covered']}/{own['secondary_needs']} 件に対応"
                  + (f"（{'、'.join(words.needs[n].ja for n in covered)}）" if covered else ""))
        en.append(f"covers {own['secondary_needs_covered']} of {own['secondary_needs']} "
                  "secondary needs" + (f" ({', '.join(words.needs[n].en for n in covered)})"
                                       if covered else ""))
    if own["industry_match"]:
        ja.append(f"業種（{association.industry}）の経験あり")
        en.append(f"knows the industry ({association.industry})")
    else:
        ja.append(f"業種（{association.industry}）の経験なし")
        en.append(f"does not list the industry ({association.industry})")
    top = impact["max_expert_sessions"]
    loads = impact["expert_sessions"][lead]
    ja.append(f"最多担当 {top['before']}→{top['after']} 回、{lead} は {loads['before']}→"
              f"{loads['after']} 回")
    en.append(f"busiest expert {top['before']} -> {top['after']} sessions, {lead} "
              f"{loads['before']} -> {loads['after']}")
    target = scenario.programme.target_days_between_sessions
    if association.sessions_requested > 1:
        ja.append(f"間隔の目標 {target} 日からのずれ 計 {own['gap_deviation_days']} 日")
        en.append(f"gaps {own['gap_deviation_days']} days from the {target}-day target "
                  "in all")
    if problem.moving_from:
        moved = -key[6]
        ja.append(f"動かす回 {moved} 回")
        en.append(f"moves {moved} session{'s' if moved != 1 else ''}")
    return {"ja": "。".join(ja) + "。", "en": "; ".join(en) + "."}

