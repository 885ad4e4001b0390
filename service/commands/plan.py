"""``haken plan``: a scenario in, a checked plan out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from domain.checker import check_plan
from domain.errors import InputError
from domain.loading import load_scenario
from scheduler.solve import Progress, SolveOptions, solve
from service.commands.common import EXIT_BAD_INPUT, load_or_exit, write_atomically


def command(
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON (exchange format).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the plan JSON.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Seconds for the whole solve.")
    ] = 60.0,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="CP-SAT workers; 1 is deterministic.")
    ] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
) -> None:
    """Plan every accepted association: who leads, who joins, and when each session is."""
    console = Console(stderr=True, highlight=False)
    loaded = load_or_exit(load_scenario, scenario)

    def show(progress: Progress) -> None:
        if not quiet:
            console.print(
                f"[{progress.stage:>8}] {progress.elapsed:6.1f}s  "
                f"objective {progress.objective:g}  bound {progress.bound:g}"
                + (f"  ({progress.detail})" if progress.detail else "")
            )

    try:
        result = solve(loaded, SolveOptions(time_limit=time_limit, workers=workers, seed=seed,
                                            progress=show))
    except InputError as error:
        typer.echo(error.render(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
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
