"""The figures the programme reports to the metropolitan government, from the current state."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from domain.loading import parse_scenario
from domain.report import Outcomes, Report
from reports import ReportInput, build_report
from service.api import examples
from service.api.deps import AuthenticatedRoute, Viewer
from service.api.errors import responses
from service.logic import session_life, sheets
from service.web.dependencies import DbDep
from service.web.files import CSV, XLSX, download, file_answer
from spreadsheets import report_csv, report_workbook

router = APIRouter(tags=["reports"], route_class=AuthenticatedRoute)

# The report of the spec's example scenario (one accepted application, no schedule yet).
EXAMPLE = build_report(ReportInput(parse_scenario(examples.SCENARIO))).model_dump(mode="json")


@router.get("/reports", response_model=Report,
            responses={200: {"content": {"application/json": {"example": EXAMPLE}}},
                       **responses(409)})
def report(_: Viewer, db: DbDep) -> Report:
    """Applications, decisions, associations planned and served, sessions planned and held:
    in total, by month, by industry and by expert qualification.

    Planned figures count the current schedule (absent, null, until one is published
    or pinned); held figures the sessions recorded as held."""
    return sheets.report(db)


@router.get("/reports.csv", response_class=Response,
            responses={**file_answer("The same tables as one CSV (UTF-8 with BOM): Japanese "
                                     "headers, the English ones under them.", CSV),
                       **responses(409)})
def report_as_csv(_: Viewer, db: DbDep) -> Response:
    """The report as CSV for Excel."""
    return download(report_csv(sheets.report(db)), CSV, "haken-report.csv")


@router.get("/reports.xlsx", response_class=Response,
            responses={**file_answer("The same tables as an Excel workbook: the totals, then "
                                     "one sheet per table.", XLSX),
                       **responses(409, 422)})
def report_as_workbook(_: Viewer, db: DbDep,
                       lang: Annotated[Literal["ja", "en"], Query(
                           description="Sheet names and headers in ja or en.")] = "ja",
                       ) -> Response:
    """The report as an Excel workbook."""
    return download(report_workbook(sheets.report(db), lang), XLSX, "haken-report.xlsx")


@router.get("/reports/outcomes", response_model=Outcomes, responses=responses(409))
def outcomes(_: Viewer, db: DbDep) -> Outcomes:
    """What became of the sessions (held with late reports and ratings, no-shows,
    cancellations) and the manuals the surveys report: the outcomes the report counts,
    as ``haken report --outcomes`` reads them."""
    return session_life.outcomes(db)
