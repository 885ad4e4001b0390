"""Objectives 2 to 6 once service is settled: large-neighbourhood search.

Who is served is fixed by then. Each step frees a small group of served associations
that share experts (their leads, joiners and dates), holds every other booking where it
is, and asks CP-SAT for the best rearrangement of the group under one weighted
objective whose weights make it lexicographic in the spec's order: coverage, then
industry, then load above the current top, then gap deviation, then published sessions
kept. A step is taken only when it improves that objective, so the incumbent never gets
worse on an earlier objective for the sake of a later one.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matcher.core import Matching
from matcher.encoding import Encoding, KeptSession, PinnedSession
from scheduler.model import PlanModel, configured_solver
from scheduler.reinsert import Reinserter
from scheduler.scoring import (
    Score,
    ScoreBounds,
    coverable_needs,
    covered_needs,
    expert_loads,
    gap_deviation,
    score,
)
from scheduler.solution import Assignment, Solution
from scheduler.stop import (
    INTERRUPTED,
    NOTHING_LEFT,
    TIME_LIMIT,
    SearchState,
    Stopped,
    StoppingRule,
)

# A neighbourhood starts at this many associations and adapts: it grows while CP-SAT
# proves steps optimal quickly and shrinks while it runs out of time.
FIRST_SIZE = 12
SMALLEST, LARGEST = 4, 40
STEP_SECONDS = 2.0
# Candidate leads an association keeps in a neighbourhood: its lead, the experts already
# working in the neighbourhood, then its best others. At scale an association has a
# hundred candidates; all of them would make every step's model slow to build.
LEADS_IN_NEIGHBOURHOOD = 12
# What work outside CP-SAT counts for against a deterministic (one-worker) budget:
# one re-insertion, and building one neighbourhood's model.
REINSERT_COST = 0.002
STEP_COST = 0.1


@dataclass
class Budget:
    """When to stop: wall-clock seconds, or CP-SAT's deterministic time with one worker."""

    seconds: float
    deterministic: bool
    stop: threading.Event | None = None
    deadline: float | None = None  # time.monotonic() past which nothing more starts
    spent: float = 0.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def elapsed(self) -> float:
        """Seconds spent on the budget's own clock: deterministic or wall."""
        return self.spent if self.deterministic else time.monotonic() - self.started

    def interrupted(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def remaining(self) -> float:
        if self.stop is not None and self.stop.is_set():
            return 0.0
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return 0.0
        if self.deterministic:
            return self.seconds - self.spent
        return self.seconds - (time.monotonic() - self.started)


class Improver:
    def __init__(
        self, enc: Encoding, matching: Matching, pins: Sequence[PinnedSession],
        kept: Sequence[KeptSession], *, seed: int,
        report: Callable[[Score], None] | None = None,
        coverable: Mapping[int, set[int]] | None = None,
    ) -> None:
        """``coverable``: each association's ``coverable_needs``, if the caller has them."""
        self.enc, self.matching = enc, matching
        self.pins, self.kept = list(pins), list(kept)
        self.seed = seed
        self.rng = random.Random(seed)
        self.report = report
        self.size = FIRST_SIZE
        self.last_optimal = False
        self.steps = self.improvements = self.passes = 0
        # Why and when the last run ended: the budget's clock at its last improvement
        # (for the stopping rules), and the wall clock's (for people).
        self.stopped = Stopped(TIME_LIMIT, "the time limit was reached")
        self.last_improvement_seconds = 0.0
        self.last_improvement_wall: float | None = None
        self.coverable = (dict(coverable) if coverable is not None
                          else {a: coverable_needs(enc, a)
                                for a in range(len(enc.association_ids))})
        self.kept_by_association: dict[int, list[KeptSession]] = {}
        for session in self.kept:
            self.kept_by_association.setdefault(session.association, []).append(session)

    # -- where to look ----------------------------------------------------------------

    def potential(self, a: int, assignment: Assignment) -> float:
        """How much association ``a`` might still gain: uncovered needs weigh most."""
        enc = self.enc
        uncovered = len(self.coverable[a] - covered_needs(enc, a, assignment))
        industry = int(not enc.industry_match[a, assignment.lead]
                       and bool(enc.industry_match[a, self.matching.leads[a]].any()))
        moved = sum(1 for s in self.kept_by_association.get(a, ())
                    if assignment.starts[s.number - 1] != s.start or assignment.lead != s.lead)
        gaps = gap_deviation(enc, assignment) / max(1, enc.target_gap_days)
        return 1.0 + 8 * uncovered + 3 * industry + 2 * moved + gaps

    def neighbourhood(self, solution: Solution) -> list[int]:
        """A seed association chosen by potential, and others that share its experts."""
        served = sorted(solution)
        if len(served) <= self.size:
            return served
        weights = [self.potential(a, solution[a]) for a in served]
        seed = self.rng.choices(served, weights=weights)[0]
        by_expert: dict[int, list[int]] = {}
        for a in served:
            x = solution[a]
            for e in {x.lead, *(j for js in x.joiners for j in js)}:
                by_expert.setdefault(e, []).append(a)
        chosen = {seed}
        # Half the time, when the seed has a need no one covers, free an expert who could:
        # take in everything that expert does, and what one of its associations' other
        # candidate leads does, so CP-SAT may hand a lead on and free the expert to join.
        uncovered = self.coverable[seed] - covered_needs(self.enc, seed, solution[seed])
        if uncovered and self.rng.random() < 0.5:
            need = self.rng.choice(sorted(uncovered))
            helpers = [e for e in by_expert if self.enc.covers[e, need]]
            if helpers:
                helper = self.rng.choice(sorted(helpers))
                chosen.update(by_expert[helper][: self.size - 1])
                led = [b for b in by_expert[helper] if solution[b].lead == helper]
                if led:
                    other = [int(e) for e in self.matching.leads[self.rng.choice(led)]
                             if int(e) != helper]
                    if other:
                        extra = by_expert.get(self.rng.choice(other), [])
                        chosen.update(extra[: max(0, self.size - len(chosen))])
        frontier = sorted(chosen)
        while frontier and len(chosen) < self.size:
            a = frontier.pop(0)
            x = solution[a]
            experts = {x.lead, *(j for js in x.joiners for j in js)}
            for options in self.matching.joiners[a].values():
                experts.update(int(e) for e in options)
            experts.update(int(e) for e in self.matching.leads[a])
            related = sorted({b for e in experts for b in by_expert.get(e, ())} - chosen)
            self.rng.shuffle(related)
            for b in related[: self.size - len(chosen)]:
                chosen.add(b)
                frontier.append(b)
        return sorted(chosen)

    # -- one step -------------------------------------------------------------------

    def step(self, solution: Solution, budget: Budget) -> Solution | None:
        """Re-optimise one neighbourhood; the improved assignments, or None."""
        subset = self.neighbourhood(solution)
        budget.spent += STEP_COST
        loads = expert_loads(self.enc, solution)
        top = int(loads.max()) if loads.size else 0
        pm = PlanModel(self.enc, self.matching, self.pins, subset=subset, fixed=solution,
                       leads=self.lead_choice(subset, solution))
        model = pm.model
        for v in pm.associations.values():
            model.add(v.served == 1)
        objective = self.weighted_objective(pm, top)
        model.maximize(objective)
        pm.hint({a: solution[a] for a in subset})

        # First complete the hint: fix the decisions and let CP-SAT fill in the rest. The
        # decisions are fixed by constraints on a copy, not by the parameter
        # fix_variables_to_their_hinted_value, which crashed CP-SAT 9.15 now and then.
        fixed = model.clone()
        hint = model.proto.solution_hint
        for index, value in zip(list(hint.vars), list(hint.values), strict=True):
            fixed.add(fixed.get_int_var_from_proto_index(index) == value)
        fixed.clear_hints()
        base_solver = self.solver(min(2.0, max(0.1, budget.remaining())), budget)
        status = base_solver.solve(fixed)
        budget.spent += base_solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        base = base_solver.objective_value
        model.clear_hints()
        for i, value in enumerate(base_solver.response_proto.solution):
            model.proto.solution_hint.vars.append(i)
            model.proto.solution_hint.values.append(value)

        limit = min(STEP_SECONDS, budget.remaining())
        if limit <= 0.05:
            return None
        solver = self.solver(limit, budget)
        status = solver.solve(model)
        budget.spent += solver.deterministic_time
        self.steps += 1
        self.last_optimal = status == cp_model.OPTIMAL
        if status == cp_model.OPTIMAL:
            self.size = min(LARGEST, self.size + 2)
        elif self.size > SMALLEST:
            self.size -= 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        if solver.objective_value <= base:
            return None
        self.improvements += 1
        improved = dict(solution)
        improved.update(pm.decode(solver.value))
        return improved

    def lead_choice(self, subset: Sequence[int], solution: Solution) -> dict[int, list[int]]:
        """Each member's candidate leads in this neighbourhood (see LEADS_IN_NEIGHBOURHOOD)."""
        working = {e for a in subset for e in solution[a].team()}
        choice = {}
        for a in subset:
            candidates = [int(e) for e in self.matching.leads[a]]
            current = solution[a].lead
            here = [e for e in candidates if e in working and e != current]
            others = [e for e in candidates if e not in working and e != current]
            choice[a] = [current, *here, *others][:LEADS_IN_NEIGHBOURHOOD]
        return choice

    def solver(self, seconds: float, budget: Budget) -> cp_model.CpSolver:
        wall_left = (budget.deadline - time.monotonic() if budget.deadline is not None
                     else 4 * seconds + 5)
        # One worker per neighbourhood: they are small, and with two CP-SAT 9.15 crashed
        # (a segfault in libortools) about once in a few thousand of these solves.
        return configured_solver(workers=1, seed=self.seed + self.steps, seconds=seconds,
                                 deterministic=budget.deterministic, wall_left=wall_left)

    def weighted_objective(self, pm: PlanModel, top: int) -> cp_model.LinearExprT:
        """Coverage, industry, load, gaps and kept sessions, weighted to be lexicographic.

        Each weight exceeds the largest value every later term can take in this
        neighbourhood, so no amount of a later objective buys a unit of an earlier one.
        """
        enc = self.enc
        members = list(pm.associations)
        kept = [s for a in members for s in self.kept_by_association.get(a, ())]
        keep = pm.objective_keep(kept)
        keep_most = len(kept)
        gaps = pm.objective_gaps()
        gaps_most = sum((len(pm.associations[a].start) - 1) * enc.n_days for a in members)
        load, load_most = pm.objective_load_above(top)
        industry = pm.objective_industry()
        industry_most = len(members)
        coverage = pm.objective_coverage()
        w_gaps = keep_most + 1
        w_load = w_gaps * (gaps_most + 1)
        w_industry = w_load * (load_most + 1)
        w_coverage = w_industry * (industry_most + 1)
        return (w_coverage * coverage + w_industry * industry - w_load * load
                - w_gaps * gaps + keep)

    # -- the loop -------------------------------------------------------------------

    def run(self, solution: Solution, budget: Budget, rule: StoppingRule | None = None,
            coverage_bound: int | None = None) -> Solution:
        """Alternate exact re-insertion passes and CP-SAT neighbourhoods until time is up
        or ``rule`` says to stop; ``self.stopped`` then says why.

        ``coverage_bound``: the proven bound on coverage for these associations, if the
        caller has it (``matcher.coverage``); ``rule`` may need it to know the bounds.
        """
        self.stopped = Stopped(TIME_LIMIT, "the time limit was reached")
        self.last_improvement_seconds = budget.elapsed()
        self.last_improvement_wall = time.monotonic()
        if not solution:
            self.stopped = Stopped(NOTHING_LEFT, "no association is served")
            return solution
        reinserter = Reinserter(self.enc, self.matching, self.kept,
                                pinned={pin.association for pin in self.pins})
        current = self.accept(solution)  # reported: the figures the search starts from
        bounds: ScoreBounds | None = None

        def at_bound() -> bool:
            nonlocal bounds
            if bounds is None:
                covered = (coverage_bound if coverage_bound is not None
                           else sum(len(self.coverable[a]) for a in solution))
                bounds = ScoreBounds(self.enc, self.matching.leads, solution, covered,
                                     self.kept)
            return bounds.reached(current)

        def time_left() -> bool:
            budget.spent += REINSERT_COST
            return budget.remaining() > 0.1

        def improved_now() -> None:
            self.last_improvement_seconds = budget.elapsed()
            self.last_improvement_wall = time.monotonic()

        reinsert = True
        while budget.remaining() > 0.1:
            if rule is not None:
                stopped = rule(SearchState(budget.elapsed(), self.last_improvement_seconds,
                                           at_bound))
                if stopped is not None:
                    self.stopped = stopped
                    break
            if reinsert:
                order = sorted(solution, key=lambda a: (-self.potential(a, solution[a]), a))
                solution, changed = reinserter.improve_all(solution, order, time_left)
                self.passes += 1
                reinsert = changed > 0
                if changed:
                    current = self.accept(solution)
                    improved_now()
                    continue
            improved = self.step(solution, budget)
            if improved is None:
                # Everything fits in one neighbourhood, proven optimal: nothing is left.
                if len(solution) <= self.size and self.last_optimal:
                    self.stopped = Stopped(NOTHING_LEFT, "the whole plan was re-optimised "
                                           "as one neighbourhood and proven optimal")
                    break
                continue
            candidate = score(self.enc, improved, self.coverable, self.kept)
            if candidate.key() > current.key():
                solution, current = improved, self.accept(improved)
                improved_now()
                reinsert = True
        if budget.interrupted():
            self.stopped = Stopped(INTERRUPTED, "stopped on request")
        return solution

    def accept(self, solution: Solution) -> Score:
        current = score(self.enc, solution, self.coverable, self.kept)
        if self.report is not None:
            self.report(current)
        return current
