"""A first plan at any size: leads on the arrays, then each association's days.

The issue of scale is one model over every association, lead and slot. Here the leads
are chosen first, for everyone at once, by a minimum-cost maximum flow (association ->
candidate lead -> sink, each expert's arc capped as in the flow bound): it serves the
most, earlier applicants first, and among those plans prefers leads who cover the
association's secondary needs themselves (which leaves other experts' association
slots free to join), then industry matches. Given the leads, associations no longer
compete except for their lead's time, so each is placed on its own by the exact
re-insertion (days near the target gap), earliest applicant first. One that does not
fit its lead's calendar tries the other candidate leads; what is still left out goes to
``scheduler.serve``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.core import Matching
from matcher.encoding import Encoding, KeptSession, PinnedSession
from scheduler.greedy import Greedy
from scheduler.reinsert import Bookings, Reinserter
from scheduler.solution import Solution


@dataclass(frozen=True)
class Teams:
    """The flow's choice: a lead per association, and joiners for its open needs."""

    leads: dict[int, int]
    joiners: dict[int, set[int]]


def assign_teams(enc: Encoding, matching: Matching, held: Solution,
                 skip: Iterable[int] = ()) -> Teams:
    """Leads (and joiners) for as many associations outside ``held`` and ``skip`` as the
    capacities allow, by one minimum-cost flow.

    Source -> association -> candidate lead -> sink serves; source -> (association,
    secondary need) -> qualified joiner -> sink covers a need with a joiner. Both draw on
    the same expert -> sink arcs (association slots), so a dual-qualified expert is not
    spent leading where its second qualification is not needed. A zero-cost source ->
    sink bypass lets any unit stay unused; costs make it lexicographic: serving an
    earlier applicant outweighs everything after it, a need covered outweighs every
    industry match.
    """
    skip = set(skip)
    n_a, n_e = len(enc.association_ids), len(enc.expert_ids)
    w_industry = 1
    w_cover = n_a + 1
    most_needs = max((len(needs) for needs in enc.secondary_needs), default=0)
    # One association served outweighs every need and industry match of all of them.
    w_rank = w_cover * (most_needs + 1) * (n_a + 1) + 1
    used = np.zeros(n_e, dtype=np.int64)
    for assignment in held.values():
        for e in assignment.team():
            used[e] += 1
    source, sink = n_a + n_e, n_a + n_e + 1
    next_node = n_a + n_e + 2
    shortest = np.full(n_e, np.iinfo(np.int64).max)
    sessions = np.asarray(enc.sessions)
    # The arcs as lists, in the order they were once added one call each (the flow's
    # choice among equal costs follows that order), then handed over in one call: at
    # 2000x400 there are a quarter of a million arcs.
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    lead_arcs: list[tuple[int, int, int]] = []  # (arc, association, expert)
    join_arcs: list[tuple[int, int, int]] = []
    units = 0

    def arc(tail: int, head: int, capacity: int, cost: int) -> int:
        tails.append(tail)
        heads.append(head)
        caps.append(capacity)
        costs.append(cost)
        return len(tails) - 1

    for a, candidates in enumerate(matching.leads):
        if a in held or a in skip or len(candidates) == 0:
            continue
        arc(source, a, 1, -w_rank * (n_a - a))
        units += 1
        needs = enc.secondary_needs[a]
        own = (enc.covers[np.ix_(candidates, np.asarray(needs, dtype=np.int64))].sum(axis=1)
               if needs else np.zeros(len(candidates), dtype=np.int64))
        cost = -(w_cover * own + w_industry * enc.industry_match[a, candidates].astype(np.int64))
        for e, c in zip(candidates.tolist(), cost.tolist(), strict=True):
            lead_arcs.append((arc(a, n_a + e, 1, c), a, e))
        np.minimum.at(shortest, candidates, int(sessions[a]))
        for options in matching.joiners[a].values():
            if len(options) == 0:
                continue
            node, next_node = next_node, next_node + 1
            arc(source, node, 1, 0)
            units += 1
            for j in options.tolist():
                join_arcs.append((arc(node, n_a + j, 1, -w_cover), a, j))
            shortest[options] = np.minimum(shortest[options], 1)
    for e in range(n_e):
        if shortest[e] == np.iinfo(np.int64).max:
            continue
        room = min(int(enc.expert_max_associations[e]) - int(used[e]),
                   int(matching.session_capacity[e] // shortest[e]))
        if room > 0:
            arc(n_a + e, sink, room, 0)
    if not lead_arcs:
        return Teams({}, {})
    arc(source, sink, units, 0)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
        np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64))
    flow.set_node_supply(source, units)
    flow.set_node_supply(sink, -units)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"team assignment failed with status {status}")
    flows = flow.flows(np.arange(len(tails), dtype=np.int32))
    leads = {a: e for arc_index, a, e in lead_arcs if flows[arc_index] > 0}
    joiners: dict[int, set[int]] = {}
    for arc_index, a, j in join_arcs:
        if flows[arc_index] > 0 and a in leads and leads[a] != j:
            joiners.setdefault(a, set()).add(j)
    return Teams(leads, joiners)


def plan_decomposed(
    enc: Encoding, matching: Matching, pins: Sequence[PinnedSession],
    kept: Iterable[KeptSession] = (),
) -> Solution:
    """Pinned and published sessions first (as the greedy plan books them), then the
    flow's leads, then each association's days."""
    kept = list(kept)
    held = Greedy(enc, matching).run(pins, order=(), kept=kept)
    # A pinned association the greedy plan could not complete keeps its pinned lead:
    # only a CP-SAT neighbourhood (scheduler.serve) can place the rest around the pins.
    pinned = {pin.association for pin in pins}
    teams = assign_teams(enc, matching, held, skip=pinned)
    leads = teams.leads
    solution = dict(held)
    bookings = Bookings(enc, solution)
    reinserter = Reinserter(enc, matching, kept)
    # Wider joiners only where capacity does not bind: where it does, the first plan is
    # the start of serving more, and joiners taken here slowed that search from 5 s to 60 s
    # (scarce_experts 2000x400), leaving no time for coverage.
    widen = matching.upper_bound >= len(enc.association_ids) - len(matching.blocked)
    # How many teams not yet placed the flow gives each expert (as lead or joiner).
    pending = np.zeros(len(enc.expert_ids), dtype=np.int64)
    for a, lead in leads.items():
        pending[[lead, *teams.joiners.get(a, ())]] += 1
    left: list[int] = []
    for a in sorted(leads):  # earliest applicant first
        flow_joiners = teams.joiners.get(a, set())
        pending[[leads[a], *flow_joiners]] -= 1
        found = reinserter.with_lead(a, leads[a], bookings, bookings.top_load(),
                                     allowed_joiners=flow_joiners)
        if widen and found is not None and found[0][0] < len(enc.secondary_needs[a]):
            # The flow's joiners may not share the lead's days: a need they leave open
            # goes to any qualified joiner with a slot to spare.
            # Only experts no later team of the flow needs at all: a joiner's sessions
            # also use up day and week capacity that a later lead may need.
            spare = {j for options in reinserter.joiner_candidates[a].values()
                     for j in options
                     if pending[j] == 0
                     and len(bookings.associations[j]) < enc.expert_max_associations[j]}
            if spare - flow_joiners:
                wider = reinserter.with_lead(a, leads[a], bookings, bookings.top_load(),
                                             allowed_joiners=flow_joiners | spare)
                if wider is not None and wider[0] > found[0]:
                    found = wider
        if found is not None and reinserter.within_week_caps(a, found[1], bookings):
            bookings.add(a, found[1])
            solution[a] = found[1]
        else:
            left.append(a)
    for a in left:
        other = reinserter.best(a, bookings, bookings.top_load())
        if other is not None and reinserter.within_week_caps(a, other, bookings):
            bookings.add(a, other)
            solution[a] = other
    return solution
