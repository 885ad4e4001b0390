"""``python -m benchmarks compare|run|readme|feeds|recommend|startup``: the planner
measured."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.compare import compare, markdown
from benchmarks.suite import (
    METHODS,
    README,
    RESULTS_DIR,
    SUITES,
    readme_results,
    rewrite_readme,
    run_suite,
    write_results,
)
from simulation.executor import make_executor

app = typer.Typer(add_completion=False, no_args_is_help=True)


@app.callback()
def _root() -> None:
    """Haken's benchmarks on simulated application volumes."""


def _sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        associations, experts = part.lower().split("x")
        sizes.append((int(associations), int(experts)))
    return sizes


@app.command("compare")
def compare_command(
    sizes: Annotated[str, typer.Option(help="AxE pairs, comma-separated.")] = "60x20,120x30",
    profiles: Annotated[str, typer.Option(help="Generator profiles, comma-separated.")] =
        "balanced",
    seeds: Annotated[str, typer.Option(help="Seeds, comma-separated.")] = "1",
    time_limit: Annotated[float, typer.Option(help="Planner seconds per instance.")] = 60.0,
    workers: Annotated[int, typer.Option(help="CP-SAT workers.")] = 2,
) -> None:
    """Served, bound and quality figures of the greedy baseline and of Haken."""
    rows = compare(_sizes(sizes), profiles.split(","), [int(s) for s in seeds.split(",")],
                   time_limit, workers)
    typer.echo(markdown(rows, time_limit, workers))


@app.command("run")
def run_command(
    suite: Annotated[str, typer.Option(
        help=f"Suite to run: {', '.join(f'{k} ({v.description})' for k, v in SUITES.items())}")
    ] = "quick",
    results_dir: Annotated[Path, typer.Option(help="Where the results file and plots go.")] =
        RESULTS_DIR,
    processes: Annotated[int, typer.Option(
        min=1, help="Runs at the same time (1 keeps timings clean).")] = 1,
    ray: Annotated[str | None, typer.Option(
        metavar="ADDRESS", help="Run on a Ray cluster ('local' starts one); needs haken[ray].")
    ] = None,
) -> None:
    """Run a fixed suite: greedy baseline and planner per instance, each in a fresh process."""
    if suite not in SUITES:
        typer.echo(f"unknown suite {suite!r}; choose one of: {', '.join(SUITES)}", err=True)
        raise typer.Exit(2)
    chosen = SUITES[suite]
    try:
        executor = make_executor(processes, ray)
    except RuntimeError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"suite {suite}: {len(chosen.instances)} instances x {len(METHODS)} methods "
               f"on a {executor.description}", err=True)
    with ExitStack() as stack:
        try:
            stack.enter_context(executor)
        except (ConnectionError, RuntimeError, ValueError) as error:
            typer.echo(f"--ray {ray}: cannot start or reach the cluster: {error}", err=True)
            raise typer.Exit(2) from None
        results = run_suite(chosen, executor, lambda r: typer.echo(
            f"  {r.instance.name} {r.method}: served {r.stats.served} / bound "
            f"{r.stats.served_upper_bound}, {r.seconds:.1f} s, {r.peak_rss_mib:.0f} MiB",
            err=True))
    path = write_results(chosen, results, results_dir, executor.description)
    typer.echo(f"results written to {path}")


@app.command("convergence")
def convergence_command(
    suite: Annotated[str, typer.Option(help="Suite whose instances to plan.")] = "speed",
    results_dir: Annotated[Path, typer.Option(help="Where the plots and the table go.")] =
        RESULTS_DIR,
    stall_seconds: Annotated[float | None, typer.Option(
        min=0.1, help="Stop each run after this long without improvement.")] = None,
    processes: Annotated[int, typer.Option(
        min=1, help="Runs at the same time (1 keeps timings clean).")] = 1,
) -> None:
    """Coverage and gap deviation against seconds, one plot per size, greedy beside."""
    from benchmarks.convergence import run_convergence, write_convergence

    if suite not in SUITES:
        typer.echo(f"unknown suite {suite!r}; choose one of: {', '.join(SUITES)}", err=True)
        raise typer.Exit(2)
    executor = make_executor(processes)
    with executor:
        trajectories = run_convergence(SUITES[suite], executor, stall_seconds)
    path = write_convergence(SUITES[suite], trajectories, results_dir, executor.description)
    typer.echo(path.read_text(encoding="utf-8"))
    typer.echo(f"results written to {path}", err=True)


@app.command("presearch")
def presearch_command(
    baseline: Annotated[Path, typer.Option(
        help="An older source tree to compare with (git archive <commit> | tar -x -C DIR).")],
    instance: Annotated[str, typer.Option(help="PROFILE:AxE:SEED")] = "balanced:2000x400:1",
    repeats: Annotated[int, typer.Option(min=1, help="Alternating rounds.")] = 3,
) -> None:
    """CPU seconds of encoding, matching and the first plans, this tree beside an older one."""
    import os

    from benchmarks.presearch import markdown, run
    from benchmarks.suite import machine_description

    try:
        profile, size, seed = instance.split(":")
        (associations, experts), = _sizes(size)
        chosen = (profile, associations, experts, int(seed))
    except ValueError:
        typer.echo(f"--instance {instance!r}: expected PROFILE:AxE:SEED", err=True)
        raise typer.Exit(2) from None
    if not (baseline / "matcher" / "encoding.py").is_file():
        typer.echo(f"--baseline {baseline}: not a Haken source tree", err=True)
        raise typer.Exit(2)
    before = os.getloadavg()[0]
    found = run(baseline.resolve(), Path(__file__).resolve().parent.parent, chosen, repeats)
    typer.echo(markdown(chosen, found, machine_description(), (before, os.getloadavg()[0])))


@app.command("wall")
def wall_command(
    baseline: Annotated[Path, typer.Option(
        help="An older source tree to compare with (git archive <commit> | tar -x -C DIR).")],
    instance: Annotated[str, typer.Option(help="PROFILE:AxE:SEED")] = "balanced:120x30:1",
    time_limit: Annotated[float, typer.Option(help="haken plan --time-limit.")] = 10.0,
    repeats: Annotated[int, typer.Option(min=1, help="Alternating rounds.")] = 2,
) -> None:
    """The whole `haken plan`, launch to exit, against its time limit: this tree beside
    an older one, alternating, with the plans' figures."""
    import json
    import os
    import tempfile

    from benchmarks.presearch import WholeRun, whole_markdown, whole_plan
    from benchmarks.suite import machine_description
    from simulation.generator import generate_scenario

    try:
        profile, size, seed = instance.split(":")
        (associations, experts), = _sizes(size)
        chosen = (profile, associations, experts, int(seed))
    except ValueError:
        typer.echo(f"--instance {instance!r}: expected PROFILE:AxE:SEED", err=True)
        raise typer.Exit(2) from None
    if not (baseline / "cli" / "main.py").is_file():
        typer.echo(f"--baseline {baseline}: not a Haken source tree with cli/", err=True)
        raise typer.Exit(2)
    current = Path(__file__).resolve().parent.parent
    before = os.getloadavg()[0]
    runs: dict[str, list[WholeRun]] = {"baseline": [], "current": []}
    with tempfile.TemporaryDirectory() as work:
        scenario = Path(work) / "scenario.json"
        scenario.write_text(json.dumps(generate_scenario(associations, experts, int(seed),
                                                         profile)), encoding="utf-8")
        for _ in range(repeats):
            for tree, path in (("baseline", baseline.resolve()), ("current", current)):
                runs[tree].append(whole_plan(path, scenario, time_limit, Path(work)))
    typer.echo(whole_markdown(chosen, time_limit, runs, machine_description(),
                              (before, os.getloadavg()[0])))


@app.command("readme")
def readme_command(
    results_dir: Annotated[Path, typer.Option(help="Where results files are.")] = RESULTS_DIR,
    readme: Annotated[Path, typer.Option(help="The README to rewrite.")] = README,
    results: Annotated[list[Path] | None, typer.Option(
        help="These results files (repeat the option) instead of the latest goal, quick "
             "or full one and the latest scale one.")] = None,
) -> None:
    """Rewrite the README's performance tables from the latest results files."""
    try:
        chosen = results or readme_results(results_dir)
        rewrite_readme(readme, chosen)
    except (FileNotFoundError, ValueError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{readme}: performance tables from {', '.join(map(str, chosen))}")


@app.command("feeds")
def feeds_command(
    rate: Annotated[float, typer.Option(min=1, help="Requests per second to hold.")] = 500.0,
    seconds: Annotated[float, typer.Option(min=1, max=120, help="Seconds of load per answer "
                                                                 "kind (200, 304).")] = 10.0,
    renders: Annotated[int, typer.Option(min=10, help="In-process renders to time.")] = 200,
    associations: Annotated[int, typer.Option(
        min=1, help="Applications generated; the one expert's feed gets ~3.5 sessions "
                    "each.")] = 58,
    server_workers: Annotated[int, typer.Option(
        min=1, help="haken serve --workers: HTTP server processes (one per core).")] = 2,
    results_dir: Annotated[Path, typer.Option(help="Where the results file goes.")] =
        RESULTS_DIR,
) -> None:
    """Calendar feeds: render time of ~200 sessions, and `haken serve` at a fixed rate."""
    # httpx (the dev extra) is needed only here.
    from benchmarks.feeds import markdown, run

    result, path = run(associations=associations, renders=renders, rate=rate, seconds=seconds,
                       server_workers=server_workers, results_dir=results_dir,
                       progress=lambda line: typer.echo(line, err=True))
    typer.echo(markdown(result))
    typer.echo(f"results written to {path}", err=True)


@app.command("recommend")
def recommend_command(
    sizes: Annotated[str, typer.Option(help="AxE pairs, comma-separated.")] = "120x30,2000x400",
    count: Annotated[int, typer.Option(min=1, help="Associations asked about per size.")] = 30,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 1,
    results_dir: Annotated[Path, typer.Option(help="Where the results file goes.")] =
        RESULTS_DIR,
) -> None:
    """`haken recommend`'s work per question (reading the inputs included): median, p95."""
    from benchmarks.recommend import markdown, run, write_results

    timings = run(_sizes(sizes), count, seed, lambda line: typer.echo(line, err=True))
    typer.echo(markdown(timings))
    typer.echo(f"results written to {write_results(timings, count, seed, results_dir)}",
               err=True)


@app.command("national")
def national_command(
    associations: Annotated[int, typer.Option(min=1, help="Applications.")] = 2000,
    experts: Annotated[int, typer.Option(min=1, help="Experts.")] = 400,
    time_limit: Annotated[float, typer.Option(
        min=1.0, help="Search seconds of the whole, shared by the parts by applications.")] =
        120.0,
    seed: Annotated[int, typer.Option(help="Generator and solver seed.")] = 1,
    ray: Annotated[str | None, typer.Option(
        metavar="ADDRESS", help="Also run the parts on a Ray cluster ('local' starts one "
                                "with --ray-cpus); needs haken[ray].")] = None,
    ray_cpus: Annotated[int, typer.Option(min=1, help="CPUs of a local Ray instance.")] = 2,
    whole: Annotated[bool, typer.Option(
        help="Also plan the whole scenario as one, for reference.")] = False,
    results_dir: Annotated[Path, typer.Option(help="Where the results file goes.")] =
        RESULTS_DIR,
) -> None:
    """A national programme by region: served/bound, coverage, gap dev, wall, peak memory,
    and with --ray the speed-up over the same parts in one process."""
    import tempfile

    from benchmarks.national import markdown, run, write_results
    from benchmarks.suite import machine_description

    with tempfile.TemporaryDirectory(prefix="haken-national-") as work:
        figures, generated = run(associations, experts, time_limit, seed, ray, ray_cpus,
                                 whole, Path(work), lambda line: typer.echo(line, err=True))
    text = markdown(figures, associations, experts, time_limit, seed, machine_description(),
                    generated)
    typer.echo(text)
    typer.echo(f"results written to {write_results(text, associations, experts, results_dir)}",
               err=True)
    if any(f.violations for f in figures):
        typer.echo("a plan breaks hard rules", err=True)
        raise typer.Exit(1)


@app.command("startup")
def startup_command(
    runs: Annotated[int, typer.Option(min=3, help="Counted runs of each command.")] = 10,
    results_dir: Annotated[Path, typer.Option(help="Where the results file goes.")] =
        RESULTS_DIR,
) -> None:
    """Start-up of `haken --help`, `--version` and `haken check`, beside `python -c pass`."""
    from benchmarks.startup import markdown, run, write_results

    timings = run(runs)
    typer.echo(markdown(timings))
    typer.echo(f"results written to {write_results(timings, results_dir)}", err=True)


app()
