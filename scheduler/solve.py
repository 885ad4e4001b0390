"""Plan a scenario: encode, match, hint with the greedy plan, then solve stage by stage.

The spec's objectives are lexicographic. Each stage optimises one of them with the
earlier ones held at the values reached, hinted with the previous stage's
solution, so every stage starts from a feasible plan and can only improve on it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from domain.errors import InputError, Issue
from domain.loading import scenario_sha256
from domain.plan import Plan
from domain.scenario import Scenario
from matcher.core import match
from matcher.encoding import MODE_NAMES, SLOT_MINUTES, SLOTS_PER_DAY, Encoding, encode
from scheduler.greedy import plan_greedy
from scheduler.model import PinnedSession, PlanModel
from scheduler.solution import Assignment, Solution, build_plan

STAGES = ("service", "coverage", "industry", "load", "gaps")
# Share of the time limit each stage may use; unused time flows to later stages.
STAGE_SHARES = {"service": 0.4, "coverage": 0.25, "industry": 0.1, "load": 0.1, "gaps": 0.15}
VERSION = "0.1.0"


@dataclass(frozen=True)
class Progress:
    stage: str
    elapsed: float
    objective: float
    bound: float


ProgressCallback = Callable[[Progress], None]


@dataclass
class SolveOptions:
    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    progress: ProgressCallback | None = None


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
            f"secondary-need coverage {_fmt(stats.secondary_need_coverage)}, "
            f"industry match {_fmt(stats.industry_match)}, "
            f"largest expert load {stats.max_expert_sessions} sessions, "
            f"mean |gap - target| {_fmt(stats.mean_gap_deviation_days)} days",
        ]
        return "\n".join(lines)


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


def pinned_sessions(enc: Encoding) -> list[PinnedSession]:
    """The scenario's pinned sessions on the arrays; a pin off the grid is an input error."""
    index = {association_id: a for a, association_id in enumerate(enc.association_ids)}
    experts = {expert_id: e for e, expert_id in enumerate(enc.expert_ids)}
    issues, pins = [], []
    for i, session in enumerate(enc.scenario.pinned):
        where = f"pinned[{i}] ({session.association_id})"
        day = (session.date - enc.days[0]).days
        if not 0 <= day < enc.n_days:
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
            issues.append(Issue(f"pinned ({enc.association_ids[a]})",
                                "pinned sessions of one association name different leads"))
    if issues:
        raise InputError("scenario", issues)
    return pins


class _Stages:
    """Runs the lexicographic stages on one model, carrying the incumbent forward."""

    def __init__(self, pm: PlanModel, options: SolveOptions, started: float) -> None:
        self.pm, self.options, self.started = pm, options, started
        self.values: list[int] | None = None
        self.results: dict[str, StageResult] = {}

    def budget(self, stage: str) -> float:
        if self.options.workers == 1:  # deterministic: fixed shares, no wall clock
            return self.options.time_limit * STAGE_SHARES[stage]
        remaining = self.options.time_limit - (time.monotonic() - self.started)
        later = sum(STAGE_SHARES[s] for s in STAGES[STAGES.index(stage):])
        return max(0.5, remaining * STAGE_SHARES[stage] / later)

    def hint_from_values(self) -> None:
        if self.values is not None:  # else keep the hint already given (the greedy plan)
            self.pm.model.clear_hints()
            hint = self.pm.model.proto.solution_hint
            hint.vars.extend(range(len(self.values)))
            hint.values.extend(self.values)

    def run(self, stage: str, objective: Any, maximize: bool,
            transform: Callable[[float], float] = float) -> cp_model.CpSolver | None:
        model = self.pm.model
        if maximize:
            model.maximize(objective)
        else:
            model.minimize(objective)
        self.hint_from_values()
        solver = cp_model.CpSolver()
        params = solver.parameters
        budget = self.budget(stage)
        params.num_workers = self.options.workers
        params.random_seed = self.options.seed
        # Probing expands every start domain into literals: seconds of presolve, little gain.
        params.cp_model_probing_level = 0
        params.cp_model_presolve = os.environ.get("HAKEN_PRESOLVE", "0") == "1"
        params.log_search_progress = bool(os.environ.get("HAKEN_SOLVER_LOG"))
        if self.options.workers == 1:
            params.max_deterministic_time = budget
            params.max_time_in_seconds = 4 * budget + 5
        else:
            params.max_time_in_seconds = budget
        stage_start = time.monotonic()
        status = solver.solve(model, _Reporter(stage, self.started, self.options.progress,
                                               transform))
        name = solver.status_name(status)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        self.results[stage] = StageResult(
            name,
            transform(solver.objective_value) if found else None,
            transform(solver.best_objective_bound) if found else None,
            round(time.monotonic() - stage_start, 2),
        )
        if status == cp_model.INFEASIBLE:
            return None
        if found:
            self.values = list(solver.response_proto.solution)
            return solver
        return None


def solve(scenario: Scenario, options: SolveOptions | None = None) -> PlanResult:
    options = options or SolveOptions()
    started = time.monotonic()
    enc = encode(scenario)
    matching = match(enc, bound_seconds=min(5.0, max(1.0, options.time_limit / 10)))
    pins = pinned_sessions(enc)
    greedy = plan_greedy(enc, matching, pins)
    pm = PlanModel(enc, matching, pins)
    service, weight = pm.objective_service()

    stages = _Stages(pm, options, started)
    _hint_greedy(pm, greedy)
    pinned_joins = {(p.association, j, p.number - 1) for p in pins for j in p.joiners}
    join_vars = [
        var for v in pm.associations.values() for (j, k), var in v.join.items()
        if (v.index, j, k) not in pinned_joins
    ]
    proto = pm.model.proto
    for var in join_vars:  # joiners only use capacity: leave them out while serving
        proto.variables[var.index].domain[1] = 0
    solver = stages.run("service", service, True, transform=lambda x: float(int(x) // weight))
    if solver is None and stages.results["service"].status == "INFEASIBLE":
        raise InputError("scenario", [Issue("pinned", "the pinned sessions cannot all be kept "
                                            "within the hard rules")])
    service_bound = stages.results["service"].bound
    upper = matching.upper_bound
    if service_bound is not None and stages.results["service"].status in ("OPTIMAL", "FEASIBLE"):
        upper = min(upper, int(service_bound))

    if solver is not None:
        for v in pm.associations.values():
            pm.model.add(v.served == solver.value(v.served))
        for var in join_vars:
            proto.variables[var.index].domain[1] = 1
        # Each objective's helper variables are made only when its stage comes, so
        # the previous stage's solution is a complete hint for everything before.
        for stage, make_objective, maximize in (("coverage", pm.objective_coverage, True),
                                                ("industry", pm.objective_industry, True),
                                                ("load", pm.objective_load, False)):
            objective = make_objective()
            current = stages.run(stage, objective, maximize)
            if current is None:
                break
            value = current.value(objective)
            pm.model.add(objective >= value if maximize else objective <= value)
            solver = current
        else:
            for v in pm.associations.values():  # only the dates move from here on
                for var in (*v.lead, *v.join.values()):
                    pm.model.add(var == solver.value(var))
            current = stages.run("gaps", pm.objective_gaps(), False)
            solver = current or solver
        solution = _decode(pm, solver, stages.values)
        status = stages.results["service"].status
    else:
        solution, status = greedy, "GREEDY_FALLBACK"
    wall = time.monotonic() - started
    plan = build_plan(
        enc, matching, solution,
        scenario_hash=scenario_sha256(scenario),
        upper_bound=upper,
        solver_status=status,
        wall_seconds=wall,
        objectives={name: vars(result) for name, result in stages.results.items()},
        parameters={"time_limit": options.time_limit, "workers": options.workers,
                    "seed": options.seed, "haken_version": VERSION,
                    "flow_bound": matching.flow_bound,
                    "assignment_bound": matching.assignment_bound},
    )
    return PlanResult(plan, stages.results)


def _hint_greedy(pm: PlanModel, greedy: Solution) -> None:
    model = pm.model
    for a, v in pm.associations.items():
        assignment = greedy.get(a)
        model.add_hint(v.served, assignment is not None)
        for i, e in enumerate(v.leads):
            model.add_hint(v.lead[i], assignment is not None and assignment.lead == e)
        for (j, k), var in v.join.items():
            model.add_hint(var, bool(assignment and assignment.joiners
                                     and j in assignment.joiners[k]))
        # Starts of experts not taking part are free: hint them to any allowed value.
        idle = [*(x for starts in v.lead_start.values() for x in starts if x is not None),
                *v.join_start.values()]
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
        for var in idle:
            if var.index not in chosen:
                model.add_hint(var, next(iter(var.proto.domain)))
        if assignment is not None:
            for k, slot in enumerate(assignment.starts):
                model.add_hint(v.start[k], slot)
                model.add_hint(v.day[k], slot // SLOTS_PER_DAY)
                model.add_hint(v.week[k], int(pm.enc.iso_week[slot // SLOTS_PER_DAY]))


def _decode(pm: PlanModel, solver: cp_model.CpSolver, values: list[int] | None) -> Solution:
    def value(var: cp_model.IntVar) -> int:
        return values[var.index] if values is not None else solver.value(var)

    solution: Solution = {}
    for a, v in pm.associations.items():
        if not value(v.served):
            continue
        lead = next(e for i, e in enumerate(v.leads) if value(v.lead[i]))
        starts = [value(s) for s in v.start]
        joiners: list[list[int]] = [[] for _ in starts]
        for (j, k), var in sorted(v.join.items(), key=lambda item: item[0]):
            if value(var):
                joiners[k].append(j)
        solution[a] = Assignment(lead, starts, pm.session_mode(a, lead), joiners)
    return solution

