"""``python -m benchmarks compare``: the baseline and the planner, side by side."""

from __future__ import annotations

from typing import Annotated

import typer

from benchmarks.compare import compare, markdown

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


app()
