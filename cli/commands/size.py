"""``haken size``: how many experts of each kind for N applications, by simulation."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import fail, write_atomically
from simulation.profiles import PROFILES

if TYPE_CHECKING:
    from rich.table import Table

    from simulation.sizing import Sizing


def _volumes(text: str) -> list[int]:
    try:
        volumes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise fail(f"--applications: {text!r} is not a comma-separated list of numbers") from None
    if not volumes or any(v <= 0 for v in volumes):
        raise fail(f"--applications: {text!r} must list positive numbers of applications")
    return volumes


def _confirmed(confirmed: bool | None) -> str:
    if confirmed is None:
        return "– not run"
    return "✓ 確認 yes" if confirmed else "✗ 未達 no"


def table(sizing: Sizing) -> Table:
    """One column per volume, one row per kind of expert, then totals and the planner's check."""
    from rich.table import Table
    result = Table(
        title=(f"必要な専門家数 Experts needed for {sizing.service_level:.0%} of servable "
               f"applications ({sizing.profile}, {len(sizing.seeds)} seeds)"),
        caption=("n (≥m): n experts are enough in every seed (greedy plan); the matcher's "
                 "upper bound proves that fewer than m cannot serve the target. The rows "
                 "below the totals are the smallest over the seeds."))
    result.add_column("申請数 applications")
    for row in sizing.rows:
        result.add_column(str(row.volume), justify="right")
    for kind in sizing.kinds:
        result.add_row(f"{kind.ja} {kind.key}",
                       *(f"{row.experts[kind.key]} (≥{row.at_least[kind.key]})"
                         for row in sizing.rows))
    result.add_row("計 total", *(str(row.total) for row in sizing.rows), end_section=True)
    result.add_row("受理 accepted", *(str(row.accepted) for row in sizing.rows))
    result.add_row("対応可能 servable", *(str(row.servable) for row in sizing.rows))
    result.add_row("目標 target", *(str(row.target) for row in sizing.rows))
    result.add_row("計画 planner served",
                   *("–" if row.planner_served is None else str(row.planner_served)
                     for row in sizing.rows))
    result.add_row("確認 confirmed", *(_confirmed(row.confirmed) for row in sizing.rows))
    return result


def command(
    applications: Annotated[str, typer.Option(
        "--applications", help="Volumes to size, comma-separated numbers of applications.")
    ] = "50,100,200,400,800",
    profile: Annotated[str, typer.Option(
        "--profile", help=f"Generator profile, one of: {', '.join(PROFILES)}.")] = "balanced",
    seeds: Annotated[int, typer.Option(
        "--seeds", min=1, help="Simulated seeds per volume (1..N); the table shows the worst.")
    ] = 5,
    service_level: Annotated[float, typer.Option(
        "--service-level", min=0.01, max=1.0,
        help="Share of the servable applications to serve.")] = 0.95,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0.0,
        help="Planner seconds for each confirming plan; 0 skips the planner.")] = 30.0,
    workers: Annotated[int, typer.Option(
        "--workers", min=1,
        help="Processes in parallel (local pool, or CPUs of a local Ray instance).")] = 2,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Write the plot (PNG) here.")] = Path("sizing.png"),
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Also write every figure, per seed and kind, as JSON here.")] = None,
    ray: Annotated[str | None, typer.Option(
        "--ray", metavar="ADDRESS",
        help="Run the sweep on a Ray cluster ('local' starts one); needs haken[ray].")] = None,
) -> None:
    """How many experts of each qualification a programme needs for each volume.

    For every volume and seed the applications are simulated; the experts of each kind
    are found by bisection over simulated pools with the greedy baseline (enough) and
    the matcher's upper bound (at least), then the combined pool is planned by the
    planner and checked. Counts never fall as the volume grows.
    """
    from rich.console import Console

    from simulation.executor import make_executor
    from simulation.sizing import plot, size
    volumes = _volumes(applications)
    if profile not in PROFILES:
        raise fail(f"--profile: unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}")
    for path in (output, json_path):
        if path is not None and not path.resolve().parent.is_dir():
            raise fail(f"cannot write {path}: its directory does not exist")
    console = Console(stderr=True)
    try:
        executor = make_executor(workers, ray)
    except RuntimeError as error:
        raise fail(str(error)) from None
    console.print(f"sizing on a {executor.description}")
    with ExitStack() as stack:
        try:
            stack.enter_context(executor)
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise fail(f"--ray {ray}: cannot start or reach the cluster: {error}") from None
        sizing = size(volumes, profile, list(range(1, seeds + 1)), service_level, time_limit,
                      1, executor, progress=lambda text: console.print(f"  {text}"))
    Console(width=max(Console().width, 100)).print(table(sizing))
    typer.echo(sizing.method)
    write_atomically(output, plot(sizing))
    typer.echo(f"plot written to {output}")
    if json_path is not None:
        text = json.dumps(sizing.to_json(), ensure_ascii=False, indent=2) + "\n"
        write_atomically(json_path, text.encode("utf-8"))
        typer.echo(f"figures written to {json_path}")
