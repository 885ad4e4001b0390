"""The FastAPI application: the API under /api/v1, its OpenAPI document at /openapi.json."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from domain.version import HAKEN_VERSION
from service.api import errors
from service.api.deps import reject_unstorable_text
from service.api.routes import (
    applications,
    associations,
    audit,
    exchange,
    experts,
    feeds,
    jobs,
    letters,
    plans,
    programme,
    replacements,
    reports,
    schedule,
    spreadsheets,
    tokens,
)
from service.config import Settings, get_settings
from service.console import site as console
from service.console.security import is_console_path
from service.web.headers import SecurityHeaders

API_PREFIX = "/api/v1"

DESCRIPTION = """\
The secretariat's service of Haken (派遣): applications and their screening,
experts and associations, solve jobs, plans, the published schedule,
replacements, calendar feeds, the secretariat's spreadsheets (template, import,
plan export to Excel and CSV) and the programme's report.

Every request needs `Authorization: Bearer <token>` (`haken token create`):
*viewer* reads, *staff* edits and plans, *admin* also manages tokens. Changes to
a record send `If-Match` with the ETag that was read.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    # Not started by ``haken serve`` (which knows where it listens): its default address.
    settings = (settings or get_settings()).listening_on("127.0.0.1", 8000)
    # Every body is limited as it is read (413 past it): JSON and forms by default, the
    # spreadsheet upload by its own setting below.
    app = FastAPI(title="Haken (派遣)", version=HAKEN_VERSION, description=DESCRIPTION,
                  max_body_size=settings.max_json_bytes)
    app.state.settings = settings
    errors.install(app)
    # First: calendar servers poll it all day, and routes are matched in order (behind
    # the API's hundred routes, matching took a quarter of a feed fetch).
    app.include_router(feeds.public_router)
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(reject_unstorable_text)])
    for module in (programme, experts, associations, applications, jobs, plans, schedule,
                   replacements, exchange, reports, letters, feeds, audit, tokens):
        api.include_router(module.router)
    api.include_router(spreadsheets.router, max_body_size=settings.max_upload_bytes)
    app.include_router(api)
    console.install(app)  # the web console at /
    app.add_middleware(SecurityHeaders, is_console_path=is_console_path,
                       behind_https=settings.behind_https)
    return app
