"""How the planner trades time for quality: coverage and gap deviation against seconds.

``python -m benchmarks convergence --suite speed`` plans each instance of a suite once
(in a fresh child process, like ``run``), recording every improvement the search
reports with its time, and the greedy baseline's figures beside it. It writes one PNG
per size, ``<date>-convergence-<A>x<E>.png`` (coverage above, mean gap deviation
below, one line per instance, the baseline dashed), and ``<date>-convergence-<suite>.md``:
when each run last improved, why it stopped, and its final figures.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.compare import run_greedy
from benchmarks.suite import Instance, Suite, machine_description
from domain.checker import check_plan
from domain.loading import parse_scenario
from scheduler.solve import Progress, SolveOptions, solve
from simulation.executor import Executor
from simulation.generator import generate_scenario


@dataclass(frozen=True)
class Point:
    seconds: float  # since the planner was called
    coverage: float
    gap_deviation: float


@dataclass
class Trajectory:
    instance: Instance
    points: list[Point] = field(default_factory=list)
    greedy_coverage: float | None = None
    greedy_gap_deviation: float | None = None
    final_coverage: float | None = None
    final_gap_deviation: float | None = None
    served: int = 0
    bound: int = 0
    seconds: float = 0.0
    last_improvement_seconds: float | None = None
    stopped: str = ""
    violations: int = 0


@dataclass(frozen=True)
class ConvergenceTask:
    instance: Instance
    workers: int
    stall_seconds: float | None = None


def run_trajectory(task: ConvergenceTask) -> Trajectory:
    """Plan one instance, recording each improvement; check both plans (in a child)."""
    instance = task.instance
    scenario = parse_scenario(generate_scenario(instance.associations, instance.experts,
                                                instance.seed, instance.profile))
    greedy, _ = run_greedy(scenario)
    trajectory = Trajectory(instance, greedy_coverage=greedy.stats.secondary_need_coverage,
                            greedy_gap_deviation=greedy.stats.mean_gap_deviation_days)

    def record(progress: Progress) -> None:
        score = progress.score
        if progress.stage != "improve" or score is None:
            return
        asked = progress.needs_asked
        coverage = score.covered / asked if asked else 1.0
        gap = score.gap_days / score.gap_pairs if score.gap_pairs else 0.0
        trajectory.points.append(Point(progress.elapsed, coverage, gap))

    started = time.monotonic()
    result = solve(scenario, SolveOptions(time_limit=instance.time_limit, workers=task.workers,
                                          seed=instance.seed, progress=record,
                                          stall_seconds=task.stall_seconds))
    plan = result.plan
    trajectory.seconds = time.monotonic() - started
    trajectory.final_coverage = plan.stats.secondary_need_coverage
    trajectory.final_gap_deviation = plan.stats.mean_gap_deviation_days
    trajectory.served, trajectory.bound = plan.stats.served, plan.stats.served_upper_bound
    improve = (plan.stats.objectives or {}).get("improve", {})
    last = improve.get("last_improvement_seconds")
    trajectory.last_improvement_seconds = float(last) if isinstance(last, int | float) else None
    trajectory.stopped = str((plan.parameters or {}).get("stopped", ""))
    trajectory.violations = len(check_plan(scenario, plan)) + len(check_plan(scenario, greedy))
    return trajectory


def run_convergence(suite: Suite, executor: Executor, stall_seconds: float | None = None
                    ) -> list[Trajectory]:
    tasks = [ConvergenceTask(instance, suite.workers, stall_seconds)
             for instance in suite.instances]
    return executor.map(run_trajectory, tasks)


def plot(trajectories: list[Trajectory]) -> bytes:
    """One PNG: coverage (top) and mean gap deviation (bottom) against seconds."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory only
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 7), dpi=120, sharex=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, t in enumerate(trajectories):
        colour = colours[i % len(colours)]
        name = f"{t.instance.profile} s{t.instance.seed}"
        # A step line: each figure holds until the next improvement, and to the end.
        xs = [p.seconds for p in t.points] + [t.seconds]
        for axes, values, greedy in (
            (top, [p.coverage for p in t.points], t.greedy_coverage),
            (bottom, [p.gap_deviation for p in t.points], t.greedy_gap_deviation),
        ):
            if values:
                axes.step(xs, [*values, values[-1]], where="post", color=colour, label=name)
            if greedy is not None:
                axes.axhline(greedy, color=colour, linestyle="--", linewidth=0.8, alpha=0.7)
    size = trajectories[0].instance
    top.set_title(f"{size.associations}x{size.experts}: the planner (lines) and the greedy "
                  "baseline (dashed)", fontsize=10)
    top.set_ylabel("secondary-need coverage")
    bottom.set_ylabel("mean |gap - target| (days)")
    bottom.set_xlabel("seconds since the planner started")
    for axes in (top, bottom):
        axes.grid(alpha=0.3)
    top.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(suite: Suite, trajectories: list[Trajectory], machine: str, executor: str,
             day: dt.date, images: list[str]) -> str:
    lines = [
        f"# Convergence: suite `{suite.name}`, {day.isoformat()}",
        "",
        f"Machine: {machine}.",
        "",
        f"Command: `python -m benchmarks convergence --suite {suite.name}`; CP-SAT workers "
        f"{suite.workers}; each run in a fresh process on a {executor}. Seconds count from "
        "the call to the planner (encoding and matching included).",
        "",
        "| instance | limit s | served / bound | coverage (greedy → haken) | "
        "gap dev d (greedy → haken) | last improvement s | stopped | seconds | violations |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for t in trajectories:
        lines.append(
            f"| {t.instance.name} | {t.instance.time_limit:g} | {t.served} / {t.bound} | "
            f"{_fmt(t.greedy_coverage)} → {_fmt(t.final_coverage)} | "
            f"{_fmt(t.greedy_gap_deviation, 1)} → {_fmt(t.final_gap_deviation, 1)} | "
            f"{_fmt(t.last_improvement_seconds, 1)} | {t.stopped} | {t.seconds:.1f} | "
            f"{t.violations} |")
    lines += ["", *(f"![convergence]({name})" for name in images), ""]
    return "\n".join(lines)


def write_convergence(suite: Suite, trajectories: list[Trajectory], directory: Path,
                      executor: str, day: dt.date | None = None) -> Path:
    """One plot per size and the Markdown file, each written whole."""
    from benchmarks.suite import _write_whole

    day = day or dt.date.today()
    directory.mkdir(parents=True, exist_ok=True)
    by_size: dict[tuple[int, int], list[Trajectory]] = {}
    for t in trajectories:
        by_size.setdefault((t.instance.associations, t.instance.experts), []).append(t)
    images = []
    for (associations, experts), group in sorted(by_size.items()):
        name = f"{day.isoformat()}-convergence-{associations}x{experts}.png"
        _write_whole(directory / name, plot(group))
        images.append(name)
    path = directory / f"{day.isoformat()}-convergence-{suite.name}.md"
    text = markdown(suite, trajectories, machine_description(), executor, day, images)
    _write_whole(path, text.encode("utf-8"))
    return path
