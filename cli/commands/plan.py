"""``haken plan``: a scenario in, a checked plan out."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import EXIT_BAD_INPUT, load_or_exit, write_atomically

if TYPE_CHECKING:
    from rich.console import Console

    from domain.scenario import Scenario
    from scheduler.solve import PlanResult, Progress, SolveOptions


def command(
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON (exchange format).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the plan JSON.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help=(
            "Seconds for the whole command, reading to writing, counted from its start; with "
            "--workers 1 the search counts CP-SAT's deterministic seconds instead, and a "
            "busy machine may take up to twice as long."))
    ] = 60.0,
    stall_seconds: Annotated[
        float | None, typer.Option("--stall-seconds", min=0.1, help=(
            "Stop early when the search finds nothing better for this many seconds "
            "(deterministic seconds with --workers 1). It always stops early when every "
            "figure is at its proven bound."))
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="CP-SAT workers; 1 is deterministic.")
    ] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    decompose: Annotated[bool | None, typer.Option(
        "--decompose/--single-model",
        help="Decide who is served in parts (leads on the arrays, then each association's "
             "days) or with one CP-SAT model over everything; by default by the size.",
    )] = None,
    by_region: Annotated[bool, typer.Option(
        "--by-region",
        help="A national programme: plan each prefecture (onsite experts serve onsite only "
             "in the prefecture of their base_area) and the online associations with the "
             "online-only experts as independent parts, one CP-SAT worker each, and join "
             "the plans.")] = False,
    ray: Annotated[str | None, typer.Option(
        "--ray", metavar="ADDRESS",
        help="Plan by region with the parts as tasks on a Ray cluster at ADDRESS ('local' "
             "starts one here with --workers CPUs); needs haken[ray].")] = None,
) -> None:
    """Plan every accepted association: who leads, who joins, and when each session is."""
    started = process_started()  # before the planner's imports, which the limit counts
    from rich.console import Console

    from domain.errors import InputError
    from domain.loading import load_scenario
    from scheduler.solve import SolveOptions
    console = Console(stderr=True, highlight=False)
    loaded = load_or_exit(load_scenario, scenario)
    stop = threading.Event()
    live = not quiet and console.is_terminal
    if by_region or ray:
        result = _plan_by_region(loaded, time_limit, seed, stall_seconds, started, ray,
                                 workers, console, quiet)
        _check_and_write(loaded, result, output)
        return
    with _interrupt_stops(stop, console), _progress_display(console, live, quiet) as show:
        options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed,
                               progress=show, stop=stop, decompose=decompose,
                               stall_seconds=stall_seconds, started=started)
        try:
            result = _solve_interruptibly(loaded, options)
        except InputError as error:
            typer.echo(error.render(), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    if stop.is_set():
        console.print("stopped on request: the best plan found so far follows")
    _check_and_write(loaded, result, output)


def _check_and_write(loaded: Scenario, result: PlanResult, output: Path) -> None:
    from domain.checker import check_plan
    violations = check_plan(loaded, result.plan)
    if violations:  # never write a plan that breaks a hard rule
        for violation in violations:
            typer.echo(str(violation), err=True)
        typer.echo(f"internal error: the plan breaks {len(violations)} hard rule(s); "
                   "nothing written", err=True)
        raise typer.Exit(3)
    data = result.plan.model_dump_json(indent=2, exclude_none=True).encode("utf-8") + b"\n"
    write_atomically(output, data)
    typer.echo(result.summary())
    typer.echo(f"plan written to {output}")


def _plan_by_region(loaded: Scenario, time_limit: float, seed: int,
                    stall_seconds: float | None, started: float, ray: str | None,
                    workers: int, console: Console, quiet: bool) -> PlanResult:
    """The scenario's regions as independent parts, here or on a Ray cluster."""
    from domain.errors import InputError
    from scheduler.regions import PartResult, RegionalOptions, plan_by_region, run_in_process

    def done(part: PartResult) -> None:
        if not quiet:
            stats = part.plan.stats
            console.print(f"[part] {part.name}: served {stats.served} / bound "
                          f"{stats.served_upper_bound}, {part.seconds:.1f} s, "
                          f"{part.peak_rss_mib:.0f} MiB", markup=False, soft_wrap=True)

    options = RegionalOptions(time_limit=time_limit, seed=seed, stall_seconds=stall_seconds,
                              started=started, done=done)
    try:
        if ray is None:
            return plan_by_region(loaded, options, run_in_process)
        from simulation.executor import RayCluster
        try:
            cluster = RayCluster(ray, local_cpus=workers, reuse_workers=True)
        except RuntimeError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        try:
            cluster.__enter__()
        except (ConnectionError, RuntimeError, ValueError) as error:
            typer.echo(f"--ray {ray}: cannot reach the Ray cluster: {error}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        try:
            options.parallel = max(1, int(cluster.ray.cluster_resources().get("CPU", 1)))
            options.description = f"{cluster.description}, {options.parallel} CPUs"
            return plan_by_region(loaded, options, cluster.map)
        finally:
            cluster.__exit__(None, None, None)
    except InputError as error:
        typer.echo(error.render(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextlib.contextmanager
def _interrupt_stops(stop: threading.Event, console: Console) -> Iterator[None]:
    """The first Ctrl-C stops the search and keeps the best plan; a second aborts."""
    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        console.print("stopping: finishing with the best plan so far "
                      "(Ctrl-C again aborts, nothing written)")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _progress_display(console: Console, live: bool, quiet: bool
                      ) -> Iterator[Callable[[Progress], None]]:
    """A live line with elapsed time on a terminal; one line per solution otherwise."""
    from rich.markup import escape
    from rich.progress import Progress as RichProgress
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
    if not live:
        def log(progress: Progress) -> None:
            if not quiet:
                # soft_wrap: a log or pipe gets whole lines, never cut at the 80 columns
                # rich assumes when there is no terminal to ask.
                console.print(_describe(progress), markup=False, soft_wrap=True)
        yield log
        return
    columns = (SpinnerColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with RichProgress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("encoding and matching", total=None)

        def update(progress: Progress) -> None:
            bar.update(task, description=escape(_describe(progress, with_time=False)))
        yield update


# A process older than this when the command starts was not started for it (a test
# runner, a shell that imports the app): the time limit then counts from the command.
OWN_PROCESS_SECONDS = 5.0


def process_started() -> float:
    """When the time limit starts counting, on the time.monotonic() clock: the start of
    this process, so that imports and reading the scenario count too, when the process
    was started to run this command; else now.

    Linux gives the start in clock ticks since boot (/proc/self/stat, field 22), on the
    clock CLOCK_BOOTTIME reads; elsewhere the limit counts from now.
    """
    now = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of the line is the 20th after the name
        since_start = (time.clock_gettime(time.CLOCK_BOOTTIME)
                       - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - since_start if 0 <= since_start < OWN_PROCESS_SECONDS else now


def _describe(progress: Progress, with_time: bool = True) -> str:
    when = f"{progress.elapsed:6.1f}s  " if with_time else ""
    if progress.stage == "stopped":
        return f"[stopped] {when}{progress.detail}"
    if progress.stage == "service":
        gap = (progress.bound - progress.objective) / progress.bound if progress.bound else 0.0
        return (f"[service] {when}served {progress.objective:g} / bound {progress.bound:g} "
                f"(gap {gap:.1%})")
    return (f"[{progress.stage}] {when}{progress.detail}; needs covered "
            f"{progress.objective:g} of at most {progress.bound:g}")


def _solve_interruptibly(scenario: Scenario, options: SolveOptions) -> PlanResult:
    """Solve in a thread: Python runs signal handlers only in the main thread, and only
    between bytecodes, never while CP-SAT holds it in native code."""
    from scheduler.solve import solve
    results: list[PlanResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(solve(scenario, options))
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)

    worker = threading.Thread(target=run, name="solve", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
    if errors:
        raise errors[0]
    return results[0]
