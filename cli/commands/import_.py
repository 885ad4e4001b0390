"""``haken import``: experts and applications from the secretariat's sheets into a scenario.

    haken import sheets.xlsx -o scenario.json
    haken import sheets.xlsx --base scenario.json -o scenario.json
    haken import --experts experts.csv --applications applications.csv -o scenario.json

Rows replace the base scenario's records with the same id; records of a kind no
sheet gives stay as they are. Without ``--base`` the programme is the default
Tokyo programme. Every problem is named (sheet, row, column), exit 2, nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import fail, load_or_exit, write_atomically

if TYPE_CHECKING:
    from spreadsheets import Table


def command(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the scenario.")],
    workbook: Annotated[
        Path | None,
        typer.Argument(help="Excel workbook (.xlsx) with the sheets 専門家 and/or 申込団体."),
    ] = None,
    experts: Annotated[
        Path | None, typer.Option("--experts", help="Experts as CSV (the template's columns).")
    ] = None,
    applications: Annotated[
        Path | None,
        typer.Option("--applications", help="Applications as CSV (the template's columns)."),
    ] = None,
    base: Annotated[
        Path | None,
        typer.Option("--base", help="Scenario to merge into (its programme and other records)."),
    ] = None,
) -> None:
    """Import experts and applications from Excel or CSV sheets into a scenario (JSON)."""
    from domain.errors import InputError
    from domain.loading import load_scenario
    from spreadsheets import import_tables, read_csv, read_xlsx
    from spreadsheets.columns import APPLICATION_SHEET, EXPERT_SHEET
    if workbook is None and experts is None and applications is None:
        raise fail("give a workbook (.xlsx), or --experts and/or --applications CSV files")
    if workbook is not None and workbook.suffix.lower() == ".csv":
        raise fail(f"{workbook}: for CSV files use --experts FILE and/or --applications FILE")
    base_document = None
    if base is not None:
        base_document = load_or_exit(load_scenario, base).model_dump(mode="json",
                                                                     exclude_none=True)
    source = " + ".join(str(p) for p in (workbook, experts, applications) if p is not None)
    try:
        tables: list[Table] = []
        if workbook is not None:
            tables += read_xlsx(workbook, str(workbook))
        if experts is not None:
            tables.append(read_csv(experts, EXPERT_SHEET, str(experts)))
        if applications is not None:
            tables.append(read_csv(applications, APPLICATION_SHEET, str(applications)))
        result = import_tables(tables, base_document, source,
                               base_source=str(base) if base else "default programme")
    except InputError as error:
        typer.echo(error.render(), err=True)
        raise typer.Exit(2) from None
    text = json.dumps(result.document, ensure_ascii=False, indent=2) + "\n"
    write_atomically(output, text.encode("utf-8"))
    scenario = result.scenario
    rows = ", ".join(f"{count} {kind} row(s)" for kind, count in result.imported.items())
    typer.echo(f"{output}: {len(scenario.experts)} experts, {len(scenario.associations)} "
               f"associations ({len(scenario.accepted)} accepted); read {rows}", err=True)
