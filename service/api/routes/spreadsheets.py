"""The secretariat's sheets: the template to fill in, and importing the filled sheets."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field

from service.api.deps import AuthenticatedRoute, Staff, Viewer
from service.api.errors import SheetProblems, responses
from service.logic import sheets, state
from service.web.dependencies import DbDep, SettingsDep
from service.web.files import XLSX, ZIP, download, file_answer, zipped
from spreadsheets import SheetLimits, template_csvs, template_workbook

router = APIRouter(prefix="/spreadsheets", tags=["spreadsheets"], route_class=AuthenticatedRoute)

Lang = Annotated[Literal["ja", "en"], Query(description="Headers and labels in ja or en.")]


class ImportOut(BaseModel):
    experts: int = Field(description="Rows read from the experts sheet (専門家).")
    associations: int = Field(description="Rows read from the applications sheet (申込団体).")
    created: list[str] = Field(examples=[["expert E021", "association A061"]])
    updated: list[str] = Field(examples=[["expert E003"]])
    unchanged: int = Field(description="Records the sheets left exactly as they were.")


@router.get(
    "/template", response_class=Response,
    responses={**file_answer("The workbook (`format=xlsx`), or a zip of experts.csv, "
                             "applications.csv and notes.csv (`format=csv`).", XLSX, ZIP),
               **responses(409, 422)})
def template(_: Viewer, db: DbDep,
             format: Annotated[Literal["xlsx", "csv"], Query(
                 description="xlsx: one workbook with notes (記入方法) and dropdowns; csv: "
                             "a zip of one UTF-8 (BOM) CSV per sheet.")] = "xlsx",
             lang: Lang = "ja",
             filled: Annotated[bool, Query(
                 description="Fill the sheets with the current experts and applications "
                             "instead of one example row each.")] = False) -> Response:
    """The sheets 専門家 (experts) and 申込団体 (applications) to fill in and import."""
    scenario = state.current_scenario(db) if filled else None
    if format == "csv":
        return download(zipped(template_csvs(scenario, lang)), ZIP, "haken-template.zip")
    return download(template_workbook(scenario, lang), XLSX, "haken-template.xlsx")


@router.post("/import", response_model=ImportOut,
             responses=responses(409, 422, invalid=SheetProblems))
def import_sheets(
    actor: Staff, db: DbDep, settings: SettingsDep,
    workbook: Annotated[UploadFile | None, File(
        description="An .xlsx with the sheets 専門家 and/or 申込団体 (other sheets are "
                    "ignored).")] = None,
    experts: Annotated[UploadFile | None, File(
        description="Experts as CSV (UTF-8 or Shift_JIS), the template's columns.")] = None,
    applications: Annotated[UploadFile | None, File(
        description="Applications as CSV (UTF-8 or Shift_JIS), the template's columns.")]
        = None,
) -> ImportOut:
    """Merge the sheets' experts and applications into the current state, all or nothing.

    A row replaces the record with the same id; records no row names stay, and so
    do the schedule and the screening records. Every bad row, column or cell
    comes back at once in one 422 (sheet, row, column, in Japanese and English),
    and then nothing is written.
    """
    uploads = {name: sheets.Upload(upload.filename or name, upload.file.read())
               for name, upload in (("workbook.xlsx", workbook), ("experts.csv", experts),
                                    ("applications.csv", applications))
               if upload is not None}
    result = sheets.import_sheets(db, actor.name, uploads.get("workbook.xlsx"),
                                  uploads.get("experts.csv"), uploads.get("applications.csv"),
                                  SheetLimits(settings.max_sheet_unpacked_bytes,
                                              settings.max_sheet_cells))
    db.commit()
    return ImportOut(experts=result.experts, associations=result.associations,
                     created=result.created, updated=result.updated,
                     unchanged=result.unchanged)
