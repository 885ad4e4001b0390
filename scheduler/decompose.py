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

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.core import Matching
from matcher.encoding import Encoding
from scheduler.greedy import Greedy
from scheduler.model import KeptSession, PinnedSession
from scheduler.reinsert import Bookings, Reinserter
from scheduler.solution import Solution


def assign_leads(enc: Encoding, matching: Matching, held: Solution,
                 skip: Iterable[int] = ()) -> dict[int, int]:
    """A lead for as many associations outside ``held`` and ``skip`` as capacities allow."""
    skip = set(skip)
    n_a, n_e = len(enc.association_ids), len(enc.expert_ids)
    # Costs are lexicographic: an earlier applicant outweighs all coverage, one more
    # need covered by the lead outweighs every industry match.
    w_industry = 1
    w_cover = n_a + 1
    most_needs = max((len(needs) for needs in enc.secondary_needs), default=0)
    w_rank = w_cover * (most_needs + 1) + 1
    used = np.zeros(n_e, dtype=np.int64)
    for assignment in held.values():
        for e in assignment.team():
            used[e] += 1
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = n_a + n_e, n_a + n_e + 1
    shortest = np.full(n_e, np.iinfo(np.int64).max)
    arcs: list[tuple[int, int, int]] = []  # (arc, association, expert)
    for a, candidates in enumerate(matching.leads):
        if a in held or a in skip or len(candidates) == 0:
            continue
        flow.add_arc_with_capacity_and_unit_cost(source, a, 1, -w_rank * (n_a - a))
        needs = enc.secondary_needs[a]
        for e in (int(e) for e in candidates):
            own = int(enc.covers[e, needs].sum()) if needs else 0
            cost = -(w_cover * own + w_industry * int(enc.industry_match[a, e]))
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(a, n_a + e, 1, cost), a, e))
            shortest[e] = min(shortest[e], int(enc.sessions[a]))
    for e in range(n_e):
        if shortest[e] == np.iinfo(np.int64).max:
            continue
        room = min(int(enc.expert_max_associations[e]) - int(used[e]),
                   int(matching.session_capacity[e] // shortest[e]))
        if room > 0:
            flow.add_arc_with_capacity_and_unit_cost(n_a + e, sink, room, 0)
    if not arcs:
        return {}
    # The most it could carry; solve_max_flow_with_min_cost sends as much as fits.
    flow.set_node_supply(source, n_a)
    flow.set_node_supply(sink, -n_a)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"lead assignment failed with status {status}")
    return {a: e for arc, a, e in arcs if flow.flow(arc) > 0}


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
    leads = assign_leads(enc, matching, held, skip=pinned)
    solution = dict(held)
    bookings = Bookings(enc, solution)
    reinserter = Reinserter(enc, matching, kept, with_joiners=False)
    left: list[int] = []
    for a in sorted(leads):  # earliest applicant first
        found = reinserter.with_lead(a, leads[a], bookings, bookings.top_load())
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
