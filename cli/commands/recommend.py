"""``haken recommend``: options for one association, every other session held."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.commands.common import EXIT_BAD_INPUT, fail, load_or_exit, write_atomically


def _move_target(text: str) -> tuple[str, int]:
    association_id, colon, number = text.rpartition(":")
    if not colon or not association_id or not number.isdigit():
        raise fail(f"--move: {text!r} is not ASSOCIATION:N (e.g. A001:2)")
    return association_id, int(number)


def command(
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON (exchange format).")],
    plan: Annotated[Path, typer.Argument(help="Plan JSON whose sessions stay as they are.")],
    association: Annotated[str | None, typer.Option(
        "--association", help="An accepted association the plan does not serve.")] = None,
    move: Annotated[str | None, typer.Option(
        "--move", metavar="ASSOCIATION:N",
        help="Other dates and times for session N of a served association (the later "
             "ones move only where the gap rule needs it).")] = None,
    options: Annotated[int, typer.Option("-k", min=1, max=20,
                                         help="How many options at most.")] = 3,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write the JSON here instead of standard output.")] = None,
) -> None:
    """Options for one association on the phone: lead, joiners and a date and time for
    every session, ranked by the spec's objectives, every other session held.

    Prints {"association_id", "options": [{"rank", "sessions", "impact", "reasons"}],
    "unserved_reason"}; with no option, the reason as the plan's unserved gives it.
    Exits 0 with an answer (options or a reason), 2 on bad input.
    """
    if (association is None) == (move is None):
        raise fail("give exactly one of --association ID and --move ASSOCIATION:N")
    from domain.errors import InputError
    from domain.loading import load_plan, load_scenario
    from scheduler.recommend import recommend, recommend_move
    loaded_scenario = load_or_exit(load_scenario, scenario)
    loaded_plan = load_or_exit(load_plan, plan)
    try:
        if move is not None:
            association_id, number = _move_target(move)
            result = recommend_move(loaded_scenario, loaded_plan, association_id, number,
                                    options)
        else:
            assert association is not None
            result = recommend(loaded_scenario, loaded_plan, association, options)
    except InputError as error:
        typer.echo(error.render(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    text = json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomically(output, text.encode("utf-8"))
