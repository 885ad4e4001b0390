"""``haken report``: the programme's figures for the metropolitan government.

    haken report scenario.json plan.json --held held.csv --format csv -o report.csv

Applications, acceptances, associations planned and served, sessions planned and
held: in total, by month, by industry and by expert qualification. ``--held`` is
a CSV (団体ID, 回, optional 実施日) or JSON list of the sessions that took place;
``--outcomes`` the service's outcomes (``GET /api/v1/reports/outcomes``): no-shows,
cancellations, late reports, ratings and manuals completed, counted beside them.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import EXIT_BAD_INPUT, fail, load_or_exit, write_atomically

if TYPE_CHECKING:
    from domain.report import Outcomes


class Format(enum.StrEnum):
    json = "json"
    csv = "csv"


def command(
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON.")],
    plan: Annotated[Path | None, typer.Argument(help="Plan JSON (optional).")] = None,
    held: Annotated[
        Path | None,
        typer.Option("--held", help="Sessions held: CSV (団体ID, 回, 実施日) or JSON list."),
    ] = None,
    outcomes: Annotated[
        Path | None,
        typer.Option("--outcomes", help="Outcomes JSON (GET /api/v1/reports/outcomes): "
                                        "no-shows, cancellations, late reports, ratings, "
                                        "manuals completed."),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", help="json, or csv for Excel.")
    ] = Format.json,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: standard output).")
    ] = None,
) -> None:
    """Report applications, acceptances, service and sessions by month, industry, qualification."""
    from domain.errors import InputError
    from domain.loading import load_plan, load_scenario
    from reports import ReportInput, build_report
    from spreadsheets import read_held, report_csv
    loaded_scenario = load_or_exit(load_scenario, scenario)
    loaded_plan = load_or_exit(load_plan, plan) if plan is not None else None
    try:
        held_sessions = None
        if held is not None:
            try:
                data = held.read_bytes()
            except OSError as error:
                raise fail(f"{held}: cannot read: {error.strerror}") from None
            held_sessions = read_held(data, str(held))
        loaded_outcomes = _read_outcomes(outcomes) if outcomes is not None else None
        report = build_report(ReportInput(loaded_scenario, loaded_plan, held_sessions,
                                          source=str(held or plan or scenario),
                                          outcomes=loaded_outcomes))
    except InputError as error:
        typer.echo(error.render(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if output_format is Format.csv:
        data = report_csv(report)
    else:
        text = json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2)
        data = (text + "\n").encode("utf-8")
    if output is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        write_atomically(output, data)


def _read_outcomes(path: Path) -> Outcomes:
    """The outcomes file, or an error naming the file and each bad field."""
    from pydantic import ValidationError

    from domain.errors import InputError, Issue
    from domain.report import Outcomes

    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail(f"{path}: cannot read: {error.strerror}") from None
    try:
        return Outcomes.model_validate_json(data)
    except ValidationError as error:
        raise InputError(str(path), [
            Issue(".".join(str(p) for p in issue["loc"]) or "(document)", issue["msg"])
            for issue in error.errors()]) from None
