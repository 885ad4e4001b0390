"""How long the options for one association take, as the phone call waits for them.

``python -m benchmarks recommend`` generates an instance of each size, plans it with
the greedy baseline (a full plan quickly, as a published schedule would be), and then
for each of ``count`` associations spread over the applications:

- ``--association``: the plan with that association left out is written to a file,
  and the time is reading the scenario and that plan from their files plus
  ``scheduler.recommend.recommend`` (k = 3);
- ``--move``: reading the scenario and the whole plan plus ``recommend_move`` of a
  session of that association (k = 3).

Every option found is checked with the plan by the checker; a rule broken fails the
run. It reports the median and the 95th percentile per size and kind. The goal
(issue 16): p95 under 1 s at 120x30 and under 3 s at 2000x400.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.suite import RESULTS_DIR, machine_description

GOALS = {(120, 30): 1.0, (2000, 400): 3.0}


@dataclass(frozen=True)
class Timing:
    size: tuple[int, int]
    kind: str  # "association" or "move"
    seconds: list[float]
    reading: list[float]  # of which reading the two files
    options: int  # options found in all
    without: int  # questions answered with no option (and the reason)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _spread(items: list[str], count: int) -> list[str]:
    if len(items) <= count:
        return items
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def run_size(associations: int, experts: int, count: int, seed: int,
             progress: Callable[[str], None]) -> list[Timing]:
    from domain.checker import check_plan
    from domain.loading import load_plan, load_scenario, parse_scenario
    from domain.plan import Unserved
    from scheduler.recommend import recommend, recommend_move, with_option
    from scheduler.solve import solve_greedy
    from simulation.generator import generate_scenario

    document = generate_scenario(associations, experts, seed)
    scenario = parse_scenario(document)
    plan = solve_greedy(scenario, bound_seconds=1.0)
    served = sorted({s.association_id for s in plan.sessions})
    chosen = _spread(served, count)
    progress(f"{associations}x{experts}: {len(served)} served by the greedy plan; "
             f"{len(chosen)} associations asked about")
    timings = []
    with tempfile.TemporaryDirectory() as scratch:
        scenario_path = Path(scratch) / "scenario.json"
        scenario_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        plan_path = Path(scratch) / "plan.json"
        plan_path.write_text(plan.model_dump_json(), encoding="utf-8")
        for kind in ("association", "move"):
            seconds: list[float] = []
            reading: list[float] = []
            options, without = 0, 0
            for association_id in chosen:
                path = plan_path
                if kind == "association":
                    left_out = plan.model_copy(update={
                        "sessions": [s for s in plan.sessions
                                     if s.association_id != association_id],
                        "unserved": [*plan.unserved, Unserved(
                            association_id=association_id, reason="capacity")]})
                    path = Path(scratch) / "left-out.json"
                    path.write_text(left_out.model_dump_json(), encoding="utf-8")
                started = time.perf_counter()
                read_scenario, read_plan = load_scenario(scenario_path), load_plan(path)
                reading.append(time.perf_counter() - started)
                if kind == "association":
                    found = recommend(read_scenario, read_plan, association_id, 3)
                else:
                    sessions = [s for s in plan.sessions if s.association_id == association_id]
                    number = min(2, len(sessions))
                    found = recommend_move(read_scenario, read_plan, association_id, number, 3)
                seconds.append(time.perf_counter() - started)
                for option in found.options:
                    violations = check_plan(scenario, with_option(read_plan, option))
                    if violations:
                        raise AssertionError(f"{association_id} option {option.rank}: "
                                             + "; ".join(map(str, violations[:3])))
                options += len(found.options)
                without += not found.options
            timing = Timing((associations, experts), kind, seconds, reading, options, without)
            progress(f"  --{kind}: median {timing.median:.3f} s, p95 {timing.p95:.3f} s "
                     f"(reading: median {statistics.median(reading):.3f} s)")
            timings.append(timing)
    return timings


def run(sizes: list[tuple[int, int]], count: int, seed: int,
        progress: Callable[[str], None]) -> list[Timing]:
    return [t for a, e in sizes for t in run_size(a, e, count, seed, progress)]


def markdown(timings: list[Timing]) -> str:
    rows = ["| instance | question | asked | median s | p95 s | max s | of which reading "
            "(median s) | options | none | goal |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for t in timings:
        goal = GOALS.get(t.size)
        verdict = "" if goal is None else (
            f"p95 < {goal:g} s: {'met' if t.p95 < goal else 'missed'}")
        rows.append(f"| balanced-{t.size[0]}x{t.size[1]} | `--{t.kind}` | {len(t.seconds)} | "
                    f"{t.median:.3f} | {t.p95:.3f} | {max(t.seconds):.3f} | "
                    f"{statistics.median(t.reading):.3f} | {t.options} | "
                    f"{t.without} | {verdict} |")
    return "\n".join(rows)


def write_results(timings: list[Timing], count: int, seed: int,
                  directory: Path = RESULTS_DIR) -> Path:
    """The results file; it states the load average, as the machine is shared."""
    day = time.strftime("%Y-%m-%d")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{day}-recommend.md"
    path.write_text(
        f"# Options for one association, {day}\n\n"
        f"`python -m benchmarks recommend --count {count} --seed {seed}`: balanced "
        "instances planned by the greedy baseline; per question, reading the scenario and "
        "the plan from their files and finding k = 3 options (every option then checked "
        "with the plan, not timed); wall seconds in one process. "
        f"Machine: {machine_description()}; load average at the end {load}.\n\n"
        f"{markdown(timings)}\n", encoding="utf-8")
    return path
