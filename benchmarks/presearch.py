"""What the planner does before its search, phase by phase, against an older tree.

``python -m benchmarks presearch --baseline DIR`` times encoding, matching, the greedy
plan and the decomposed plan (what ``scheduler.solve`` builds before any search) on
generated instances, in CPU seconds of a fresh child process each, alternating
between this tree and ``DIR`` (an older checkout, e.g. ``git archive <commit> | tar
-x -C DIR``) so that both see the same machine at the same time. The machine is
shared: CPU seconds vary less than wall seconds under load, and the ratios of one
run are what compare. It also checks that both trees make the same first plans.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Run in the child: one instance, each phase timed in CPU seconds, and a digest of
# what the phases made (equal digests: the same arrays, bound and plans).
_CHILD = r"""
import hashlib, json, sys, time
from domain.loading import parse_scenario
from matcher.core import match
from matcher.encoding import encode
from scheduler.decompose import plan_decomposed
from scheduler.greedy import plan_greedy
from simulation.generator import generate_scenario
profile = sys.argv[1]
associations, experts, seed = (int(x) for x in sys.argv[2:5])
scenario = parse_scenario(generate_scenario(associations, experts, seed, profile))
seconds, digest = {}, hashlib.sha256()
def timed(name, make):
    started = time.process_time()
    value = make()
    seconds[name] = time.process_time() - started
    return value
enc = timed("encode", lambda: encode(scenario))
matching = timed("match", lambda: match(enc, bound_seconds=None))
greedy = timed("greedy", lambda: plan_greedy(enc, matching, enc.pins, enc.kept))
decomposed = timed("decomposed", lambda: plan_decomposed(enc, matching, enc.pins, enc.kept))
digest.update(enc.association_starts.tobytes())
digest.update(str(matching.flow_bound).encode())
for plan in (greedy, decomposed):
    digest.update(repr(sorted((a, x.lead, tuple(x.starts), tuple(map(tuple, x.joiners)))
                              for a, x in plan.items())).encode())
print(json.dumps({"seconds": seconds, "digest": digest.hexdigest()}))
"""

PHASES = ("encode", "match", "greedy", "decomposed")


@dataclass(frozen=True)
class Measurement:
    tree: str  # "current" or "baseline"
    seconds: dict[str, float]
    digest: str


def measure(tree: Path, instance: tuple[str, int, int, int]) -> tuple[dict[str, float], str]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", _CHILD, *map(str, instance)],
                          env=environment, cwd=tree, capture_output=True, text=True,
                          check=True, timeout=1800)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["seconds"], answer["digest"]


def run(baseline: Path, current: Path, instance: tuple[str, int, int, int], repeats: int
        ) -> dict[str, list[Measurement]]:
    """``repeats`` rounds of baseline then current, one child process each."""
    found: dict[str, list[Measurement]] = {"baseline": [], "current": []}
    for _ in range(repeats):
        for tree, path in (("baseline", baseline), ("current", current)):
            seconds, digest = measure(path, instance)
            found[tree].append(Measurement(tree, seconds, digest))
    return found


def markdown(instance: tuple[str, int, int, int], found: dict[str, list[Measurement]],
             machine: str, load: tuple[float, float]) -> str:
    profile, associations, experts, seed = instance
    same = {m.digest for ms in found.values() for m in ms}
    lines = [
        f"Pre-search phases, {profile} {associations}x{experts} seed {seed}: median CPU "
        f"seconds of {len(found['current'])} alternating runs each; machine: {machine}; "
        f"load average {load[0]:.1f} before, {load[1]:.1f} after. Same arrays, bound and "
        f"first plans in both trees: {'yes' if len(same) == 1 else 'NO'}.",
        "",
        "| phase | baseline s | current s | current / baseline |",
        "| --- | ---: | ---: | ---: |",
    ]
    for phase in (*PHASES, "total"):
        def median(tree: str, phase: str = phase) -> float:
            values = [sum(m.seconds.values()) if phase == "total" else m.seconds[phase]
                      for m in found[tree]]
            return statistics.median(values)
        before, after = median("baseline"), median("current")
        ratio = after / before if before else float("nan")
        lines.append(f"| {phase} | {before:.2f} | {after:.2f} | {ratio:.2f} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class WholeRun:
    wall: float
    coverage: float | None
    gap_deviation: float | None
    served: int
    stopped: str


def whole_plan(tree: Path, scenario: Path, time_limit: float, workdir: Path) -> WholeRun:
    """``haken plan`` of ``tree`` as a user runs it, timed from launch to exit."""
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    output = workdir / f"plan-{tree.name}.json"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "cli", "plan", str(scenario), "-o", str(output),
                    "--time-limit", f"{time_limit:g}", "-q"], env=environment, cwd=tree,
                   capture_output=True, text=True, check=True, timeout=10 * time_limit + 600)
    wall = time.monotonic() - started
    plan = json.loads(output.read_text(encoding="utf-8"))
    stats = plan["stats"]
    return WholeRun(wall, stats.get("secondary_need_coverage"),
                    stats.get("mean_gap_deviation_days"), stats["served"],
                    str((plan.get("parameters") or {}).get("stopped", "–")))


def whole_markdown(instance: tuple[str, int, int, int], time_limit: float,
                   runs: dict[str, list[WholeRun]], machine: str,
                   load: tuple[float, float]) -> str:
    profile, associations, experts, seed = instance
    lines = [
        f"Whole `haken plan --time-limit {time_limit:g}`, {profile} {associations}x{experts} "
        f"seed {seed}, launch to exit, {len(runs['current'])} alternating runs each; "
        f"machine: {machine}; load average {load[0]:.1f} before, {load[1]:.1f} after.",
        "",
        "| tree | wall s (each run) | wall / limit (median) | served | coverage | gap dev d "
        "| stopped |",
        "| --- | --- | ---: | --- | --- | --- | --- |",
    ]
    def each(found: list[WholeRun], value: Callable[[WholeRun], float | None],
             digits: int) -> str:
        return ", ".join("–" if (v := value(r)) is None else f"{v:.{digits}f}" for r in found)

    for tree, found in runs.items():
        walls = [r.wall for r in found]
        lines.append(
            f"| {tree} | {each(found, lambda r: r.wall, 1)} | "
            f"{statistics.median(walls) / time_limit:.2f} | "
            f"{', '.join(str(r.served) for r in found)} | "
            f"{each(found, lambda r: r.coverage, 3)} | "
            f"{each(found, lambda r: r.gap_deviation, 2)} | "
            f"{', '.join(r.stopped for r in found)} |")
    return "\n".join(lines)
