"""``haken template``: the sheets staff fill in, as an Excel workbook or CSV files.

    haken template -o template.xlsx
    haken template --csv templates/
    haken template --scenario scenario.json -o registry.xlsx   # filled with its records

The workbook has a notes sheet (記入方法) explaining every column in Japanese
with English beside it, and dropdowns for the enumerated columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import fail, load_or_exit, write_atomically
from cli.commands.export import Language, write_files

if TYPE_CHECKING:
    pass


def command(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write the workbook (.xlsx).")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write CSV templates into this directory.")
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Fill the sheets with this scenario's records."),
    ] = None,
    lang: Annotated[Language, typer.Option("--lang", help="Headers in ja or en.")] = Language.ja,
) -> None:
    """Write the template for experts and applications (Excel, or CSV with --csv)."""
    from domain.loading import load_scenario
    from spreadsheets import template_csvs, template_workbook
    if (output is None) == (csv_dir is None):
        raise fail("give exactly one of -o FILE.xlsx or --csv DIR")
    loaded = load_or_exit(load_scenario, scenario) if scenario is not None else None
    if output is not None:
        write_atomically(output, template_workbook(loaded, lang.value))
        typer.echo(f"{output}: template written", err=True)
    else:
        assert csv_dir is not None
        names = write_files(csv_dir, template_csvs(loaded, lang.value))
        typer.echo(f"{csv_dir}: {', '.join(names)}", err=True)
