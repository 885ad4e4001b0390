"""The programme's report: totals and tables, each table with a bar chart drawn as SVG on
the server, and the same report downloaded as an Excel workbook with the session cookie."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain.report import ReportTable
from service.console.toolkit import SignedInDep, language, render
from service.logic import sheets
from service.web.dependencies import DbDep
from service.web.files import CSV, XLSX, download
from spreadsheets import report_csv, report_workbook

router = APIRouter(include_in_schema=False)

# Dark enough for 3:1 against white (non-text contrast), and told apart without colour by
# the legend's order and each bar's tooltip.
SERIES_COLOURS = ("#0b4f9c", "#b35900", "#2f6b2f")
MOST_SERIES = len(SERIES_COLOURS)
LABEL_WIDTH, PLOT_WIDTH, BAR_HEIGHT, GAP, TOP, AXIS = 190, 420, 11, 8, 34, 24


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    colour: str
    value: int | float
    title: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart's geometry: a row of bars per category, a bar per series."""

    name: str
    title: str
    width: int
    height: int
    legend: list[tuple[str, str, float]]  # label, colour, x
    rows: list[tuple[str, float]]  # category label, y of its middle
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # x, value
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    top: int = TOP


def nice_ceiling(value: int) -> tuple[int, int]:
    """A round axis end at or above ``value`` and its tick step (1, 2 or 5 times 10^k)."""
    if value <= 0:
        return 1, 1
    rough = value / 4
    magnitude = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return step * math.ceil(value / step), step


def bar_chart(table: ReportTable, labels: dict[str, dict[str, str]], lang: str) -> Chart | None:
    """The table's figures that are known, as bars; None when there is nothing to draw."""
    columns = [c for c in table.columns
               if any(row.values.get(c) is not None for row in table.rows)][:MOST_SERIES]
    if not columns or not table.rows:
        return None
    top_value, step = nice_ceiling(math.ceil(max(row.values.get(c) or 0 for row in table.rows
                                                 for c in columns)))
    scale = PLOT_WIDTH / top_value
    row_height = len(columns) * BAR_HEIGHT + GAP
    rows, bars = [], []
    for index, row in enumerate(table.rows):
        category = row.label if lang == "ja" else row.label_en
        y = TOP + index * row_height
        rows.append((category, y + row_height / 2))
        for number, column in enumerate(columns):
            value = row.values.get(column) or 0
            bars.append(Bar(y=y + GAP / 2 + number * BAR_HEIGHT, width=value * scale,
                            colour=SERIES_COLOURS[number], value=value,
                            title=f"{category} {labels[column][lang]}: {value}"))
    legend = [(labels[c][lang], SERIES_COLOURS[n], LABEL_WIDTH + n * 150.0)
              for n, c in enumerate(columns)]
    ticks = [(LABEL_WIDTH + v * scale, v) for v in range(0, top_value + 1, step)]
    return Chart(name=table.name, title=table.title if lang == "ja" else table.title_en,
                 width=LABEL_WIDTH + PLOT_WIDTH + 20,
                 height=TOP + len(table.rows) * row_height + AXIS, legend=legend, rows=rows,
                 bars=bars, ticks=ticks)


@router.get("/reports")
def reports_page(request: Request, db: DbDep, who: SignedInDep) -> HTMLResponse:
    report = sheets.report(db)
    lang = language(request)
    return render(request, "reports.html", {
        "report": report,
        "charts": {table.name: bar_chart(table, report.figure_labels, lang)
                   for table in report.tables},
        "figure": lambda key: report.figure_labels[key][lang],
    }, who)


@router.get("/reports/haken-report.xlsx")
def report_download(request: Request, db: DbDep, who: SignedInDep) -> Response:
    """The API's workbook (GET /api/v1/reports.xlsx), for a signed-in console session."""
    return download(report_workbook(sheets.report(db), language(request)), XLSX,
                    "haken-report.xlsx")


@router.get("/reports/haken-report.csv")
def report_csv_download(db: DbDep, who: SignedInDep) -> Response:
    """The API's CSV (GET /api/v1/reports.csv), for a signed-in console session."""
    return download(report_csv(sheets.report(db)), CSV, "haken-report.csv")
