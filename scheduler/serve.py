"""Who is served, at any size: stage one without one model over everything.

One CP-SAT model over all associations, leads and slots does not build at thousands of
applications. The decomposed stage starts from the greedy plan (earliest applicants
first), then offers each association it left out, earliest first, the best place exact
re-insertion finds with every other booking held (``scheduler.reinsert``, leads only:
joiners would take capacity that serving more may need). Those still out get a CP-SAT
neighbourhood each: the association and the served ones whose leads could lead it,
re-planned together to serve the most, earlier applicants winning, every other booking
held. A neighbourhood's change is taken only when it serves more, or the same number
with earlier applicants, so the stage never loses ground.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matcher.core import Matching
from matcher.encoding import Encoding, PinnedSession
from scheduler.improve import Budget
from scheduler.model import PlanModel, configured_solver, service_weight
from scheduler.reinsert import Bookings, Reinserter
from scheduler.solution import Assignment, Solution

# Served associations re-planned beside each one left out, and seconds for each.
NEIGHBOURS = 16
STEP_SECONDS = 2.0
STEP_COST = 0.1  # model building, counted against a deterministic budget
# Deterministic seconds charged per re-insertion and per ejection chain tried, so one
# worker stops at the same point on any machine.
INSERTION_COST = 0.002
EJECTION_COST = 0.05


@dataclass
class ServiceSearch:
    """What the decomposed stage did, for the plan's stats."""

    inserted: int = 0
    neighbourhoods: int = 0
    improvements: int = 0


def servable(enc: Encoding, matching: Matching) -> list[int]:
    """Associations some plan might serve: not blocked, with a candidate lead."""
    return [a for a in range(len(enc.association_ids))
            if a not in matching.blocked and len(matching.leads[a])]


def service_value(enc: Encoding, associations: Iterable[int]) -> int:
    """``PlanModel.objective_service`` with these associations served."""
    count = len(enc.association_ids)
    return sum(service_weight(count, a) for a in associations)


def serve_decomposed(
    enc: Encoding, matching: Matching, pins: Sequence[PinnedSession], solution: Solution,
    budget: Budget, *, seed: int, report: Callable[[int], None] | None = None,
    reference: Solution | None = None,
) -> tuple[Solution, ServiceSearch]:
    """Serve more than ``solution`` does where the search finds how, within ``budget``.

    ``reference``, another plan (the greedy one), offers its bookings of associations
    this one leaves out: each is put in, the associations in its way taken out and
    re-inserted elsewhere, and the change kept only if all of them find a place.
    """
    solution = dict(solution)
    search = ServiceSearch()
    pinned = {pin.association for pin in pins}
    candidates = [a for a in servable(enc, matching) if a not in solution]
    if not candidates:
        return solution, search

    reinserter = Reinserter(enc, matching, pinned=pinned, with_joiners=False)
    bookings = Bookings(enc, solution)
    for a in candidates:
        if budget.remaining() <= 0.1:
            return solution, search
        budget.spent += INSERTION_COST
        if a in pinned:
            continue
        found = reinserter.best(a, bookings, bookings.top_load())
        if found is not None and reinserter.within_week_caps(a, found, bookings):
            bookings.add(a, found)
            solution[a] = found
            search.inserted += 1
            if report is not None:
                report(len(solution))

    reference = reference or {}
    for a in [a for a in candidates if a not in solution and a not in pinned and a in reference]:
        if budget.remaining() <= 0.1:
            break
        budget.spent += EJECTION_COST
        if eject_and_insert(enc, a, reference[a], solution, bookings, reinserter, pinned):
            search.inserted += 1
            if report is not None:
                report(len(solution))

    rng = random.Random(seed)
    improved = True
    while improved and budget.remaining() > 0.1:
        improved = False
        for a in [a for a in candidates if a not in solution]:
            if budget.remaining() <= 0.1:
                break
            subset, leads = _neighbourhood(enc, matching, solution, a, rng)
            changed = _serve_neighbourhood(enc, matching, pins, solution, subset, leads,
                                           budget, seed + search.neighbourhoods)
            search.neighbourhoods += 1
            if changed is None:
                continue
            for b in subset:
                if b in solution:
                    bookings.remove(b, solution.pop(b))
            for b, assignment in changed.items():
                bookings.add(b, assignment)
                solution[b] = assignment
            search.improvements += 1
            improved = True
            if report is not None:
                report(len(solution))
    return solution, search


def eject_and_insert(enc: Encoding, a: int, target: Assignment, solution: Solution,
                      bookings: Bookings, reinserter: Reinserter, pinned: set[int]) -> bool:
    """Book ``target`` for ``a``, moving the associations in its way; False (and nothing
    changed) when ``target`` does not fit or one of them finds no other place."""
    experts = target.team()
    days = set(target.days())
    weeks = {int(enc.iso_week[d]) for d in days}
    in_way = []
    for b, x in solution.items():
        if not experts & x.team():
            continue
        their_days = set(x.days())
        if their_days & days or {int(enc.iso_week[d]) for d in their_days} & weeks:
            in_way.append(b)
    if pinned & set(in_way):
        return False
    for e in experts:  # room for one more association: the latest applicants make way
        staying = sorted((b for b in bookings.associations[e] if b not in in_way),
                         reverse=True)
        excess = len(staying) + 1 - int(enc.expert_max_associations[e])
        if excess > 0:
            if pinned & set(staying[:excess]):
                return False
            in_way += staying[:excess]
    removed = {b: solution.pop(b) for b in sorted(set(in_way))}
    for b, x in removed.items():
        bookings.remove(b, x)
    placed: list[int] = []

    def undo() -> bool:
        for b in placed:
            bookings.remove(b, solution.pop(b))
        for b, x in removed.items():
            bookings.add(b, x)
            solution[b] = x
        return False

    for k, slot in enumerate(target.starts):
        if not all(bookings.is_free(e, a, int(slot), target.mode) for e in target.experts(k)):
            return undo()
    if not reinserter.within_week_caps(a, target, bookings):
        return undo()
    bookings.add(a, target)
    solution[a] = target
    placed.append(a)
    for b in removed:
        found = reinserter.best(b, bookings, bookings.top_load())
        if found is None or not reinserter.within_week_caps(b, found, bookings):
            return undo()
        bookings.add(b, found)
        solution[b] = found
        placed.append(b)
    return True


def _neighbourhood(enc: Encoding, matching: Matching, solution: Solution, a: int,
                   rng: random.Random) -> tuple[list[int], dict[int, list[int]]]:
    """``a`` and served associations led by experts who could lead ``a``, a few experts'
    worth, the best candidates first with some chance to look further; and the leads
    each may take there (these experts, and its own)."""
    led_by: dict[int, list[int]] = {}
    for b, assignment in solution.items():
        led_by.setdefault(assignment.lead, []).append(b)
    leads = [int(e) for e in matching.leads[a]]
    head, tail = leads[:6], leads[6:]
    rng.shuffle(head)
    order = head + rng.sample(tail, min(len(tail), 6))
    chosen = [a]
    for e in order:
        for b in sorted(led_by.get(e, ()), key=lambda b: -b):  # latest applicants first
            if len(chosen) > NEIGHBOURS:
                break
            chosen.append(b)
    pool = set(order)
    allowed = {b: [int(e) for e in matching.leads[b] if int(e) in pool] for b in chosen}
    for b in chosen:
        if b in solution and solution[b].lead not in allowed[b]:
            allowed[b].append(solution[b].lead)
    return sorted(chosen), allowed


def _serve_neighbourhood(
    enc: Encoding, matching: Matching, pins: Sequence[PinnedSession], solution: Solution,
    subset: list[int], leads: dict[int, list[int]], budget: Budget, seed: int,
) -> Solution | None:
    """The subset re-planned to serve more (earlier applicants winning), or None."""
    budget.spent += STEP_COST
    pm = PlanModel(enc, matching, pins, with_joiners=False, subset=subset, fixed=solution,
                   leads=leads)
    served_now = [b for b in subset if b in solution]
    for b in served_now:  # never give up one served here unless CP-SAT serves an earlier one
        if b not in pm.associations:
            return None
    service, _ = pm.objective_service()
    pm.model.add(service >= service_value(enc, served_now) + 1)
    pm.model.maximize(service)
    pm.hint({b: solution[b] for b in served_now})
    seconds = min(STEP_SECONDS, budget.remaining())
    if seconds <= 0.05:
        return None
    wall_left = (budget.deadline - time.monotonic() if budget.deadline is not None
                 else 4 * seconds + 5)
    solver = configured_solver(workers=1, seed=seed, seconds=seconds,
                               deterministic=budget.deterministic, wall_left=wall_left)
    status = solver.solve(pm.model)
    budget.spent += solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return pm.decode(solver.value)
