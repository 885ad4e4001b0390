"""Greedy baseline and planner side by side on the same simulated instances.

Both run in one process, one after the other, so their ratios are measured on the
same machine at the same time; absolute seconds depend on the machine.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass

from domain.checker import check_plan
from domain.loading import parse_scenario
from domain.plan import Plan
from domain.scenario import Scenario
from scheduler.solve import SolveOptions, solve, solve_greedy
from simulation.generator import generate_scenario


@dataclass(frozen=True)
class Row:
    instance: str
    method: str
    plan: Plan
    seconds: float
    violations: int


def run_greedy(scenario: Scenario, bound_seconds: float = 5.0) -> tuple[Plan, float]:
    """The first-come-first-served plan, keeping the pinned sessions, and its seconds.

    ``bound_seconds`` limits the matcher's CP-SAT bound; a shorter one is still a
    proven upper bound, only possibly a looser one.
    """
    plan = solve_greedy(scenario, bound_seconds)
    return plan, plan.stats.wall_seconds


def compare(sizes: list[tuple[int, int]], profiles: list[str], seeds: list[int],
            time_limit: float, workers: int) -> list[Row]:
    rows = []
    for profile in profiles:
        for associations, experts in sizes:
            for seed in seeds:
                name = f"{profile}-{associations}x{experts}-s{seed}"
                scenario = parse_scenario(generate_scenario(associations, experts, seed, profile))
                greedy, greedy_seconds = run_greedy(scenario)
                rows.append(Row(name, "greedy", greedy, greedy_seconds,
                                len(check_plan(scenario, greedy))))
                started = time.monotonic()
                planned = solve(scenario, SolveOptions(time_limit=time_limit, workers=workers,
                                                       seed=seed)).plan
                rows.append(Row(name, "haken", planned, time.monotonic() - started,
                                len(check_plan(scenario, planned))))
    return rows


def _fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(rows: list[Row], time_limit: float, workers: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}; time limit {time_limit:g} s, {workers} workers.",
        "",
        "| instance | method | served | upper bound | coverage | industry match | "
        "largest load | mean gap dev (days) | seconds | rule violations |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        s = row.plan.stats
        lines.append(
            f"| {row.instance} | {row.method} | {s.served} | {s.served_upper_bound} | "
            f"{_fmt(s.secondary_need_coverage)} | {_fmt(s.industry_match)} | "
            f"{_fmt(s.max_expert_sessions)} | {_fmt(s.mean_gap_deviation_days, 1)} | "
            f"{row.seconds:.1f} | {row.violations} |"
        )
    return "\n".join(lines)
