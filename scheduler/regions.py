"""A national programme planned in independent parts: one per prefecture, one online.

In a national programme an expert who offers onsite sessions is sent onsite only
within the prefecture they are based in (``base_area`` starts with it, as
``大阪府大阪市`` does), and online-only experts serve online sessions anywhere. The
scenario then falls apart into parts that share no expert and no association:

- a prefecture's part: its associations that want ``onsite`` or ``either``, and
  the experts based there who offer onsite (they may serve those associations
  online too);
- the online part: every association that wants ``online``, and the experts who
  offer only online sessions.

Each part is planned by the planner's own entry point (``scheduler.solve.solve``),
with one CP-SAT worker, in this process one after another or as Ray tasks
(``run_parts``, supplied by the caller). The time limit is the whole run's, as for
``haken plan``: every part ends by the run's deadline, and in this process each part
gets its share, by applications, of the time the parts before it left (a part that
stops early at its bound leaves more to the rest). The parts' plans are joined into
one plan of the whole scenario, whose figures are recomputed from the joined
sessions; the caller checks it with the checker. The travel rule is the programme's,
not one of the exchange format's nine rules, so every plan that keeps it also keeps
the format's rules; the parts' bound on service is a bound under the travel rule (see
``served_upper_bound_scope``).
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from domain.errors import InputError, Issue
from domain.loading import scenario_sha256
from domain.plan import Plan, Session, Stats, Unserved
from domain.prefectures import PREFECTURES, prefecture_of
from domain.quality import plan_quality
from domain.scenario import Association, Expert, Scenario
from domain.version import HAKEN_VERSION
from scheduler.solve import PlanResult, SolveOptions, StageResult, solve
from scheduler.stop import REASON_WORDS

ONLINE_PART = "online"
# A part's search gets at least this long (CP-SAT's deterministic seconds): a small
# prefecture's part still gets its first plans and a few neighbourhoods; most such
# parts stop early, at their bound.
MIN_PART_SECONDS = 1.0
# Kept back from the time limit for splitting, joining, checking and writing.
JOIN_RESERVE_SECONDS = 1.0
JOIN_RESERVE_SECONDS_PER_ASSOCIATION = 0.0005


@dataclass(frozen=True)
class Part:
    """One independent part: its name (a prefecture or ``online``) and its scenario."""

    name: str
    scenario: Scenario

    @property
    def accepted(self) -> int:
        return len(self.scenario.accepted)


def expert_region(expert: Expert) -> str | None:
    """The part an expert belongs to: its prefecture when it offers onsite sessions,
    ``online`` when it offers only online ones; None when its base names no prefecture."""
    if "onsite" not in expert.modes:
        return ONLINE_PART
    return prefecture_of(expert.base_area)


def association_region(association: Association) -> str | None:
    """The part an association belongs to: ``online`` when it wants online sessions, else
    its prefecture (None when that is not one of the 47)."""
    if association.mode == "online":
        return ONLINE_PART
    return association.prefecture if association.prefecture in PREFECTURES else None


def split_by_region(scenario: Scenario) -> list[Part]:
    """The scenario's independent parts, largest first (so that parallel runs start the
    longest first). Raises ``InputError`` naming every record that cannot be placed, and
    every pinned session whose experts are not all of its association's part."""
    issues: list[Issue] = []
    experts: dict[str, list[Expert]] = {}
    for index, expert in enumerate(scenario.experts):
        region = expert_region(expert)
        if region is None:
            issues.append(Issue(
                f"experts[{index}] ({expert.id}).base_area",
                f"{expert.base_area!r} names no prefecture: an expert who offers onsite "
                "sessions is planned by region with the prefecture it is based in "
                "(for example 大阪府大阪市)"))
            continue
        experts.setdefault(region, []).append(expert)
    associations: dict[str, list[Association]] = {}
    part_of: dict[str, str] = {}
    for index, association in enumerate(scenario.associations):
        region = association_region(association)
        if region is None:
            issues.append(Issue(
                f"associations[{index}] ({association.id}).prefecture",
                f"{association.prefecture!r} is not one of Japan's 47 prefectures "
                "(written in full, as 東京都 or 神奈川県)"))
            continue
        associations.setdefault(region, []).append(association)
        part_of[association.id] = region
    expert_part = {e.id: region for region, own in experts.items() for e in own}
    pinned: dict[str, list[Session]] = {}
    for index, session in enumerate(scenario.pinned):
        region = part_of.get(session.association_id)
        if region is None:
            continue  # the association is reported above, or the loader already refused it
        strangers = [e for e in session.expert_ids if expert_part.get(e) != region]
        if strangers:
            issues.append(Issue(
                f"pinned[{index}] ({session.association_id} session {session.number})."
                "expert_ids",
                f"{', '.join(strangers)} not of the association's part {region!r}: a pinned "
                "session planned by region has experts of the association's own prefecture "
                "(or, online, online-only experts)"))
            continue
        pinned.setdefault(region, []).append(session)
    if issues:
        raise InputError("scenario", issues)

    parts = []
    for region in sorted(set(associations) | set(experts)):
        own = associations.get(region, [])
        ids = {a.id for a in own}
        part_experts = [
            e if all(c in ids for c in e.conflicts)
            else e.model_copy(update={"conflicts": [c for c in e.conflicts if c in ids]})
            for e in experts.get(region, [])
        ]
        # model_construct: the records were validated with the whole scenario.
        parts.append(Part(region, Scenario.model_construct(
            programme=scenario.programme, experts=part_experts, associations=own,
            pinned=pinned.get(region, []))))
    parts.sort(key=lambda p: (-p.accepted, -len(p.scenario.experts), p.name))
    return parts


@dataclass(frozen=True)
class PartTask:
    """What one Ray task (or one in-process step) needs: picklable, no callbacks."""

    name: str
    scenario: Scenario
    time_limit: float
    seed: int = 0
    stall_seconds: float | None = None
    # time.time() by which the part's search ends (the run's deadline; wall-clock time
    # as a Ray worker on another machine reads it). None: only ``time_limit``.
    ends_by: float | None = None

    @property
    def accepted(self) -> int:
        return len(self.scenario.accepted)


@dataclass
class PartResult:
    name: str
    plan: Plan
    seconds: float
    peak_rss_mib: float
    time_limit: float | None = None  # the search limit it ran with


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss: KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def plan_part(task: PartTask) -> PartResult:
    """Plan one part with the planner's entry point, one deterministic CP-SAT worker."""
    started = time.monotonic()
    limit, deadline = task.time_limit, None
    if task.ends_by is not None:
        left = task.ends_by - time.time()
        limit = max(MIN_PART_SECONDS, min(limit, left))
        deadline = started + max(0.0, left)  # late: the first plans, no search
    if not task.scenario.accepted:
        plan = _plan_without_accepted(task.scenario, started)
    else:
        options = SolveOptions(time_limit=limit, workers=1, seed=task.seed,
                               decompose=None, stall_seconds=task.stall_seconds,
                               deadline=deadline)
        plan = solve(task.scenario, options).plan
    return PartResult(task.name, plan, round(time.monotonic() - started, 2), peak_rss_mib(),
                      round(limit, 2))


def _plan_without_accepted(scenario: Scenario, started: float) -> Plan:
    """A part with nobody to plan (experts only, or only applications not accepted)."""
    from scheduler.solve import solve_greedy
    return solve_greedy(scenario, bound_seconds=0.0) if scenario.associations else Plan(
        scenario_sha256=scenario_sha256(scenario), sessions=[], unserved=[],
        stats=Stats(served=0, unserved=0, served_upper_bound=0, solver_status="OPTIMAL",
                    wall_seconds=round(time.monotonic() - started, 2), accepted=0))


# How the parts run: ``run(plan_part, tasks, done)`` returns one result per task, in the
# tasks' order, calling ``done(index, result)`` as each ends (simulation.executor's
# ``map`` has this shape).
RunParts = Callable[[Callable[[PartTask], PartResult], Sequence[PartTask],
                     Callable[[int, PartResult], None] | None], list[PartResult]]


def run_in_process(task: Callable[[PartTask], PartResult], tasks: Sequence[PartTask],
                   done: Callable[[int, PartResult], None] | None = None) -> list[PartResult]:
    """The parts one after another in this process; with a deadline, each part's limit
    is its share by applications of what the parts before it left."""
    results = []
    for index, item in enumerate(tasks):
        if item.ends_by is not None:
            item = replace(item, time_limit=share_of_what_is_left(tasks[index:]))
        results.append(task(item))
        if done is not None:
            done(index, results[-1])
    return results


@dataclass
class RegionalOptions:
    time_limit: float = 60.0
    seed: int = 0
    stall_seconds: float | None = None
    # How many parts run at once where they run (1 in process; a cluster's CPUs): each
    # part's share of the limit is multiplied by it, capped at the whole limit.
    parallel: int = 1
    # time.monotonic() from which the limit counts; None: from the call.
    started: float | None = None
    # Called with each part's result as it ends (a progress line).
    done: Callable[[PartResult], None] | None = None
    description: str = "in process"
    # Each part's share of the limit fixed up front, in CP-SAT's deterministic seconds,
    # and no deadline: the same work wherever the parts run (to compare Ray with this
    # process), but the limit is then no promise of wall time.
    fixed_shares: bool = False


def part_time_limits(parts: Sequence[Part], seconds: float, parallel: int) -> list[float]:
    """Each part's search limit: its share of ``seconds`` by accepted associations, times
    the parts that run at once, at least ``MIN_PART_SECONDS`` and at most ``seconds``."""
    total = sum(p.accepted for p in parts) or 1
    return [round(min(max(seconds, MIN_PART_SECONDS),
                      max(MIN_PART_SECONDS, seconds * parallel * p.accepted / total)), 2)
            for p in parts]


def share_of_what_is_left(tasks: Sequence[PartTask]) -> float:
    """The first of ``tasks``' share of the seconds left before its deadline, by
    accepted applications among the parts still to run; at least ``MIN_PART_SECONDS``."""
    first = tasks[0]
    assert first.ends_by is not None
    left = first.ends_by - time.time()
    remaining = sum(t.accepted for t in tasks) or 1
    return round(max(MIN_PART_SECONDS, left * first.accepted / remaining), 2)


def plan_by_region(scenario: Scenario, options: RegionalOptions | None = None,
                   run_parts: RunParts = run_in_process) -> PlanResult:
    """Split ``scenario`` by region, plan the parts with ``run_parts``, join the plans."""
    options = options or RegionalOptions()
    started = options.started if options.started is not None else time.monotonic()
    parts = split_by_region(scenario)
    reserve = min(JOIN_RESERVE_SECONDS
                  + JOIN_RESERVE_SECONDS_PER_ASSOCIATION * len(scenario.associations),
                  options.time_limit / 4)
    search = max(0.0, options.time_limit - reserve - (time.monotonic() - started))
    limits = part_time_limits(parts, search, max(1, options.parallel))
    # Every part ends by the run's deadline, as the whole run does.
    ends_by = None if options.fixed_shares else time.time() + search
    tasks = [PartTask(p.name, p.scenario, limit, options.seed, options.stall_seconds,
                      ends_by)
             for p, limit in zip(parts, limits, strict=True)]

    def done(index: int, result: PartResult) -> None:
        if options.done is not None:
            options.done(result)

    results = run_parts(plan_part, tasks, done)
    return join_plans(scenario, parts, results, options, time.monotonic() - started)


def join_plans(scenario: Scenario, parts: Sequence[Part], results: Sequence[PartResult],
               options: RegionalOptions, wall_seconds: float) -> PlanResult:
    """One plan of ``scenario`` from its parts' plans, figures recomputed on the whole."""
    sessions = sorted((s for r in results for s in r.plan.sessions),
                      key=lambda s: (s.association_id, s.number))
    unserved: list[Unserved] = sorted((u for r in results for u in r.plan.unserved),
                                      key=lambda u: u.association_id)
    served = sum(r.plan.stats.served for r in results)
    bound = sum(r.plan.stats.served_upper_bound for r in results)
    accepted = sum(p.accepted for p in parts)
    # The coverage bound of the whole: each part's bound weighs by the secondary needs
    # its served associations ask for, as coverage itself does.
    asked = covered_bound = 0.0
    by_id = scenario.association_by_id
    per_part: list[dict[str, object]] = []
    last_improvement = 0.0
    all_optimal = True
    for part, result in zip(parts, results, strict=True):
        stats = result.plan.stats
        parameters = result.plan.parameters or {}
        served_ids = {s.association_id for s in result.plan.sessions}
        part_asked = sum(len(by_id[a].secondary_needs) for a in served_ids)
        bound_share = parameters.get("coverage_upper_bound")
        if isinstance(bound_share, int | float):
            asked += part_asked
            covered_bound += bound_share * part_asked
        improve = (stats.objectives or {}).get("improve", {})
        last = improve.get("last_improvement_seconds") if isinstance(improve, dict) else None
        if isinstance(last, int | float):
            last_improvement = max(last_improvement, float(last))
        all_optimal &= stats.solver_status.startswith("OPTIMAL")
        per_part.append({
            "part": part.name, "associations": part.accepted,
            "experts": len(part.scenario.experts), "served": stats.served,
            "served_upper_bound": stats.served_upper_bound,
            "time_limit": result.time_limit,
            "seconds": result.seconds, "peak_rss_mib": round(result.peak_rss_mib, 1),
            "stopped": parameters.get("stopped"),
        })
    quality = plan_quality(scenario, sessions)
    status = "OPTIMAL" if all_optimal else "FEASIBLE"
    plan = Plan(
        scenario_sha256=scenario_sha256(scenario), sessions=sessions, unserved=unserved,
        stats=Stats(
            served=served, unserved=len(unserved), served_upper_bound=max(bound, served),
            solver_status=f"{status} (by region: {len(parts)} parts)",
            wall_seconds=round(wall_seconds, 2), accepted=accepted,
            objectives={"regions": per_part,
                        "improve": {"last_improvement_seconds": round(last_improvement, 2)}},
            **quality),
        parameters={
            "time_limit": options.time_limit, "workers": 1, "seed": options.seed,
            "haken_version": HAKEN_VERSION, "by_region": True,
            "parts_ran": options.description,
            "served_upper_bound_scope": "onsite experts within their own prefecture, "
                                        "online-only experts for online associations",
            "coverage_upper_bound": round(covered_bound / asked, 4) if asked else None,
            "stall_seconds": options.stall_seconds,
            "stopped": "parts",
            "stopped_detail": _stopped_detail(per_part),
        },
    )
    stages = {"regions": StageResult(status, float(served), float(bound),
                                     round(wall_seconds, 2))}
    return PlanResult(plan, stages)


def _stopped_detail(per_part: Sequence[dict[str, object]]) -> str:
    reasons: dict[str, int] = {}
    for item in per_part:
        code = item.get("stopped")
        if item.get("associations") == 0:
            reason = "nothing to plan"
        elif item.get("served_upper_bound") == 0:
            # Its search "ends" at once, but nothing was solved: say so.
            reason = "nobody servable"
        elif code is None:
            reason = "no search needed"  # solve returned before its search
        else:
            reason = REASON_WORDS.get(str(code), str(code))
        reasons[reason] = reasons.get(reason, 0) + 1
    listed = ", ".join(f"{count} {reason}"
                       for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]))
    return f"every part ended: {listed}"
