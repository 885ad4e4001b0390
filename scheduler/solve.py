"""Plan a scenario: encode, match, hint with the greedy plan, then solve in two stages.

The spec's objectives are lexicographic. Stage one, ``service``, decides who is served:
on instances up to a few hundred applications with one CP-SAT model over everything,
proven optimal where time allows; above that (or with ``decompose``) from a plan built
in parts (``scheduler.decompose``) improved by service neighbourhoods
(``scheduler.serve``), with the bound from the matcher. Stage two,
``improve``, holds who is served and improves objectives 2 to 6 by large-neighbourhood
search (``scheduler.improve``), so it starts from a rule-abiding plan and only ever
improves on it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from domain.errors import InputError, Issue
from domain.plan import Plan, Session
from domain.scenario import Scenario
from domain.version import HAKEN_VERSION
from matcher.core import Matching, match, tighten_bound
from matcher.coverage import coverage_upper_bound
from matcher.encoding import Encoding, KeptSession, PinnedSession, encode
from scheduler.decompose import plan_decomposed
from scheduler.greedy import plan_greedy
from scheduler.improve import Budget, Improver
from scheduler.model import PlanModel, configured_solver
from scheduler.scoring import Score, coverable_needs, score
from scheduler.serve import serve_decomposed, service_value
from scheduler.solution import Solution, build_plan
from scheduler.stop import default_rule

# Stage one may use this share of the time limit; what it leaves goes to stage two.
SERVICE_SHARE = 0.4
# Above this many (association, candidate lead, session) triples, one model over
# everything takes too long to build and solve: stage one decomposes.
SINGLE_MODEL_LIMIT = 150_000
# At most this long for the assignment bound when the decomposed stage falls short.
BOUND_SECONDS = 30.0
# Kept back from the time limit for what follows the search: building the plan,
# checking it and writing it, which grow with the number of associations.
RESERVE_SECONDS = 0.3
RESERVE_SECONDS_PER_ASSOCIATION = 0.0008


@dataclass(frozen=True)
class Progress:
    """One line of the search: a stage's objective and bound at ``elapsed`` seconds.

    In ``service`` the objective is the number served; in ``improve`` it is the number
    of secondary needs covered and the bound those any candidate could cover, with the
    other figures in ``detail``.
    """

    stage: str
    elapsed: float
    objective: float
    bound: float
    detail: str = ""
    # In ``improve``: the incumbent's figures, for whoever plots how they converge, and
    # the secondary needs its served associations ask for (the plan's coverage divides
    # by them).
    score: Score | None = None
    needs_asked: int | None = None


ProgressCallback = Callable[[Progress], None]


@dataclass
class SolveOptions:
    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    progress: ProgressCallback | None = None
    # Published sessions a re-plan should move as little as it can (objective 6).
    keep: Sequence[Session] = ()
    # Set from another thread (Ctrl-C, a cancelled job): stop and return the best so far.
    stop: threading.Event | None = None
    # Stage one in parts (True), as one model (False), or by the instance's size (None).
    decompose: bool | None = None
    # Stop the search when nothing better is found for this long (None: never early
    # but at the bound); in CP-SAT's deterministic seconds with one worker.
    stall_seconds: float | None = None
    # time.monotonic() from which the time limit counts (the process start, for
    # ``haken plan``); None counts from the call to ``solve``.
    started: float | None = None
    # time.monotonic() by which the search ends whatever the workers: one part of a
    # larger run (``scheduler.regions``) that must end with it. None: no such cap.
    deadline: float | None = None

    def reserve(self, associations: int) -> float:
        """Seconds kept for building, checking and writing the plan."""
        return min(RESERVE_SECONDS + RESERVE_SECONDS_PER_ASSOCIATION * associations,
                   self.time_limit / 4)


@dataclass
class StageResult:
    status: str
    value: float | None
    bound: float | None
    seconds: float


@dataclass
class PlanResult:
    plan: Plan
    stages: dict[str, StageResult] = field(default_factory=dict)

    def stopped(self) -> str:
        """Why the search ended, and when it last found something better."""
        parameters = self.plan.parameters or {}
        detail = parameters.get("stopped_detail", "")
        improve = (self.plan.stats.objectives or {}).get("improve", {})
        last = improve.get("last_improvement_seconds")
        when = "" if last is None else f"; last improvement at {last:.1f} s"
        return f"stopped: {detail}{when}"

    def summary(self) -> str:
        stats = self.plan.stats
        reasons: dict[str, int] = {}
        for item in self.plan.unserved:
            if item.reason != "not_accepted":
                reasons[item.reason] = reasons.get(item.reason, 0) + 1
        by_reason = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "none"
        lines = [
            f"served {stats.served} / upper bound {stats.served_upper_bound} "
            f"(accepted {stats.accepted}); unserved by reason: {by_reason}",
            f"solver {stats.solver_status}, {stats.wall_seconds:.1f} s",
            f"secondary-need coverage {_fmt(stats.secondary_need_coverage)} "
            f"(at most {_fmt(self.coverage_bound())} for those served), "
            f"industry match {_fmt(stats.industry_match)}, "
            f"largest expert load {stats.max_expert_sessions} sessions, "
            f"mean |gap - target| {_fmt(stats.mean_gap_deviation_days)} days",
            self.stopped(),
        ]
        return "\n".join(lines)

    def coverage_bound(self) -> float | None:
        """The proven bound on coverage for the associations served (see matcher.coverage)."""
        value = (self.plan.parameters or {}).get("coverage_upper_bound")
        return float(value) if isinstance(value, int | float) else None


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, stage: str, started: float, callback: ProgressCallback | None,
                 transform: Callable[[float], float]) -> None:
        super().__init__()
        self.stage, self.started = stage, started
        self.callback, self.transform = callback, transform

    def on_solution_callback(self) -> None:
        if self.callback is not None:
            self.callback(Progress(self.stage, time.monotonic() - self.started,
                                   self.transform(self.objective_value),
                                   self.transform(self.best_objective_bound)))


def _solve_stopping(solver: cp_model.CpSolver, model: cp_model.CpModel,
                    callback: cp_model.CpSolverSolutionCallback,
                    stop: threading.Event | None) -> cp_model.CpSolverStatus:
    """``solver.solve``, cut short when ``stop`` is set from another thread."""
    if stop is None:
        return solver.solve(model, callback)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return solver.solve(model, callback)
    finally:
        done.set()
        watcher.join()


def single_model_size(enc: Encoding, matching: Matching) -> int:
    """(association, candidate lead, session) triples: what one model would hold."""
    return sum(len(leads) * int(enc.sessions[a]) for a, leads in enumerate(matching.leads))


def _serve_in_one_model(
    enc: Encoding, matching: Matching, pins: Sequence[PinnedSession],
    kept: Sequence[KeptSession], first: Solution, options: SolveOptions, started: float,
    deadline: float,
) -> tuple[Solution, str, int, dict[str, StageResult]]:
    """Stage one as one CP-SAT model over everything, hinted with ``first``. Joiners
    only use capacity, so the model leaves them out (pinned joiners excepted);
    published sessions kept only break ties."""
    pm = PlanModel(enc, matching, pins, with_joiners=False)
    service, weight = pm.objective_service()
    keep = pm.objective_keep(kept)
    scale = len(kept) + 1
    pm.model.maximize(scale * service + keep)
    pm.hint(first)
    solver = configured_solver(
        workers=options.workers, seed=options.seed,
        seconds=options.time_limit * SERVICE_SHARE,
        deterministic=options.workers == 1, wall_left=deadline - time.monotonic(),
        presolve=os.environ.get("HAKEN_PRESOLVE", "0") == "1",
        log=bool(os.environ.get("HAKEN_SOLVER_LOG")))
    stage_start = time.monotonic()
    transform: Callable[[float], float] = lambda x: float(int(x) // (scale * weight))  # noqa: E731
    status = _solve_stopping(solver, pm.model,
                             _Reporter("service", started, options.progress, transform),
                             options.stop)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    status_name = solver.status_name(status)
    results = {"service": StageResult(
        status_name,
        transform(solver.objective_value) if found else None,
        transform(solver.best_objective_bound) if found else None,
        round(time.monotonic() - stage_start, 2),
    )}
    if status == cp_model.INFEASIBLE:
        raise InputError("scenario", [Issue("pinned", "the pinned sessions cannot all be kept "
                                            "within the hard rules")])
    upper = matching.upper_bound
    if found:
        upper = min(upper, int(transform(solver.best_objective_bound)))
        return pm.decode(solver.value), status_name, upper, results
    return first, "GREEDY_FALLBACK", upper, results


def _serve_in_parts(
    enc: Encoding, matching: Matching, pins: Sequence[PinnedSession], first: Solution,
    options: SolveOptions, started: float, deadline: float, reference: Solution | None = None,
) -> tuple[Solution, str, int, dict[str, StageResult]]:
    """Stage one decomposed: ``first`` improved by service neighbourhoods, the bound
    tightened by the assignment relaxation when the plan falls short of the flow."""
    stage_start = time.monotonic()
    budget = Budget(seconds=options.time_limit * SERVICE_SHARE,
                    deterministic=options.workers == 1, stop=options.stop, deadline=deadline)

    def report(served: int) -> None:
        if options.progress is not None:
            options.progress(Progress("service", time.monotonic() - started, served,
                                      matching.upper_bound))

    report(len(first))
    solution, search = serve_decomposed(enc, matching, pins, first, budget,
                                        seed=options.seed, report=report, reference=reference)
    if len(solution) < matching.flow_bound and not (options.stop and options.stop.is_set()):
        seconds = min(BOUND_SECONDS, max(1.0, options.time_limit / 10),
                      deadline - time.monotonic())
        if seconds > 0.1:
            tighten_bound(enc, matching, seconds)
    upper = matching.upper_bound
    missing = [pin for pin in pins if pin.association not in solution]
    if missing:
        raise InputError("scenario", [Issue(
            f"pinned ({enc.association_ids[missing[0].association]})",
            "the decomposed search found no plan that keeps these pinned sessions; "
            "plan with --single-model to have CP-SAT prove whether any plan can")])
    status_name = "OPTIMAL" if len(solution) >= upper else "FEASIBLE"
    results = {"service": StageResult(
        f"{status_name} (decomposed: {search.inserted} inserted, "
        f"{search.improvements} of {search.neighbourhoods} neighbourhoods improved)",
        float(len(solution)), float(upper), round(time.monotonic() - stage_start, 2))}
    return solution, status_name, upper, results


def solve(scenario: Scenario, options: SolveOptions | None = None) -> PlanResult:
    """Plan ``scenario`` within ``options.time_limit``, counted from ``options.started``.

    With more than one worker the limit is wall time and a promise: the search ends in
    time to leave ``options.reserve`` for building, checking and writing the plan. One
    worker counts CP-SAT's deterministic time, so the same seed gives the same plan;
    the wall clock still stops it, late, on a machine slowed by other work.
    """
    options = options or SolveOptions()
    started = options.started if options.started is not None else time.monotonic()
    reserve = options.reserve(len(scenario.associations))
    deadline = started + (options.time_limit - reserve if options.workers > 1
                          else max(2 * options.time_limit, options.time_limit + 10))
    if options.deadline is not None:
        deadline = min(deadline, options.deadline)
    enc = encode(scenario, options.keep)
    matching = match(enc, bound_seconds=None)
    pins, kept = enc.pins, enc.kept
    coverable = {a: coverable_needs(enc, a) for a in range(len(enc.association_ids))}
    greedy = plan_greedy(enc, matching, pins, kept)
    decomposed = plan_decomposed(enc, matching, pins, kept)

    def better(x: Solution, y: Solution) -> Solution:
        return max((x, y), key=lambda s: (service_value(enc, s),
                                          score(enc, s, coverable, kept).key()))

    # The better of two first plans: first come, first served, and teams on the arrays.
    first = better(decomposed, greedy)
    decompose = (options.decompose if options.decompose is not None
                 else single_model_size(enc, matching) > SINGLE_MODEL_LIMIT)
    if decompose:
        # The decomposed plan covers far more; when it serves fewer, first try to serve
        # the rest around it, and fall back to the greedy plan only if that fails.
        solution, status_name, upper, results = _serve_in_parts(
            enc, matching, pins, decomposed, options, started, deadline, reference=greedy)
        if better(solution, greedy) is greedy:
            solution, status_name, upper, results = _serve_in_parts(
                enc, matching, pins, greedy, options, started, deadline)
    elif len(first) == len(enc.association_ids) - len(matching.blocked) and not kept:
        # The first plan serves every association that any plan could: objective 1 is
        # settled, and stage one's model would only prove it, taking seconds from the
        # search (published sessions to keep would still want CP-SAT's tie-break).
        solution, status_name, upper = first, "OPTIMAL", matching.upper_bound
        results = {"service": StageResult(
            "OPTIMAL (the first plan serves every association that can be served)",
            float(len(first)), float(upper), 0.0)}
        if options.progress is not None:
            options.progress(Progress("service", time.monotonic() - started, len(first),
                                      upper))
    else:
        seconds = min(5.0, max(1.0, options.time_limit / 10),
                      (deadline - time.monotonic()) * SERVICE_SHARE)
        if seconds > 0.1:
            tighten_bound(enc, matching, seconds)
        solution, status_name, upper, results = _serve_in_one_model(
            enc, matching, pins, kept, first, options, started, deadline)

    # Stage two: objectives 2 to 6 by large-neighbourhood search, who is served held.
    improve_start = time.monotonic()
    budget = Budget(
        seconds=(options.time_limit * (1 - SERVICE_SHARE) if options.workers == 1
                 else max(0.0, deadline - improve_start)),
        deterministic=options.workers == 1,
        stop=options.stop,
        deadline=deadline,
    )

    # Who is served is settled: so is the most coverage any plan serving them can have.
    coverage_bound = coverage_upper_bound(enc, matching, solution)
    asked = sum(len(enc.secondary_needs[a]) for a in solution)

    def report(current: Score) -> None:
        if options.progress is not None:
            options.progress(Progress("improve", time.monotonic() - started, current.covered,
                                      coverage_bound, current.describe(), current, asked))

    improver = Improver(enc, matching, pins, kept, seed=options.seed, coverable=coverable,
                        report=report)
    solution = improver.run(solution, budget, default_rule(options.stall_seconds),
                            coverage_bound)
    final = score(enc, solution, improver.coverable, kept)
    results["improve"] = StageResult(
        f"{improver.improvements} improvements in {improver.steps} steps",
        float(final.covered), float(coverage_bound), round(time.monotonic() - improve_start, 2))
    last_improvement = round((improver.last_improvement_wall or improve_start) - started, 2)
    if options.progress is not None:
        options.progress(Progress("stopped", time.monotonic() - started, final.covered,
                                  coverage_bound, f"{improver.stopped.detail}; last "
                                  f"improvement at {last_improvement:.1f} s"))
    objectives: dict[str, object] = {name: vars(result) for name, result in results.items()}
    objectives["improve"] = {**vars(results["improve"]),
                             "last_improvement_seconds": last_improvement}

    wall = time.monotonic() - started
    plan = build_plan(
        scenario, enc, matching, solution,
        upper_bound=upper,
        solver_status=status_name,
        wall_seconds=wall,
        objectives=objectives,
        parameters={"time_limit": options.time_limit, "workers": options.workers,
                    "seed": options.seed, "haken_version": HAKEN_VERSION,
                    "decomposed": decompose,
                    "flow_bound": matching.flow_bound,
                    "assignment_bound": matching.assignment_bound,
                    "coverage_upper_bound": (round(coverage_bound / asked, 4) if asked
                                             else None),
                    "kept_sessions": final.kept, "published_sessions": len(options.keep),
                    "stall_seconds": options.stall_seconds,
                    "stopped": improver.stopped.reason,
                    "stopped_detail": improver.stopped.detail},
    )
    return PlanResult(plan, results)


def solve_greedy(scenario: Scenario, bound_seconds: float = 5.0) -> Plan:
    """The first-come-first-served baseline as a plan: pinned sessions first, then each
    application in order with the least-loaded qualified expert at the earliest slots."""
    started = time.monotonic()
    enc = encode(scenario)
    matching = match(enc, bound_seconds)
    solution = plan_greedy(enc, matching, enc.pins)
    return build_plan(scenario, enc, matching, solution, upper_bound=matching.upper_bound,
                      solver_status="GREEDY", wall_seconds=time.monotonic() - started)
