"""Calendar feeds: for each expert and association, issue (or rotate) and revoke the secret
subscription link, shown with its webcal twin and a QR code right after it is issued.

Only the link's hash is stored (as in the API), so a link can be shown only in the answer
to the request that made it; that answer is never cached.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from domain.scenario import Association, Programme
from service.console import sessions
from service.console.toolkit import Forbidden, SignedInDep, StaffForm, redirect_to, render
from service.db.models import FeedTokenRow
from service.logic import feeds, records
from service.logic.errors import ServiceError
from service.logic.feeds import Subject
from service.logic.state import programme
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(include_in_schema=False)
SUBJECTS: tuple[Subject, ...] = ("expert", "association")


def staff_reader(who: SignedInDep) -> sessions.SignedIn:
    """Feed links are for staff alone, as in the API (a viewer may not list them)."""
    if not who.actor.may("staff"):
        raise Forbidden
    return who


StaffReader = Annotated[sessions.SignedIn, Depends(staff_reader)]


def qr_code(link: str) -> str:
    """The link as a QR code, an SVG data URI for an <img> (the CSP allows data: images)."""
    return str(segno.make(link, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def _feeds_context(db: DbDep) -> dict[str, Any]:
    current: dict[tuple[str, str], FeedTokenRow] = {}
    for row in feeds.listing(db):  # oldest first: the newest active one wins
        if row.revoked_at is None:
            current[(row.subject, row.subject_id)] = row
    associations = [Association.model_validate(row.data) for row in records.associations(db)]
    try:
        zone = zoneinfo.ZoneInfo(programme(db).timezone)
    except ServiceError:  # no programme yet, and so no one to issue a link for
        zone = zoneinfo.ZoneInfo(Programme.model_fields["timezone"].default)
    return {
        "local_time": lambda at: at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "experts": [(row.id, row.data["name"]) for row in records.experts(db)],
        "associations": [(a.id, a.name, a.status) for a in associations],
        "current": current,
    }


def _feeds_page(request: Request, db: DbDep, who: sessions.SignedIn, *,
                new: dict[str, str] | None = None, done: str | None = None,
                message: str | None = None, status_code: int = 200) -> HTMLResponse:
    response = render(request, "feed_links.html", {
        **_feeds_context(db), "new": new, "done": done, "message": message}, who,
        status_code=status_code)
    if new is not None:  # the secret link: keep it out of every cache
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/feed-links")
def feed_links(request: Request, db: DbDep, who: StaffReader,
               done: str | None = None) -> HTMLResponse:
    return _feeds_page(request, db, who, done=done)


@router.post("/feed-links/issue/{subject}/{subject_id}")
def issue_link(request: Request, db: DbDep, settings: SettingsDep, who: SignedInDep,
               form: StaffForm, subject: str, subject_id: str) -> Response:
    """A new link for the subject (the previous one stops), shown this once."""
    if subject not in SUBJECTS:
        return _feeds_page(request, db, who, message=f"no feeds for {subject!r}",
                           status_code=404)
    try:
        kind: Subject = "expert" if subject == "expert" else "association"
        row, secret = feeds.create(db, kind, subject_id, who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _feeds_page(request, db, who, message=error.message,
                           status_code=error.status_code)
    https, webcal = feeds.subscription_links(settings.public_base, secret)
    return _feeds_page(request, db, who, new={
        "subject": row.subject, "subject_id": row.subject_id, "https": https,
        "webcal": webcal, "qr": qr_code(webcal)})


@router.post("/feed-links/revoke/{feed_id}")
def revoke_link(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                feed_id: int) -> Response:
    try:
        row = feeds.revoke(db, feed_id, who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _feeds_page(request, db, who, message=error.message,
                           status_code=error.status_code)
    return redirect_to(f"/feed-links?done=revoked#{row.subject}-{row.subject_id}")
