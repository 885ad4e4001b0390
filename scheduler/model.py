"""The CP-SAT model: one ``add_<rule>`` method per hard rule, built from the matcher's arrays.

A session's start is one integer, the absolute half-hour slot ``day * 48 + slot``;
which lead (and joiners) serve it decides which slots it may take.

Some rules are kept by the candidates rather than by constraints: the matcher's leads are
qualified, free of conflict and offer the mode; the encoder's start slots are business time
inside everyone's windows. A model built with a rule left out (``rules``, for tests that
show each rule doing its work) widens that rule's part of the candidates too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from domain.checker import RULES
from matcher.core import Matching, mode_compatible_each
from matcher.encoding import (
    MODE_ONSITE,
    SLOT_MINUTES,
    SLOTS_PER_DAY,
    BoolArray,
    Encoding,
    KeptSession,
    PinnedSession,
)
from scheduler.solution import Assignment

LinearExpr = cp_model.LinearExprT

# The hard rules by the checker's names: ``add_<name>`` adds each to the model.
RULE_NAMES: tuple[str, ...] = tuple(rule.__name__ for rule in RULES)


@dataclass
class AssociationVars:
    """The decision variables of one association that can be served."""

    index: int
    leads: list[int]  # candidate expert indices
    lead: list[cp_model.IntVar]  # lead[i]: leads[i] leads all sessions
    served: cp_model.IntVar
    start: list[cp_model.IntVar]  # per session: absolute slot
    day: list[cp_model.IntVar]
    week: list[cp_model.IntVar]
    lead_start: dict[int, list[cp_model.IntVar | None]] = field(default_factory=dict)
    join_start: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    joiners: list[int] = field(default_factory=list)
    join: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (joiner, k)
    joined: dict[int, cp_model.IntVar] = field(default_factory=dict)
    covered: dict[int, cp_model.IntVar] = field(default_factory=dict)  # secondary need -> var


@dataclass
class ExpertResources:
    """Everything that takes an expert's time, to be bounded by rule 6."""

    intervals: list[cp_model.IntervalVar] = field(default_factory=list)
    day_intervals: list[cp_model.IntervalVar] = field(default_factory=list)
    week_intervals: list[cp_model.IntervalVar] = field(default_factory=list)
    associations: list[LinearExpr] = field(default_factory=list)
    sessions: list[LinearExpr] = field(default_factory=list)
    # Bookings of associations outside a neighbourhood, held where they are.
    fixed_associations: int = 0
    fixed_sessions: int = 0

    def load(self) -> LinearExpr:
        return self.fixed_sessions + sum(self.sessions)


class PlanModel:
    """Builds the model; ``objective_*`` methods return the stage objectives.

    With ``subset``, only those associations get variables (a neighbourhood); the
    assignments in ``fixed`` of every other association are booked as constants, and
    ``leads`` may narrow the candidate leads of those in the subset.

    ``rules`` names the hard rules the model keeps, all nine unless a test leaves one out
    to see the plan break it; with all nine the candidates are the matcher's and the
    encoder's, unchanged.
    """

    def __init__(
        self,
        enc: Encoding,
        matching: Matching,
        pinned: Iterable[PinnedSession] = (),
        *,
        with_joiners: bool = True,
        subset: Iterable[int] | None = None,
        fixed: Mapping[int, Assignment] | None = None,
        leads: Mapping[int, Sequence[int]] | None = None,
        rules: Collection[str] = RULE_NAMES,
        widened_starts: Callable[[int, int], BoolArray] | None = None,
    ) -> None:
        unknown = sorted(set(rules) - set(RULE_NAMES))
        if unknown:
            raise ValueError(f"unknown rules {unknown}; the rules are {list(RULE_NAMES)}")
        self.rules = frozenset(rules)
        # Rules 3 and 5 live in the start domains (the encoding's pair starts): left out,
        # the caller hands in starts without them (matcher.encoding.widened_pair_starts).
        if {"business_time", "within_availability"} - self.rules and widened_starts is None:
            raise ValueError("leaving out business_time or within_availability needs "
                             "widened_starts: the encoding's starts hold both rules")
        self.widened_starts = widened_starts
        self.enc = enc
        self.matching = matching
        self.model = cp_model.CpModel()
        self.with_joiners = with_joiners
        # A neighbourhood may narrow an association's candidate leads to these.
        self.lead_choice = leads or {}
        self.subset = (sorted(set(subset)) if subset is not None
                       else list(range(len(enc.association_ids))))
        members = set(self.subset)
        # Rule 9 left out, the pins shape nothing: not the domains, leads or modes either.
        self.pinned = ([pin for pin in pinned if pin.association in members]
                       if "pinned_unchanged" in self.rules else [])
        self.fixed = {a: x for a, x in (fixed or {}).items() if a not in members}
        self.pinned_by_association: dict[int, list[PinnedSession]] = {}
        for pin in self.pinned:
            self.pinned_by_association.setdefault(pin.association, []).append(pin)
        self.mode_override = {a: pins[0].mode for a, pins in self.pinned_by_association.items()}
        self.associations: dict[int, AssociationVars] = {}
        self.experts = [ExpertResources() for _ in enc.expert_ids]
        self._create_variables()
        self._add("accepted_served_or_unserved")
        self._add("session_sequence")
        self._add("business_time")
        self._add("qualified_lead")
        self._create_lead_starts()
        self._add("within_availability")
        if "session_mode" in self.rules:
            self.add_session_mode()
        else:  # the joiners' variables all the same, without rule 8's constraint
            self._create_joiners(offering_mode=False)
        self._book_fixed_assignments()
        self._add("expert_workload")
        self._add("expert_associations")
        self._add("pinned_unchanged")

    def _add(self, rule: str) -> None:
        if rule in self.rules:
            getattr(self, f"add_{rule}")()

    # -- helpers -----------------------------------------------------------------------

    def session_mode(self, a: int, e: int) -> int:
        return self.mode_override.get(a, self.enc.session_mode(a, e))

    def _pair_slots(self, a: int, e: int) -> np.ndarray:
        if self.widened_starts is None:
            return np.flatnonzero(self.enc.pair_starts(a, e).ravel())
        return np.flatnonzero(self.widened_starts(a, e).ravel())

    def _lead_candidates(self, a: int) -> list[int]:
        leads = [int(e) for e in self.lead_choice.get(a, self.matching.leads[a])]
        if self.rules != set(RULE_NAMES):
            leads += [e for e in self._allowed_leads(a) if e not in leads]
        pins = self.pinned_by_association.get(a)
        if pins and pins[0].lead not in leads:
            leads.append(pins[0].lead)
        return leads

    def _allowed_leads(self, a: int) -> list[int]:
        """The experts the model's rules let lead ``a``, once some rule is left out.

        The matcher's leads pass every rule's filter; a rule left out takes its filter
        along: rule 4's (covers the primary need), rule 7's (no conflict), rule 8's
        (offers the mode). Its filters on time and capacity follow from rules 2, 3, 5
        and 6, which the model holds in its domains and constraints.
        """
        enc = self.enc
        allowed = np.ones(len(enc.expert_ids), dtype=bool)
        if "qualified_lead" in self.rules:
            allowed &= enc.covers[:, int(enc.primary_need[a])]
        if "expert_associations" in self.rules:
            allowed &= ~enc.conflict[a]
        if "session_mode" in self.rules:
            allowed &= mode_compatible_each(enc, a)
        return [int(e) for e in np.flatnonzero(allowed)]

    def _joiner_candidates(self, a: int) -> list[int]:
        joiners: list[int] = []
        if self.with_joiners:
            for options in self.matching.joiners[a].values():
                joiners.extend(int(e) for e in options)
        for pin in self.pinned_by_association.get(a, ()):
            joiners.extend(pin.joiners)
        return sorted(set(joiners))

    # -- variables ---------------------------------------------------------------------

    def _create_variables(self) -> None:
        enc, model = self.enc, self.model
        week_of_day = [int(w) for w in enc.iso_week]
        # Session k can start no earlier than k gaps after the first day: rule 2's part of
        # the domains, dropped with it.
        gap = enc.min_gap_days if "session_sequence" in self.rules else 0
        for a in self.subset:
            leads = self._lead_candidates(a)
            if not leads:
                continue
            n = int(enc.sessions[a])
            slots = np.unique(np.concatenate([self._pair_slots(a, e) for e in leads]))
            pins = {pin.number - 1: pin.start for pin in self.pinned_by_association.get(a, ())}
            if slots.size == 0 and not pins:
                continue
            if pins:
                slots = np.union1d(slots, np.fromiter(pins.values(), dtype=np.int64))
            first_day, last_day = int(slots[0]) // SLOTS_PER_DAY, int(slots[-1]) // SLOTS_PER_DAY
            lead = [model.new_bool_var(f"lead_{a}_{e}") for e in leads]
            served = model.new_bool_var(f"served_{a}")
            starts, days, weeks = [], [], []
            for k in range(n):
                low = (first_day + k * gap) * SLOTS_PER_DAY
                high = (last_day - (n - 1 - k) * gap + 1) * SLOTS_PER_DAY - 1
                values = slots[(slots >= low) & (slots <= high)]
                if k in pins:
                    values = np.union1d(values, [pins[k]])
                if values.size == 0:
                    values = slots[:1]
                start = model.new_int_var_from_domain(
                    cp_model.Domain.from_values(values.tolist()), f"start_{a}_{k}"
                )
                day = model.new_int_var(0, enc.n_days - 1, f"day_{a}_{k}")
                slot = model.new_int_var(0, SLOTS_PER_DAY - 1, f"slot_{a}_{k}")
                model.add(start == SLOTS_PER_DAY * day + slot)
                week = model.new_int_var(0, max(week_of_day), f"week_{a}_{k}")
                model.add_element(day, week_of_day, week)
                starts.append(start)
                days.append(day)
                weeks.append(week)
            self.associations[a] = AssociationVars(a, leads, lead, served, starts, days, weeks)

    # -- the nine hard rules -------------------------------------------------------------

    def add_accepted_served_or_unserved(self) -> None:
        """Rule 1: an association is served exactly when one lead is chosen."""
        for v in self.associations.values():
            self.model.add(sum(v.lead) == v.served)

    def add_session_sequence(self) -> None:
        """Rule 2: sessions in order, at least the minimum gap apart."""
        gap = self.enc.min_gap_days
        for v in self.associations.values():
            for k in range(len(v.day) - 1):
                self.model.add(v.day[k + 1] >= v.day[k] + gap).only_enforce_if(v.served)

    def add_business_time(self) -> None:
        """Rule 3: business days and hours, the period, the grid and the decision date.

        All are in the start domains built by the encoder, so nothing is added here;
        the method exists so the model reads like the rule book. Left out, the domains
        are widened (``_widened_pair_starts``).
        """

    def add_qualified_lead(self) -> None:
        """Rule 4: one qualified lead (candidates are qualified by construction; left
        out, any expert may lead, ``_allowed_leads``)."""
        for v in self.associations.values():
            self.model.add_at_most_one(v.lead)

    def add_within_availability(self) -> None:
        """Rule 5: each session inside a window of its lead, joiners and association.

        Each (session, expert) pair has its own start variable whose domain is where
        both are free (``_create_lead_starts``, ``_create_joiners``); it equals the
        session's start when that expert takes part. Domains with holes are cheap,
        enforced domain constraints are not; so nothing is added here, and left out,
        the domains are widened (``_widened_pair_starts``).
        """

    def _create_lead_starts(self) -> None:
        """Each (session, candidate lead) pair's start, in the lead's and association's
        common slots (rule 5's domains)."""
        for v in self.associations.values():
            for i, e in enumerate(v.leads):
                v.lead_start[i] = self._expert_starts(v, e, v.lead[i])

    def _expert_starts(
        self, v: AssociationVars, e: int, present: cp_model.IntVar, only: int | None = None
    ) -> list[cp_model.IntVar | None]:
        slots = self._pair_slots(v.index, e)
        pins = {pin.number - 1: pin.start for pin in self.pinned_by_association.get(v.index, ())}
        result: list[cp_model.IntVar | None] = []
        for k, start in enumerate(v.start):
            if only is not None and k != only:
                result.append(None)
                continue
            values = slots if k not in pins else np.array([pins[k]])
            bounds = list(start.proto.domain)
            low, high = bounds[0], bounds[-1]
            values = values[(values >= low) & (values <= high)]
            if values.size == 0:
                self.model.add(present == 0)
                values = np.array([low])
            var = self.model.new_int_var_from_domain(
                cp_model.Domain.from_values(values.tolist()), f"s_{v.index}_{k}_{e}"
            )
            self.model.add(start == var).only_enforce_if(present)
            result.append(var)
        return result

    def add_session_mode(self) -> None:
        """Rule 8: the association's mode unless 'either', offered by every expert.

        Candidate leads offer it by construction (left out, any expert may lead,
        ``_allowed_leads``); a joiner must offer the mode its lead's choice gives the
        sessions, a constraint made with each joiner's variables, in their order.
        """
        self._create_joiners(offering_mode=True)

    def _create_joiners(self, *, offering_mode: bool) -> None:
        """Each candidate joiner's variables per session, with rule 8's constraint that
        it offers the session's mode where ``offering_mode``."""
        enc = self.enc
        for v in self.associations.values():
            a = v.index
            v.joiners = self._joiner_candidates(a)
            pinned_joiners = {
                (j, pin.number - 1)
                for pin in self.pinned_by_association.get(a, ())
                for j in pin.joiners
            }
            for j in v.joiners:
                compatible = [
                    v.lead[i] for i, e in enumerate(v.leads)
                    if e != j and enc.expert_modes[j, self.session_mode(a, e)]
                ]
                for k in range(len(v.start)):
                    if (j, k) not in pinned_joiners and not self.with_joiners:
                        continue
                    var = self.model.new_bool_var(f"join_{a}_{j}_{k}")
                    v.join[(j, k)] = var
                    start = self._expert_starts(v, j, var, only=k)[k]
                    assert start is not None
                    v.join_start[(j, k)] = start
                    if offering_mode:
                        self.model.add(var <= sum(compatible))
                ks = [v.join[(j, k)] for k in range(len(v.start)) if (j, k) in v.join]
                if not ks:
                    continue
                joined = self.model.new_bool_var(f"joined_{a}_{j}")
                self.model.add(sum(ks) == joined)  # one visit is enough to cover a need
                v.joined[j] = joined

    def _book_fixed_assignments(self) -> None:
        """Held bookings of experts who also have variables here, as constant intervals."""
        relevant = {e for v in self.associations.values() for e in (*v.leads, *v.joiners)}
        enc, model = self.enc, self.model
        for a, assignment in self.fixed.items():
            minutes = int(enc.minutes[a])
            pad = enc.travel_pad(assignment.mode)
            taking_part: set[int] = set()
            for k, slot in enumerate(assignment.starts):
                day = int(slot) // SLOTS_PER_DAY
                for e in assignment.experts(k):
                    if e not in relevant:
                        continue
                    taking_part.add(e)
                    res = self.experts[e]
                    res.intervals.append(model.new_fixed_size_interval_var(
                        SLOT_MINUTES * int(slot) - pad, minutes + 2 * pad,
                        f"held_{a}_{k}_{e}"))
                    res.day_intervals.append(
                        model.new_fixed_size_interval_var(day, 1, f"held_day_{a}_{k}_{e}"))
                    res.week_intervals.append(model.new_fixed_size_interval_var(
                        int(enc.iso_week[day]), 1, f"held_week_{a}_{k}_{e}"))
                    res.fixed_sessions += 1
            for e in taking_part:
                self.experts[e].fixed_associations += 1

    def add_expert_workload(self) -> None:
        """Rule 6: no overlap (travel buffer around onsite), day and week caps."""
        enc, model = self.enc, self.model
        for v in self.associations.values():
            a, minutes = v.index, int(enc.minutes[v.index])
            for i, e in enumerate(v.leads):
                mode = self.session_mode(a, e)
                for k, start in enumerate(v.lead_start[i]):
                    assert start is not None
                    self._book(e, v, k, start, v.lead[i], minutes, {mode: v.lead[i]})
            onsite = [v.lead[i] for i, e in enumerate(v.leads)
                      if self.session_mode(a, e) == MODE_ONSITE]
            for (j, k), var in v.join.items():
                self._book(j, v, k, v.join_start[(j, k)], var, minutes,
                           self._joiner_presence_by_mode(v, j, k, var, onsite))
        for e, res in enumerate(self.experts):
            if len(res.intervals) > 1:
                model.add_no_overlap(res.intervals)
            if len(res.day_intervals) > int(enc.expert_max_per_day[e]):
                model.add_cumulative(
                    res.day_intervals, [1] * len(res.day_intervals), int(enc.expert_max_per_day[e])
                )
            if len(res.week_intervals) > int(enc.expert_max_per_week[e]):
                model.add_cumulative(
                    res.week_intervals, [1] * len(res.week_intervals),
                    int(enc.expert_max_per_week[e]),
                )

    def _joiner_presence_by_mode(
        self, v: AssociationVars, j: int, k: int, present: cp_model.IntVar,
        onsite: list[cp_model.IntVar],
    ) -> dict[int, cp_model.IntVar]:
        """A joiner's session is onsite or online as the lead's choice makes it."""
        if not onsite:
            return {1 - MODE_ONSITE: present}
        if len(onsite) == len(v.leads):
            return {MODE_ONSITE: present}
        on = self.model.new_bool_var(f"join_onsite_{v.index}_{j}_{k}")
        off = self.model.new_bool_var(f"join_online_{v.index}_{j}_{k}")
        self.model.add(on + off == present)
        self.model.add(on <= sum(onsite))
        self.model.add(off <= 1 - sum(onsite))
        return {MODE_ONSITE: on, 1 - MODE_ONSITE: off}

    def _book(
        self, e: int, v: AssociationVars, k: int, start: cp_model.IntVar,
        present: cp_model.IntVar, minutes: int, by_mode: dict[int, cp_model.IntVar],
    ) -> None:
        res = self.experts[e]
        name = f"{v.index}_{k}_{e}"
        for mode, in_mode in by_mode.items():
            pad = self.enc.travel_pad(mode)
            res.intervals.append(self.model.new_optional_fixed_size_interval_var(
                SLOT_MINUTES * start - pad, minutes + 2 * pad, in_mode,
                f"busy_{name}_{mode}"
            ))
        res.day_intervals.append(
            self.model.new_optional_fixed_size_interval_var(v.day[k], 1, present, f"day_{name}")
        )
        res.week_intervals.append(
            self.model.new_optional_fixed_size_interval_var(v.week[k], 1, present, f"week_{name}")
        )
        res.sessions.append(present)

    def add_expert_associations(self) -> None:
        """Rule 7: at most ``max_associations`` per expert (conflicts never are candidates;
        left out, they may be, ``_allowed_leads``)."""
        for v in self.associations.values():
            for i, e in enumerate(v.leads):
                self.experts[e].associations.append(v.lead[i])
            for j, joined in v.joined.items():
                self.experts[j].associations.append(joined)
                for i, e in enumerate(v.leads):
                    if e == j:  # never lead and joiner of one association
                        self.model.add(v.lead[i] + joined <= 1)
                self.model.add_implication(joined, v.served)
        for e, res in enumerate(self.experts):
            if res.associations:
                self.model.add(sum(res.associations)
                               <= int(self.enc.expert_max_associations[e]) - res.fixed_associations)

    def add_pinned_unchanged(self) -> None:
        """Rule 9: pinned sessions keep their lead, joiners, time and mode."""
        for a, pins in self.pinned_by_association.items():
            v = self.associations[a]
            self.model.add(v.served == 1)
            self.model.add(v.lead[v.leads.index(pins[0].lead)] == 1)
            for pin in pins:
                k = pin.number - 1
                self.model.add(v.start[k] == pin.start)
                for (j, kk), var in v.join.items():
                    if kk == k:
                        self.model.add(var == int(j in pin.joiners))

    # -- hints and decoding ---------------------------------------------------------------

    def hint(self, solution: Mapping[int, Assignment]) -> None:
        """Hint every decision variable from ``solution`` (idle starts to any allowed value)."""
        model = self.model
        for a, v in self.associations.items():
            assignment = solution.get(a)
            model.add_hint(v.served, assignment is not None)
            for i, e in enumerate(v.leads):
                model.add_hint(v.lead[i], assignment is not None and assignment.lead == e)
            for (j, k), var in v.join.items():
                model.add_hint(var, bool(assignment and assignment.joiners
                                         and j in assignment.joiners[k]))
            chosen = set()
            if assignment is not None and assignment.lead in v.leads:
                for k, lead_start in enumerate(v.lead_start[v.leads.index(assignment.lead)]):
                    if lead_start is not None:
                        model.add_hint(lead_start, assignment.starts[k])
                        chosen.add(lead_start.index)
                for (j, k), var in v.join_start.items():
                    if assignment.joiners and j in assignment.joiners[k]:
                        model.add_hint(var, assignment.starts[k])
                        chosen.add(var.index)
            # Starts of experts not taking part are free: hint them to any allowed value.
            idle = [*(x for starts in v.lead_start.values() for x in starts if x is not None),
                    *v.join_start.values()]
            for var in idle:
                if var.index not in chosen:
                    model.add_hint(var, next(iter(var.proto.domain)))
            if assignment is not None:
                for k, slot in enumerate(assignment.starts):
                    day = slot // SLOTS_PER_DAY
                    model.add_hint(v.start[k], slot)
                    model.add_hint(v.day[k], day)
                    model.add_hint(v.week[k], int(self.enc.iso_week[day]))

    def decode(self, value: Callable[[cp_model.IntVar], int]) -> dict[int, Assignment]:
        """The assignments of the associations served in a solution read through ``value``."""
        solution: dict[int, Assignment] = {}
        for a, v in self.associations.items():
            if not value(v.served):
                continue
            lead = next((e for i, e in enumerate(v.leads) if value(v.lead[i])), None)
            if lead is None:  # served without a lead: only with rule 1 left out
                continue
            starts = [value(s) for s in v.start]
            joiners: list[list[int]] = [[] for _ in starts]
            for (j, k), var in sorted(v.join.items(), key=lambda item: item[0]):
                if value(var):
                    joiners[k].append(j)
            solution[a] = Assignment(lead, starts, self.session_mode(a, lead), joiners)
        return solution

    # -- objectives, in the spec's order ------------------------------------------------

    def objective_service(self) -> tuple[cp_model.LinearExpr, int]:
        """Serve the most; among equals, earlier applicants. Returns (expr, weight of one)."""
        count = len(self.enc.association_ids)
        served = [v.served for v in self.associations.values()]
        weights = [service_weight(count, v.index) for v in self.associations.values()]
        return cp_model.LinearExpr.weighted_sum(served, weights), service_weight(count, count)

    def objective_coverage(self) -> cp_model.LinearExpr:
        """Secondary needs covered by the lead's qualifications or a joiner's."""
        enc, terms = self.enc, []
        for v in self.associations.values():
            a = v.index
            for need in enc.secondary_needs[a]:
                sources = [v.lead[i] for i, e in enumerate(v.leads) if enc.covers[e, need]]
                sources += [joined for j, joined in v.joined.items() if enc.covers[j, need]]
                if not sources:
                    continue
                covered = self.model.new_bool_var(f"covered_{a}_{need}")
                self.model.add(covered <= sum(sources))
                v.covered[need] = covered
                terms.append(covered)
        return cp_model.LinearExpr.sum(terms)

    def objective_industry(self) -> cp_model.LinearExpr:
        enc = self.enc
        return cp_model.LinearExpr.sum([
            v.lead[i]
            for v in self.associations.values()
            for i, e in enumerate(v.leads)
            if enc.industry_match[v.index, e]
        ])

    def objective_gaps(self) -> cp_model.LinearExpr:
        """Days away from the target gap, summed over consecutive sessions."""
        target, terms = self.enc.target_gap_days, []
        for v in self.associations.values():
            for k in range(len(v.day) - 1):
                deviation = self.model.new_int_var(0, self.enc.n_days, f"gapdev_{v.index}_{k}")
                self.model.add_abs_equality(deviation, v.day[k + 1] - v.day[k] - target)
                terms.append(deviation)
        return cp_model.LinearExpr.sum(terms)


    def objective_load_above(self, top: int) -> tuple[cp_model.LinearExpr, int]:
        """A neighbourhood's share of the busiest load, and the largest value it can take.

        Each expert at ``top`` sessions costs 1, and each session above ``top`` costs
        more than every expert at the top together: the top never rises to spread load.
        """
        over_weight = 1 + sum(1 for r in self.experts if r.sessions)
        terms, most = [], 0
        for e, res in enumerate(self.experts):
            ceiling = res.fixed_sessions + len(res.sessions)
            if not res.sessions or ceiling < top:
                continue
            at_top = self.model.new_bool_var(f"at_top_{e}")
            over = self.model.new_int_var(0, max(0, ceiling - top), f"over_top_{e}")
            self.model.add(res.load() <= top - 1 + at_top + over)
            terms.append(at_top + over_weight * over)
            most += 1 + over_weight * max(0, ceiling - top)
        return cp_model.LinearExpr.sum(terms), most

    def objective_keep(self, kept: Iterable[KeptSession]) -> cp_model.LinearExpr:
        """Published sessions left at their time with their lead (objective 6)."""
        terms = []
        for session in kept:
            v = self.associations.get(session.association)
            if v is None or session.lead not in v.leads or session.number > len(v.start):
                continue
            k = session.number - 1
            if not _in_domain(v.start[k], session.start):
                continue
            stays = self.model.new_bool_var(f"kept_{session.association}_{k}")
            self.model.add(v.start[k] == session.start).only_enforce_if(stays)
            self.model.add_implication(stays, v.lead[v.leads.index(session.lead)])
            terms.append(stays)
        return cp_model.LinearExpr.sum(terms)


def service_weight(count: int, a: int) -> int:
    """Objective 1's weight of serving association ``a`` (rank in ``applied_at`` order) of
    ``count``: one more served outweighs any exchange of who, and earlier ranks weigh more.
    ``service_weight(count, count)`` is the weight of one served, rank aside."""
    return count * (count + 1) // 2 + 1 + (count - a)


def _in_domain(var: cp_model.IntVar, value: int) -> bool:
    bounds = list(var.proto.domain)
    return any(low <= value <= high for low, high in zip(bounds[::2], bounds[1::2], strict=True))


def configured_solver(*, workers: int, seed: int, seconds: float, deterministic: bool,
                      wall_left: float, presolve: bool = False, log: bool = False
                      ) -> cp_model.CpSolver:
    """A CP-SAT solver set up as every Haken model is solved.

    Deterministic runs count CP-SAT's own clock for ``seconds`` and are stopped by the
    wall clock only after ``wall_left``; others stop after ``seconds`` of wall time.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    # Probing expands every start domain into literals: seconds of presolve, little gain.
    params.cp_model_probing_level = 0
    # Ctrl-C is the caller's (it sets SolveOptions.stop); CP-SAT's own handler outlives a
    # solve and crashes a later Ctrl-C.
    params.catch_sigint_signal = False
    params.cp_model_presolve = presolve
    params.log_search_progress = log
    if deterministic:
        params.max_deterministic_time = seconds
        params.max_time_in_seconds = max(0.1, min(4 * seconds + 5, wall_left))
    else:
        # Never past the caller's deadline: with two or more workers CP-SAT keeps to
        # max_time_in_seconds, so what is left of the wall is the limit.
        params.max_time_in_seconds = max(0.01, min(seconds, wall_left))
    return solver
