"""``python -m benchmarks national``: a national programme planned by region, here and on Ray.

One instance of the generator's ``national`` profile is generated and written to a
file; then each variant runs in a fresh child process of its own (so that each peak
resident memory is its own): the parts one after another in that process, and, with
``--ray``, the same parts as Ray tasks. Both give every part the same search limit
(its share of ``--time-limit`` by applications), so the two runs do the same work and
the ratio of their walls is the speed-up of running the parts side by side. With
``--whole`` the ordinary planner also plans the whole scenario as one (it may send an
expert onsite to another prefecture, which the travel rule forbids), for reference.
Every plan is checked by the checker; a broken rule fails the run.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from simulation.executor import peak_rss_mib

PROFILE = "national"


@dataclass(frozen=True)
class Variant:
    """One run: ``how`` is ``in_process``, ``ray`` (with ``address``) or ``whole``."""

    how: str
    scenario_path: str
    time_limit: float
    seed: int = 0
    address: str | None = None
    ray_cpus: int = 2
    # Fixed deterministic shares and no deadline (``RegionalOptions.fixed_shares``):
    # when Ray runs beside this process. Otherwise the limit is the run's wall time.
    same_work: bool = False


@dataclass
class Figures:
    how: str
    served: int
    bound: int
    accepted: int
    coverage: float | None
    coverage_bound: float | None
    industry: float | None
    max_load: int | None
    gap_dev: float | None
    wall: float
    peak_mib: float  # the planning process (the Ray driver for ``ray``)
    largest_part_peak_mib: float | None
    parts: int | None
    violations: int
    load_before: float
    load_after: float
    load_seconds: float = 0.0  # reading and validating the scenario
    check_seconds: float = 0.0  # the checker on the joined plan


def run_variant(variant: Variant) -> Figures:
    """Load, plan, check: in a fresh process; the wall counts from after loading."""
    from domain.checker import check_plan
    from domain.loading import load_scenario
    load_before = os.getloadavg()[0]
    loading = time.monotonic()
    scenario = load_scenario(variant.scenario_path)
    started = time.monotonic()
    parts = largest = None
    if variant.how == "whole":
        from scheduler.solve import SolveOptions, solve
        result = solve(scenario, SolveOptions(time_limit=variant.time_limit, workers=1,
                                              seed=variant.seed))
    else:
        from scheduler.regions import RegionalOptions, plan_by_region, run_in_process
        # The same deterministic work in both runs, so that the walls' ratio is the
        # speed-up of running the parts side by side.
        options = RegionalOptions(time_limit=variant.time_limit, seed=variant.seed,
                                  fixed_shares=variant.same_work)
        if variant.how == "ray":
            from simulation.executor import RayCluster
            with RayCluster(variant.address or "local", local_cpus=variant.ray_cpus,
                            reuse_workers=True) as cluster:
                options.description = cluster.description
                result = plan_by_region(scenario, options, cluster.map)
        else:
            result = plan_by_region(scenario, options, run_in_process)
        regions = (result.plan.stats.objectives or {}).get("regions", [])
        parts = len(regions)
        largest = max((float(r["peak_rss_mib"]) for r in regions), default=None)
    wall = time.monotonic() - started
    checking = time.monotonic()
    violations = check_plan(scenario, result.plan)
    check_seconds = time.monotonic() - checking
    stats = result.plan.stats
    return Figures(
        how=variant.how, served=stats.served, bound=stats.served_upper_bound,
        accepted=stats.accepted or 0, coverage=stats.secondary_need_coverage,
        coverage_bound=result.coverage_bound(), industry=stats.industry_match,
        max_load=stats.max_expert_sessions, gap_dev=stats.mean_gap_deviation_days,
        wall=round(wall, 1), peak_mib=round(peak_rss_mib(), 1),
        largest_part_peak_mib=largest, parts=parts, violations=len(violations),
        load_before=load_before, load_after=os.getloadavg()[0],
        load_seconds=round(started - loading, 1), check_seconds=round(check_seconds, 1))


def _in_fresh_process(variant: Variant) -> Figures:
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, max_tasks_per_child=1) as pool:
        return pool.submit(run_variant, variant).result()


def run(associations: int, experts: int, time_limit: float, seed: int, ray: str | None,
        ray_cpus: int, whole: bool, work_dir: Path, say: Any) -> tuple[list[Figures], float]:
    """Generate the instance, then each variant in turn; returns their figures and the
    seconds generation took."""
    from simulation.generator import generate_scenario
    started = time.monotonic()
    document = generate_scenario(associations, experts, seed, PROFILE)
    path = work_dir / f"national-{associations}x{experts}-s{seed}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    del document
    generated = time.monotonic() - started
    say(f"generated {path} in {generated:.1f} s")
    variants = [Variant("in_process", str(path), time_limit, seed, same_work=ray is not None)]
    if ray:
        variants.append(Variant("ray", str(path), time_limit, seed, ray, ray_cpus,
                                same_work=True))
    if whole:
        variants.append(Variant("whole", str(path), time_limit, seed))
    figures = []
    for variant in variants:
        say(f"planning: {variant.how}")
        figures.append(_in_fresh_process(variant))
        say(f"  {figures[-1]}")
    return figures, generated


def _fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(figures: list[Figures], associations: int, experts: int, time_limit: float,
             seed: int, machine: str, generated: float) -> str:
    lines = [
        f"# National programme {associations}x{experts} (seed {seed}), "
        f"--time-limit {time_limit:g}",
        "",
        machine,
        "",
        f"Generated in {generated:.1f} s. Each run in a fresh process; wall from after "
        "loading to the joined plan (limit: the time limit); load and check: seconds reading "
        "the scenario before it and checking the plan after it; peak = that process's peak "
        "resident memory (for Ray, the driver's; the largest part's is the Ray worker's).",
        "",
        "| run | parts | served / bound | coverage (≤ b) | industry | largest load | "
        "gap dev d | wall s | load s | check s | peak MiB | largest part MiB | violations | "
        "load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | --- |",
    ]
    for f in figures:
        lines.append(
            f"| {f.how} | {_fmt(f.parts)} | {f.served} / {f.bound} | {_fmt(f.coverage)} "
            f"(≤ {_fmt(f.coverage_bound)}) | {_fmt(f.industry)} | {_fmt(f.max_load)} | "
            f"{_fmt(f.gap_dev)} | {f.wall:.1f} | {f.load_seconds:.1f} | {f.check_seconds:.1f} | "
            f"{f.peak_mib:.0f} | "
            f"{_fmt(f.largest_part_peak_mib, 0)} | {f.violations} | "
            f"{f.load_before:.1f}→{f.load_after:.1f} |")
    by_how = {f.how: f for f in figures}
    if "ray" in by_how and by_how["ray"].wall > 0:
        here, there = by_how["in_process"], by_how["ray"]
        lines += ["", f"Ray speed-up (in-process wall / Ray wall, same parts and limits): "
                      f"**{here.wall / there.wall:.2f}**; served {here.served} and "
                      f"{there.served}, coverage {_fmt(here.coverage)} and "
                      f"{_fmt(there.coverage)}, gap dev {_fmt(here.gap_dev)} and "
                      f"{_fmt(there.gap_dev)}."]
    return "\n".join(lines) + "\n"


def write_results(text: str, associations: int, experts: int, results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{dt.date.today().isoformat()}-national-{associations}x{experts}.md"
    path.write_text(text, encoding="utf-8")
    return path


def as_json(figures: list[Figures]) -> str:
    return json.dumps([asdict(f) for f in figures], ensure_ascii=False, indent=2)
