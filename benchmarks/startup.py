"""How long ``haken`` takes to start: whole processes, timed from outside.

``python -m benchmarks startup`` runs each command several times in a fresh
process (after one warm-up run that is not counted) and reports the minimum,
median and maximum wall time, beside ``python -c pass``, the floor that no
command can beat. The goal (issue 12): ``haken --help`` and ``haken check`` under
0.5 s, which holds only while the command line imports each command's work when
it runs (``cli/``), never the web stack for a command that does not serve.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.suite import RESULTS_DIR, machine_description

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "tokyo-2025.json"
GOAL_SECONDS = 0.5


@dataclass(frozen=True)
class Timing:
    name: str
    argv: list[str]
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _haken() -> str:
    return str(Path(sys.executable).with_name("haken"))


def _greedy_plan(directory: Path) -> Path:
    """The example's greedy plan, so that ``haken check`` has a whole plan to read."""
    from domain.loading import load_scenario
    from scheduler.solve import solve_greedy

    plan = solve_greedy(load_scenario(EXAMPLE), 5.0)
    path = directory / "plan.json"
    path.write_text(json.dumps(plan.model_dump(mode="json"), ensure_ascii=False),
                    encoding="utf-8")
    return path


def _time(argv: list[str], runs: int) -> list[float]:
    seconds = []
    for index in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if index:  # the first run warms the file cache and is not counted
            seconds.append(time.perf_counter() - started)
    return seconds


def run(runs: int = 10) -> list[Timing]:
    with tempfile.TemporaryDirectory() as scratch:
        plan = _greedy_plan(Path(scratch))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "haken --help": [_haken(), "--help"],
            "haken --version": [_haken(), "--version"],
            "haken check examples/tokyo-2025.json plan.json": [
                _haken(), "check", str(EXAMPLE), str(plan)],
        }
        return [Timing(name, argv, _time(argv, runs)) for name, argv in commands.items()]


def markdown(timings: list[Timing]) -> str:
    rows = ["| command | min s | median s | max s | goal |", "| --- | --- | --- | --- | --- |"]
    for timing in timings:
        goal = "" if timing.name.startswith("python") else (
            f"< {GOAL_SECONDS} s: {'met' if timing.median < GOAL_SECONDS else 'missed'}")
        rows.append(f"| `{timing.name}` | {min(timing.seconds):.3f} | {timing.median:.3f} | "
                    f"{max(timing.seconds):.3f} | {goal} |")
    return "\n".join(rows)


def write_results(timings: list[Timing], directory: Path = RESULTS_DIR) -> Path:
    day = time.strftime("%Y-%m-%d")
    path = directory / f"{day}-startup.md"
    runs = len(timings[0].seconds)
    path.write_text(
        f"# Start-up of the command line, {day}\n\n"
        f"`python -m benchmarks startup`: each command {runs} times as a whole process "
        f"after one uncounted warm-up; wall seconds. Machine: {machine_description()}.\n\n"
        f"{markdown(timings)}\n", encoding="utf-8")
    return path
