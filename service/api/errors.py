"""Service errors as HTTP answers: 404, 409, 412, 422 (with field paths), 428."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import InputError
from service.logic.errors import Invalid, ServiceError
from spreadsheets import SpreadsheetError


class Problem(BaseModel):
    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class FieldProblems(BaseModel):
    detail: list[FieldProblem]


class SheetProblem(FieldProblem):
    """A bad cell, row or column of an uploaded sheet, as staff see it."""

    sheet: str | None = Field(default=None, description="The sheet or CSV file.",
                              examples=["専門家"])
    row: int | None = Field(default=None, description="The row as Excel numbers it.",
                            examples=[3])
    record_id: str | None = Field(default=None, examples=["E003"])
    column: str | None = Field(default=None, description="The column header in Japanese.",
                               examples=["上限団体数"])
    column_en: str | None = Field(default=None, examples=["Max associations"])
    message: str | None = Field(default=None, examples=["整数ではありません（五）"])
    message_en: str | None = Field(default=None, examples=["not an integer ('五')"])
    text: str | None = Field(default=None, description="Place and message in Japanese.",
                             examples=["専門家!行3 (E003) 上限団体数: 整数ではありません（五）"])
    text_en: str | None = Field(default=None, examples=[
        "専門家!row 3 (E003) Max associations: not an integer ('五')"])


class SheetProblems(BaseModel):
    detail: list[SheetProblem]


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Invalid)
    async def _invalid(_: Request, error: Invalid) -> JSONResponse:
        detail = [{"loc": [*error.prefix, *([issue.path] if issue.path else [])],
                   "msg": issue.message, "type": "value_error"} for issue in error.issues]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(SpreadsheetError)
    async def _sheets(_: Request, error: SpreadsheetError) -> JSONResponse:
        detail = []
        for item in error.sheet_issues:
            place = [item.table, *([item.row] if item.row is not None else []),
                     *([item.column.ja] if item.column is not None else [])]
            detail.append({"loc": ["body", *place], "msg": item.text("ja"),
                           "type": "value_error", **item.as_dict()})
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(InputError)
    async def _unreadable(_: Request, error: InputError) -> JSONResponse:
        # A file that cannot be read at all (not a workbook, not text): named, nothing written.
        detail = [{"loc": ["body", error.source, *([issue.path] if issue.path else [])],
                   "msg": issue.message, "type": "value_error"} for issue in error.issues]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(ServiceError)
    async def _service(_: Request, error: ServiceError) -> JSONResponse:
        return _problem(error.status_code, error.message)

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, __: StaleDataError) -> JSONResponse:
        # Two changes raced past the If-Match check; the database kept the first.
        return _problem(412, "the record changed while this request was being made; "
                             "read it again and retry")

    @app.exception_handler(DataError)
    async def _unstorable(_: Request, error: DataError) -> JSONResponse:
        # e.g. a NUL character, which PostgreSQL text cannot hold; nothing was written.
        reason = str(error.orig).splitlines()[0] if error.orig else "unstorable value"
        detail = [{"loc": ["request"], "msg": f"a value cannot be stored: {reason}",
                   "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, __: IntegrityError) -> JSONResponse:
        return _problem(409, "the change conflicts with a record written at the same time; "
                             "read again and retry")


def responses(*codes: int, invalid: type[BaseModel] = FieldProblems,
              ) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers an operation may give."""
    described = {
        400: ("The body is not valid JSON.", Problem),
        401: ("No valid bearer token.", Problem),
        403: ("The token's role may not do this.", Problem),
        404: ("No such record.", Problem),
        409: ("The current state does not allow this.", Problem),
        412: ("If-Match names a version that is no longer current.", Problem),
        422: ("Bad input; each problem names its field.", invalid),
        428: ("If-Match is missing.", Problem),
        429: ("Too many failed authentications from this address.", Problem),
    }
    # Where a body or parameters can be malformed (422), the body can also be unreadable.
    chosen = sorted({401, 403, 429, *codes, *([400] if 422 in codes else [])})
    return {code: {"description": described[code][0], "model": described[code][1]}
            for code in chosen}
