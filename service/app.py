"""The FastAPI application: the API under /api/v1, its OpenAPI document at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from domain.version import HAKEN_VERSION
from service.api import errors
from service.api.deps import reject_unstorable_text
from service.api.routes import (
    application_window,
    applications,
    associations,
    audit,
    exchange,
    experts,
    feeds,
    jobs,
    letters,
    outbox,
    payees,
    payment_adjustments,
    payment_months,
    plans,
    programme,
    recommendations,
    replacements,
    reports,
    schedule,
    session_life,
    spreadsheets,
    tokens,
)
from service.config import Settings, get_settings
from service.console import site as console
from service.console.security import is_console_path
from service.web.headers import SecurityHeaders
from service.web.too_large import TooLargeAsJson

API_PREFIX = "/api/v1"

DESCRIPTION = """\
The secretariat's service of Haken (派遣): applications and their screening,
experts and associations, solve jobs, plans, the published schedule,
replacements, recommendations (options for one association on the phone), calendar
feeds, the secretariat's spreadsheets (template, import,
plan export to Excel and CSV), the programme's report, and payments (payees and their
bank accounts, the monthly close, statements, the Zengin transfer file, yearly totals).

Every request needs `Authorization: Bearer <token>` (`haken token create`):
*viewer* reads, *staff* edits and plans, *admin* also manages tokens. Changes to
a record send `If-Match` with the ETag that was read.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    # Not started by ``haken serve`` (which knows where it listens): its default address.
    settings = (settings or get_settings()).listening_on("127.0.0.1", 8000)
    app = FastAPI(title="Haken (派遣)", version=HAKEN_VERSION, description=DESCRIPTION)
    app.state.settings = settings
    errors.install(app)
    _json_errors_in_openapi(app)
    # First: calendar servers poll it all day, and routes are matched in order (behind
    # the API's hundred routes, matching took a quarter of a feed fetch).
    app.include_router(feeds.public_router)
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(reject_unstorable_text)])
    for module in (programme, experts, associations, applications, jobs, plans, schedule,
                   session_life, replacements, recommendations, exchange, reports, letters,
                   feeds, audit, outbox, tokens, payees, payment_months, payment_adjustments,
                   application_window):
        api.include_router(module.router)
    api.include_router(spreadsheets.router, max_body_size=settings.max_upload_bytes)
    app.include_router(api)
    console.install(app)  # the web console at /
    # Every body is limited as it is read (413 past it): JSON and forms by default, the
    # spreadsheet upload by its own setting above. Inside the two below (FastAPI's own
    # max_body_size sits outside them), so a 413 is JSON and has its headers.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_json_bytes)
    app.add_middleware(TooLargeAsJson, is_console_path=is_console_path)
    app.add_middleware(SecurityHeaders, is_console_path=is_console_path,
                       behind_https=settings.behind_https)
    return app


def _json_errors_in_openapi(app: FastAPI) -> None:
    make_document = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = errors.errors_as_json(make_document())
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
