"""The fixed benchmark suite: instances, seeds and time limits as data, results as files.

``python -m benchmarks run --suite quick|full`` runs every instance of a suite twice,
with the greedy baseline and with the planner, each in a fresh child process (so
each has its own peak memory), one after the other by default so that neither
slows the other; both rows of an instance come from the same run on the same
machine. It writes ``benchmarks/results/<date>-<suite>.md`` (the machine, the
suite, one row per instance) and two PNG plots beside it (served / bound and
seconds against size). ``python -m benchmarks readme`` copies the latest results
table into the README between ``<!-- perf:start -->`` and ``<!-- perf:end -->``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from benchmarks.compare import run_greedy
from domain.checker import check_plan
from domain.loading import parse_scenario
from domain.plan import Stats
from scheduler.solve import SolveOptions, solve
from simulation.executor import Executor, peak_rss_mib
from simulation.generator import generate_scenario

RESULTS_DIR = Path(__file__).resolve().parent / "results"
README = Path(__file__).resolve().parent.parent / "README.md"
PERF_START, PERF_END = "<!-- perf:start -->", "<!-- perf:end -->"
TABLE_START, TABLE_END = "<!-- table:start -->", "<!-- table:end -->"
METHODS = ("greedy", "haken")


@dataclass(frozen=True)
class Instance:
    profile: str
    associations: int
    experts: int
    seed: int
    time_limit: float  # planner seconds

    @property
    def name(self) -> str:
        return f"{self.profile}-{self.associations}x{self.experts}-s{self.seed}"


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    instances: tuple[Instance, ...]
    workers: int = 2  # CP-SAT workers of each planner run


def _grid(profiles: tuple[str, ...], sizes: tuple[tuple[int, int, float], ...],
          seeds: tuple[int, ...]) -> tuple[Instance, ...]:
    return tuple(Instance(p, a, e, s, limit) for p in profiles for a, e, limit in sizes
                 for s in seeds)


SUITES: dict[str, Suite] = {
    "micro": Suite(
        "micro", "Smoke test of the runner: two tiny instances, seconds in all.",
        _grid(("balanced",), ((8, 3, 2.0),), (1,)) + _grid(("company",), ((10, 4, 2.0),), (1,)),
        workers=1,
    ),
    "quick": Suite(
        "quick", "Small instances of every kind of profile; a few minutes on 2 cores.",
        _grid(("balanced",), ((30, 10, 10.0), (60, 20, 20.0)), (1, 2))
        + _grid(("company", "scarce_experts", "late_decisions"), ((60, 20, 20.0),), (1,)),
    ),
    "goal": Suite(
        "goal", "The planner core's goal: 120 associations, 30 experts, 60 s on 2 cores, "
        "three seeds of the balanced profile and one of each hard profile; about 8 minutes.",
        _grid(("balanced",), ((120, 30, 60.0),), (1, 2, 3))
        + _grid(("scarce_experts", "narrow_availability", "many_conflicts"),
                ((120, 30, 60.0),), (1,)),
    ),
    "full": Suite(
        "full", "The issue's sizes: up to 2000x400 (10 minutes) and 5000x1000 (30 minutes); "
        "hours in all.",
        _grid(("balanced",), ((120, 30, 60.0),), (1, 2, 3))
        + _grid(("scarce_experts", "narrow_availability", "many_conflicts"),
                ((120, 30, 60.0),), (1,))
        + _grid(("balanced", "company"), ((500, 100, 300.0),), (1,))
        + _grid(("balanced", "company"), ((2000, 400, 540.0),), (1,))
        + _grid(("balanced", "company"), ((5000, 1000, 1680.0),), (1,)),
    ),
    "speed": Suite(
        "speed", "The speed issue's goals: the goal suite's 120x30 instances at 10 s, balanced "
        "2000x400 at 15 s, scarce_experts and scarce_narrow 2000x400 at 120 s; about 10 minutes.",
        _grid(("balanced",), ((120, 30, 10.0),), (1, 2, 3))
        + _grid(("scarce_experts", "narrow_availability", "many_conflicts"),
                ((120, 30, 10.0),), (1,))
        + _grid(("balanced",), ((2000, 400, 15.0),), (1,))
        + _grid(("scarce_experts", "scarce_narrow"), ((2000, 400, 120.0),), (1,)),
    ),
    "speed-large": Suite(
        "speed-large", "The speed issue's goals at 5000x1000: balanced at 45 s, scarce_experts "
        "and scarce_narrow within 10 minutes (540 s, the rest reading, matching and "
        "writing); about 25 minutes.",
        _grid(("balanced",), ((5000, 1000, 45.0),), (1,))
        + _grid(("scarce_experts", "scarce_narrow"), ((5000, 1000, 540.0),), (1,)),
    ),
    "scale": Suite(
        "scale", "The issue's scale goals: 2000x400 on both programmes within 10 minutes "
        "(540 s of search, the rest reading, matching and writing) and balanced 5000x1000 "
        "within 30 minutes (1680 s); about 50 minutes.",
        _grid(("balanced", "company"), ((2000, 400, 540.0),), (1,))
        + _grid(("balanced",), ((5000, 1000, 1680.0),), (1,)),
    ),
}


# --------------------------------------------------------------------------- one run


@dataclass(frozen=True)
class RunTask:
    instance: Instance
    method: str
    workers: int


@dataclass
class RunResult:
    instance: Instance
    method: str
    stats: Stats
    seconds: float
    violations: int
    peak_rss_mib: float
    coverage_bound: float | None = None  # proven, for the associations this plan serves


def run_one(task: RunTask) -> RunResult:
    """Generate the instance, plan it with one method, check the plan (in a child process)."""
    instance = task.instance
    scenario = parse_scenario(generate_scenario(instance.associations, instance.experts,
                                                instance.seed, instance.profile))
    started = time.monotonic()
    if task.method == "greedy":
        plan, _ = run_greedy(scenario)
    elif task.method == "haken":
        plan = solve(scenario, SolveOptions(time_limit=instance.time_limit,
                                            workers=task.workers, seed=instance.seed)).plan
    else:
        raise ValueError(f"unknown method {task.method!r}")
    seconds = time.monotonic() - started
    bound = (plan.parameters or {}).get("coverage_upper_bound")
    return RunResult(instance, task.method, plan.stats, seconds,
                     len(check_plan(scenario, plan)), peak_rss_mib(),
                     float(bound) if isinstance(bound, int | float) else None)


def run_suite(suite: Suite, executor: Executor,
              progress: Callable[[RunResult], None] | None = None) -> list[RunResult]:
    tasks = [RunTask(instance, method, suite.workers)
             for instance in suite.instances for method in METHODS]
    return executor.map(run_one, tasks,
                        None if progress is None else lambda _, result: progress(result))


# --------------------------------------------------------------------------- the results file


def machine_description() -> str:
    """CPU model, cores, memory, Python and OR-Tools versions of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            models = [line.split(":", 1)[1].strip() for line in handle
                      if line.startswith("model name")]
        cpu = models[0] if models else cpu
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        memory_text = f"{memory:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory_text = "memory unknown"
    return (f"{cpu} ({platform.machine()}), {os.cpu_count()} cores, {memory_text}, "
            f"{platform.system()}; Python {platform.python_version()}, "
            f"OR-Tools {version('ortools')}")


def _fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def best_bounds(results: list[RunResult]) -> dict[Instance, int]:
    """Each instance's tightest proven upper bound over its runs: every run's bound is proven."""
    bounds: dict[Instance, int] = {}
    for r in results:
        bound = r.stats.served_upper_bound
        bounds[r.instance] = min(bounds.get(r.instance, bound), bound)
    return bounds


def _gap(served: int, bound: int) -> str:
    """Share of the upper bound not served: (bound - served) / bound."""
    return f"{(bound - served) / bound:.3f}" if bound else "0.000"


def results_table(results: list[RunResult]) -> list[str]:
    """One Markdown row per instance: the greedy baseline / the planner in each cell."""
    by_instance: dict[Instance, dict[str, RunResult]] = {}
    for result in results:
        by_instance.setdefault(result.instance, {})[result.method] = result
    lines = [
        "| instance | served (greedy / haken) | upper bound | gap (haken) | coverage | "
        "industry match | largest load | mean gap dev (days) | seconds | peak MiB | "
        "rule violations |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    bounds = best_bounds(results)
    for instance, methods in by_instance.items():
        g, h = methods["greedy"], methods["haken"]

        def both(figure: Callable[[RunResult], str], g: RunResult = g,
                 h: RunResult = h) -> str:
            return f"{figure(g)} / {figure(h)}"

        cells = [
            instance.name,
            both(lambda r: str(r.stats.served)),
            str(bounds[instance]),
            _gap(h.stats.served, bounds[instance]),
            both(lambda r: _fmt(r.stats.secondary_need_coverage))
            + (f" (≤ {_fmt(h.coverage_bound)})" if h.coverage_bound is not None else ""),
            both(lambda r: _fmt(r.stats.industry_match)),
            both(lambda r: _fmt(r.stats.max_expert_sessions)),
            both(lambda r: _fmt(r.stats.mean_gap_deviation_days, 1)),
            both(lambda r: f"{r.seconds:.1f}"),
            both(lambda r: f"{r.peak_rss_mib:.0f}"),
            str(g.violations + h.violations),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def results_markdown(suite: Suite, results: list[RunResult], machine: str, executor: str,
                     day: dt.date) -> str:
    limits = sorted({i.time_limit for i in suite.instances})
    lines = [
        f"# Benchmark results: suite `{suite.name}`, {day.isoformat()}",
        "",
        f"Machine: {machine}.",
        "",
        f"Suite: {suite.description} Planner time limits {', '.join(f'{x:g}' for x in limits)} s,"
        f" CP-SAT workers: {suite.workers}; each run in a fresh process on a {executor}; "
        f"the greedy baseline and the planner ran in the same run. Command: "
        f"`python -m benchmarks run --suite {suite.name}`.",
        "",
        "Each cell with a slash is greedy / haken. upper bound: the tightest proven bound of "
        "the two runs; gap = (upper bound − served) / upper bound for the planner; peak MiB is "
        "the peak resident memory of the run's process; coverage (≤ b): b bounds, proven, the "
        "coverage of any plan serving the associations the planner serves (matcher/coverage.py).",
        "",
        TABLE_START,
        *results_table(results),
        TABLE_END,
        "",
        f"![served / bound]({day.isoformat()}-{suite.name}-served.png) "
        f"![seconds]({day.isoformat()}-{suite.name}-time.png)",
        "",
    ]
    return "\n".join(lines)


def plots(results: list[RunResult]) -> tuple[bytes, bytes]:
    """PNGs of served / upper bound and of seconds against the number of applications.

    served / bound uses each instance's tightest bound, the same for both methods.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory only
    import matplotlib.pyplot as plt

    bounds = best_bounds(results)
    sizes = sorted({r.instance.associations for r in results})
    images = []
    for ylabel, value, log in (
        ("served / upper bound", lambda r: r.stats.served / max(bounds[r.instance], 1), False),
        ("seconds", lambda r: r.seconds, True),
    ):
        figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
        # Hollow circles for the baseline, so the planner's squares show through them.
        for method, marker, area, face, edge in (("greedy", "o", 90, "none", "tab:blue"),
                                                 ("haken", "s", 30, "tab:orange", "tab:orange")):
            chosen = [r for r in results if r.method == method]
            axes.scatter([r.instance.associations for r in chosen],
                         [value(r) for r in chosen], label=method, marker=marker, s=area,
                         facecolors=face, edgecolors=edge)
        axes.set_xlabel("applications")
        axes.set_ylabel(ylabel)
        if log:
            axes.set_yscale("log")
        if len(sizes) > 1 and sizes[-1] > 4 * sizes[0]:
            axes.set_xscale("log")
        axes.set_xticks(sizes, [str(size) for size in sizes])
        axes.minorticks_off()
        axes.grid(alpha=0.3)
        axes.legend()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
        images.append(buffer.getvalue())
    return images[0], images[1]


def write_results(suite: Suite, results: list[RunResult], directory: Path, executor: str,
                  day: dt.date | None = None) -> Path:
    """The results file and its two plots, each written whole (temporary file, then rename)."""
    day = day or dt.date.today()
    directory.mkdir(parents=True, exist_ok=True)
    served_png, time_png = plots(results)
    stem = f"{day.isoformat()}-{suite.name}"
    _write_whole(directory / f"{stem}-served.png", served_png)
    _write_whole(directory / f"{stem}-time.png", time_png)
    path = directory / f"{stem}.md"
    text = results_markdown(suite, results, machine_description(), executor, day)
    _write_whole(path, text.encode("utf-8"))
    return path


def _write_whole(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# --------------------------------------------------------------------------- the README


_RESULTS_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(\w+)\.md$")


def latest_results(directory: Path) -> Path:
    """The newest goal, quick or full results file (by the date in its name; on a tie,
    full, then goal, then quick).

    The micro suite only tests the runner, so its files never reach the README.
    """
    rank = {"full": 3, "goal": 2, "quick": 1}
    found = [(m.group(1), rank[m.group(2)], path) for path in directory.glob("*.md")
             if (m := _RESULTS_NAME.match(path.name)) and m.group(2) in rank]
    if not found:
        raise FileNotFoundError(
            f"no goal, quick or full results file in {directory}; "
            "run python -m benchmarks run")
    return max(found)[2]


def readme_results(directory: Path) -> list[Path]:
    """What the README shows: the latest goal, quick or full results, and beside a goal
    or quick one the latest scale results, if any."""
    main = latest_results(directory)
    if main.name.endswith("-full.md"):
        return [main]
    scale = sorted(path for path in directory.glob("*-scale.md")
                   if _RESULTS_NAME.match(path.name))
    return [main, scale[-1]] if scale else [main]


def readme_section(results_path: Path, relative_to: Path) -> str:
    """The README's performance section: the machine line and the table of a results file."""
    text = results_path.read_text(encoding="utf-8")
    machine = next((line for line in text.splitlines() if line.startswith("Machine: ")), None)
    suite = next((line for line in text.splitlines() if line.startswith("Suite: ")), None)
    if machine is None or TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"{results_path} is not a results file of python -m benchmarks run")
    table = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip("\n")
    try:
        shown = results_path.resolve().relative_to(relative_to.resolve())
    except ValueError:
        shown = results_path
    return "\n".join([
        f"Generated by `python -m benchmarks readme` from `{shown.as_posix()}`.",
        "",
        machine,
        "",
        *([suite, ""] if suite else []),
        table,
    ])


def rewrite_readme(readme: Path, results_paths: list[Path]) -> None:
    """Replace what lies between the perf markers of ``readme`` with one section per
    results file; the rest stays byte for byte."""
    text = readme.read_text(encoding="utf-8")
    if text.count(PERF_START) != 1 or text.count(PERF_END) != 1 or (
            text.index(PERF_START) > text.index(PERF_END)):
        raise ValueError(f"{readme} needs one {PERF_START} and then one {PERF_END}")
    before, rest = text.split(PERF_START, 1)
    after = rest.split(PERF_END, 1)[1]
    section = "\n\n".join(readme_section(path, readme.parent) for path in results_paths)
    _write_whole(readme, f"{before}{PERF_START}\n{section}\n{PERF_END}{after}".encode())
