"""Calendar feeds: staff manage the secret links; subscribers' calendars fetch the .ics."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime, parsedate_to_datetime

import anyio
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from domain.limits import RecordId
from service.api.deps import AuthenticatedRoute, RowId, Staff
from service.api.errors import responses
from service.db.engine import event_loop_session_factory, is_sqlite, session_factory
from service.db.models import FeedTokenRow
from service.logic import feeds
from service.logic.bodies import RequestBody
from service.logic.feeds import Subject
from service.web.dependencies import DbDep, SettingsDep, get_settings

router = APIRouter(prefix="/feeds", tags=["feeds"], route_class=AuthenticatedRoute)
# Fetches that run at once. A cached fetch is a fraction of a millisecond of database
# work; more threads than the connection pool keeps (5) only add lock contention and
# connections opened and closed per request.
_FETCHES = anyio.CapacityLimiter(4)
# Outside /api/v1 and without bearer tokens: calendar servers fetch it on their own.
public_router = APIRouter(tags=["feeds"])


class FeedRequest(RequestBody):
    subject: Subject = Field(examples=["expert"])
    subject_id: RecordId = Field(examples=["E001"])


class FeedOut(BaseModel):
    id: int
    subject: str
    subject_id: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row: FeedTokenRow) -> FeedOut:
        return cls(id=row.id, subject=row.subject, subject_id=row.subject_id,
                   created_at=row.created_at, created_by=row.created_by,
                   revoked_at=row.revoked_at)


class NewFeed(FeedOut):
    https: str = Field(description="For Google Calendar (From URL) and Outlook on the web. "
                                   "Shown only this once.")
    webcal: str = Field(description="Opens the subscribe dialog of Apple Calendar and "
                                    "Outlook desktop.")


@router.post("", response_model=NewFeed, status_code=201, responses=responses(404, 422))
def create_feed(actor: Staff, db: DbDep, settings: SettingsDep, body: FeedRequest) -> NewFeed:
    """A new secret feed link for an expert or an association; the previous one stops."""
    row, secret = feeds.create(db, body.subject, body.subject_id, actor.name)
    db.commit()
    https, webcal = feeds.subscription_links(settings.public_base, secret)
    return NewFeed(**FeedOut.of(row).model_dump(), https=https, webcal=webcal)


@router.get("", response_model=list[FeedOut])
def list_feeds(_: Staff, db: DbDep) -> list[FeedOut]:
    """Every feed link ever made (the links themselves are not kept)."""
    return [FeedOut.of(row) for row in feeds.listing(db)]


@router.delete("/{feed_id}", response_model=FeedOut, responses=responses(404, 409))
def revoke_feed(actor: Staff, db: DbDep, feed_id: RowId) -> FeedOut:
    """Revoke a feed link: it answers 404 from now on."""
    row = feeds.revoke(db, feed_id, actor.name)
    db.commit()
    return FeedOut.of(row)


def _not_modified(etag: str, last_modified: dt.datetime, if_none_match: str | None,
                  if_modified_since: str | None) -> bool:
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return etag in tags or "*" in tags
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False  # unparseable: send the feed
        if since.tzinfo is None:
            return False
        return last_modified.replace(microsecond=0) <= since
    return False


# Read from the request rather than declared as parameters: FastAPI's parameter handling
# was a fifth of a cached fetch. The OpenAPI document still lists them.
_FEED_PARAMETERS = [
    {"name": "secret", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "The feed link's secret."},
    {"name": "if-none-match", "in": "header", "required": False, "schema": {"type": "string"}},
    {"name": "if-modified-since", "in": "header", "required": False,
     "schema": {"type": "string"}},
]


@public_router.get(
    "/feeds/{secret}.ics", response_class=Response,
    openapi_extra={"parameters": _FEED_PARAMETERS},
    responses={200: {"content": {"text/calendar": {}}, "description": "The feed."},
               304: {"description": "Unchanged since the validator sent."},
               404: {"description": "No such feed (wrong or revoked link)."}})
async def fetch_feed(request: Request) -> Response:
    """The .ics feed behind a secret link (RFC 5545)."""
    database_url = get_settings(request).database_url
    secret = request.path_params["secret"]
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    # Calendar servers poll this all day, and mostly for a feed that has not changed.
    # With SQLite that answer is one indexed read of a local file, done here on the
    # event loop: under load, a trip to the thread pool cost more than the read (p99
    # at 500 requests/s about 150 ms against 13-26 ms, `python -m benchmarks feeds`).
    # Anything more (PostgreSQL over the network, reading the body, rendering) runs
    # in one trip to the thread pool.
    if is_sqlite(database_url):
        with event_loop_session_factory(database_url)() as db:
            answer = feeds.stored(db, secret, wants_body=lambda etag, last_modified: (
                not _not_modified(etag, last_modified, if_none_match, if_modified_since)))
        if answer is not feeds.Lookup.NEEDS_WORK:
            return _response(answer, if_none_match, if_modified_since)
    return await anyio.to_thread.run_sync(_answer, database_url, secret, if_none_match,
                                          if_modified_since, limiter=_FETCHES)


def _answer(database_url: str, secret: str, if_none_match: str | None,
            if_modified_since: str | None) -> Response:
    with session_factory(database_url)() as db:
        rendered = feeds.render(db, secret, wants_body=lambda etag, last_modified: (
            not _not_modified(etag, last_modified, if_none_match, if_modified_since)))
        if rendered is not None and (db.new or db.dirty):  # rendered again: store it
            try:
                db.commit()
            except IntegrityError:  # another fetch stored the same first revision just now
                db.rollback()
    return _response(rendered, if_none_match, if_modified_since)


def _response(rendered: feeds.Rendered | None, if_none_match: str | None,
              if_modified_since: str | None) -> Response:
    if rendered is None:
        return Response(status_code=404)
    headers = {"ETag": rendered.etag,
               "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
               "Cache-Control": "private, no-cache"}
    if rendered.body is None or _not_modified(rendered.etag, rendered.last_modified,
                                              if_none_match, if_modified_since):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type="text/calendar; charset=utf-8", headers=headers)
