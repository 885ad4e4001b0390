"""Service errors as HTTP answers: 404, 405, 409, 412, 413, 422 (with field paths), 428.

Every 422 lists at most ``MAX_LISTED`` problems (``omitted`` counts the rest), and a
problem shows at most an excerpt of the value it is about."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY

from domain.errors import InputError, excerpt
from service.logic.errors import Invalid, ServiceError
from service.web.too_large import too_large_detail
from spreadsheets import SpreadsheetError


class Problem(BaseModel):
    detail: str


MAX_LISTED = 100


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: str | int | float | bool | None = Field(
        default=None, description="The value given, or its first characters when long.")


_OMITTED = Field(default=0, description=f"Problems past the first {MAX_LISTED}, not listed.")


class FieldProblems(BaseModel):
    detail: list[FieldProblem]
    omitted: int = _OMITTED


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
    omitted: int = _OMITTED


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _unprocessable(problems: Iterable[dict[str, Any]], count: int) -> JSONResponse:
    """A 422 with the first ``MAX_LISTED`` problems and how many more there were."""
    listed: list[dict[str, Any]] = []
    for problem in problems:
        if len(listed) == MAX_LISTED:
            break
        listed.append(problem)
    return JSONResponse({"detail": listed, "omitted": count - len(listed)}, status_code=422)


def _shown_input(value: Any) -> str | int | float | bool | None:
    """What a problem shows of the value it is about: scalars (a long text cut, a number
    JSON cannot write as text); nothing of objects and arrays, whose place ``loc`` gives."""
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return None


def _field_problem(error: dict[str, Any]) -> dict[str, Any]:
    problem = {"loc": list(error["loc"]), "msg": excerpt(str(error["msg"]), 500),
               "type": error["type"]}
    shown = _shown_input(error.get("input"))
    if shown is not None:
        problem["input"] = shown
    return problem


def _allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document gives the request's path: FastAPI makes one route
    per method, and Starlette's 405 names only the first route that matched the path."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _malformed(_: Request, error: RequestValidationError) -> JSONResponse:
        found = error.errors()
        if any(e["type"] == "missing" and tuple(e["loc"]) == ("header", "if-match")
               for e in found):
            return _problem(428, "send If-Match with the ETag you read, so that no one's "
                                 "change is overwritten unseen")
        return _unprocessable((_field_problem(e) for e in found), len(found))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Any:
        if error.status_code == 413:
            limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
            return _problem(413, too_large_detail(limit))
        if error.status_code == 405 and (allowed := _allowed_methods(request)):
            return _problem(405, "method not allowed", headers={"Allow": ", ".join(allowed)})
        return await http_exception_handler(request, error)

    @app.exception_handler(Invalid)
    async def _invalid(_: Request, error: Invalid) -> JSONResponse:
        problems = ({"loc": [*error.prefix, *([issue.path] if issue.path else [])],
                     "msg": excerpt(issue.message, 500), "type": "value_error"}
                    for issue in error.issues)
        return _unprocessable(problems, len(error.issues))

    @app.exception_handler(SpreadsheetError)
    async def _sheets(_: Request, error: SpreadsheetError) -> JSONResponse:
        def problems() -> Iterable[dict[str, Any]]:
            for item in error.sheet_issues:
                place = [item.table, *([item.row] if item.row is not None else []),
                         *([item.column.ja] if item.column is not None else [])]
                yield {"loc": ["body", *place], "msg": item.text("ja"),
                       "type": "value_error", **item.as_dict()}

        return _unprocessable(problems(), len(error.sheet_issues))

    @app.exception_handler(InputError)
    async def _unreadable(_: Request, error: InputError) -> JSONResponse:
        # A file that cannot be read at all (not a workbook, not text): named, nothing written.
        problems = ({"loc": ["body", error.source, *([issue.path] if issue.path else [])],
                     "msg": excerpt(issue.message, 500), "type": "value_error"}
                    for issue in error.issues)
        return _unprocessable(problems, len(error.issues))

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
        413: ("The request body is larger than this operation takes.", Problem),
        422: ("Bad input; each problem names its field.", invalid),
        428: ("If-Match is missing, or is `*` where a version is needed.", Problem),
        429: ("Too many failed authentications from this address.", Problem),
        503: ("A part this operation needs is not installed here (named in detail).",
              Problem),
    }
    # Where a body or parameters can be malformed (422), the body can also be unreadable.
    chosen = sorted({401, 403, 429, *codes, *([400] if 422 in codes else [])})
    return {code: {"description": described[code][0], "model": described[code][1]}
            for code in chosen}


def errors_as_json(document: dict[str, Any]) -> dict[str, Any]:
    """Error answers are JSON whatever an operation's success is (an event stream, a
    file): FastAPI files an error's schema under the route's own media type."""
    for operation in (op for item in document.get("paths", {}).values()
                      for op in item.values() if isinstance(op, dict)):
        for code, answer in operation.get("responses", {}).items():
            content = answer.get("content", {})
            if code.isdigit() and int(code) >= 400 and content and (
                    "application/json" not in content):
                answer["content"] = {"application/json": next(iter(content.values()))}
    return document
