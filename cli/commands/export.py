"""``haken export``: a plan as Excel or CSV for the secretariat.

    haken export scenario.json plan.json -o plan.xlsx
    haken export scenario.json plan.json --csv plan-csv/

The workbook has every session (日程一覧), the unserved associations with their
reasons (未対応) and one sheet per expert; the CSV directory the same tables as
``sessions.csv``, ``unserved.csv`` and ``expert-<id>.csv``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import (
    EXIT_BAD_INPUT,
    MISMATCH_SHOWN,
    echo_first,
    fail,
    load_or_exit,
    write_atomically,
)

if TYPE_CHECKING:
    pass


class Language(enum.StrEnum):
    ja = "ja"
    en = "en"


def write_files(directory: Path, files: Mapping[str, bytes]) -> list[str]:
    """Each file written whole into ``directory`` (made if missing)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise fail(f"{directory}: cannot create the directory: {error.strerror}") from None
    for name, data in files.items():
        write_atomically(directory / name, data)
    return list(files)


def command(
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON the plan was made for.")],
    plan: Annotated[Path, typer.Argument(help="Plan JSON to export.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write the workbook (.xlsx).")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write CSV files into this directory.")
    ] = None,
    lang: Annotated[Language, typer.Option("--lang", help="Headers in ja or en.")] = Language.ja,
    show_all: Annotated[bool, typer.Option(
        "--all", help="List every error even when the plan was made for another scenario "
                      "(by default the first few, after the scenario_sha256 warning).")] = False,
) -> None:
    """Export a plan: all sessions, each expert's schedule and the unserved, to Excel or CSV."""
    from domain.loading import load_plan, load_scenario, scenario_sha256
    from spreadsheets import plan_csvs, plan_issues, plan_workbook
    if (output is None) == (csv_dir is None):
        raise fail("give exactly one of -o FILE.xlsx or --csv DIR")
    loaded_scenario = load_or_exit(load_scenario, scenario)
    loaded_plan = load_or_exit(load_plan, plan)
    mismatch = loaded_plan.scenario_sha256 != scenario_sha256(loaded_scenario)
    if mismatch:  # first: it explains every unknown id below
        typer.echo(f"warning: {plan} was made for another scenario or another version of "
                   f"{scenario} (scenario_sha256 differs)", err=True)
    problems = plan_issues(loaded_scenario, loaded_plan)
    if problems:
        typer.echo(f"{plan}: {len(problems)} error(s)", err=True)
        echo_first([f"  {p}" for p in problems],
                   MISMATCH_SHOWN if mismatch and not show_all else None, err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if output is not None:
        write_atomically(output, plan_workbook(loaded_scenario, loaded_plan, lang.value))
        typer.echo(f"{output}: {len(loaded_plan.sessions)} sessions, "
                   f"{len(loaded_scenario.experts)} expert sheets", err=True)
    else:
        assert csv_dir is not None
        names = write_files(csv_dir, plan_csvs(loaded_scenario, loaded_plan, lang.value))
        typer.echo(f"{csv_dir}: {len(names)} files", err=True)
