"""``haken check``: does a plan obey every hard rule of its scenario?"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import EXIT_RULES_BROKEN, MISMATCH_SHOWN, echo_first, load_or_exit

if TYPE_CHECKING:
    from domain.checker import Violation
    from domain.plan import Plan


def summary(violations: list[Violation], plan: Plan) -> str:
    """The last line: OK with the plan's size, or the count of violations per rule."""
    from domain.checker import RULES
    if not violations:
        served = len({session.association_id for session in plan.sessions})
        return (f"OK: 0 violations of {len(RULES)} rules "
                f"({len(plan.sessions)} sessions, {served} served)")
    per_rule = Counter(v.rule for v in violations)
    # In the rules' own order, so the summary reads like the rule book.
    parts = [f"{rule.__name__} {per_rule[rule.__name__]}"
             for rule in RULES if rule.__name__ in per_rule]
    noun = "violation" if len(violations) == 1 else "violations"
    return f"{len(violations)} {noun}: {', '.join(parts)}"


def command(
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON the plan was made for.")],
    plan: Annotated[Path, typer.Argument(help="Plan JSON to check against the nine hard rules.")],
    show_all: Annotated[bool, typer.Option(
        "--all", help="List every violation even when the plan was made for another scenario "
                      "(by default the first few, after the scenario_sha256 warning).")] = False,
) -> None:
    """Check a plan against the hard rules: one line per violation, then a summary.

    Exits 0 when every rule holds, 1 when any is broken, 2 on unreadable input.
    """
    from domain.checker import check_plan, scenario_hash_matches
    from domain.loading import load_plan, load_scenario
    loaded_scenario = load_or_exit(load_scenario, scenario)
    loaded_plan = load_or_exit(load_plan, plan)
    mismatch = not scenario_hash_matches(loaded_scenario, loaded_plan)
    if mismatch:  # first: it explains every unknown id below
        typer.echo(
            f"warning: {plan} records scenario_sha256 {loaded_plan.scenario_sha256!r}, "
            f"which is not the hash of {scenario}: the plan was made for another scenario "
            "or another version of it",
            err=True,
        )
    violations = check_plan(loaded_scenario, loaded_plan)
    echo_first([str(v) for v in violations],
               MISMATCH_SHOWN if mismatch and not show_all else None)
    typer.echo(summary(violations, loaded_plan))
    if violations:
        raise typer.Exit(EXIT_RULES_BROKEN)
