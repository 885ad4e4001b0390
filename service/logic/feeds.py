"""Private calendar feeds over HTTP: one secret URL per expert or association.

The secret (256 random bits) is shown once, in the links, and stored as a hash.
Each fetch renders the subscriber's sessions of the current schedule against the
feed served last time, so UIDs stay, changed sessions get a higher SEQUENCE and
removed ones show as cancelled; unchanged content gives the same bytes and ETag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendar_feeds import build_feed, read_feed
from domain.plan import Plan, Stats
from domain.plan import Session as PlanSession
from service.db.models import AssociationRow, ExpertRow, FeedStateRow, FeedTokenRow, utcnow
from service.logic import audit
from service.logic.errors import Conflict, NotFound
from service.logic.plans import schedule
from service.logic.state import current_scenario
from service.logic.tokens import digest

Subject = Literal["expert", "association"]
# Sessions of these associations appear in feeds; a withdrawn one's are cancelled.
SHOWN_STATUSES = ("accepted", "completed")


def create(db: Session, subject: Subject, subject_id: str, actor: str) -> tuple[FeedTokenRow, str]:
    """A new secret feed URL for the subject; any earlier one stops working (rotation)."""
    table = ExpertRow if subject == "expert" else AssociationRow
    if db.get(table, subject_id) is None:
        raise NotFound(f"no {subject} {subject_id!r}")
    for old in active(db, subject, subject_id):
        old.revoked_at = utcnow()
    secret = secrets.token_urlsafe(32)
    row = FeedTokenRow(subject=subject, subject_id=subject_id, token_hash=digest(secret),
                       created_by=actor)
    db.add(row)
    db.flush()
    audit.record(db, actor, "create_feed", subject, subject_id, feed_id=row.id)
    return row, secret


def subscription_links(public_base_url: str, secret: str) -> tuple[str, str]:
    """The https link (Google, Outlook on the web) and the webcal one (Apple, Outlook)."""
    https = f"{public_base_url.rstrip('/')}/feeds/{secret}.ics"
    if https.startswith("http://"):  # a local server; behind TLS the base is https
        https = "https://" + https.removeprefix("http://")
    return https, "webcal://" + https.removeprefix("https://")


def active(db: Session, subject: Subject, subject_id: str) -> list[FeedTokenRow]:
    return list(db.scalars(select(FeedTokenRow).where(
        FeedTokenRow.subject == subject, FeedTokenRow.subject_id == subject_id,
        FeedTokenRow.revoked_at.is_(None))))


def listing(db: Session) -> list[FeedTokenRow]:
    return list(db.scalars(select(FeedTokenRow).order_by(FeedTokenRow.id)))


def revoke(db: Session, feed_id: int, actor: str) -> FeedTokenRow:
    row = db.get(FeedTokenRow, feed_id)
    if row is None:
        raise NotFound(f"no feed {feed_id}")
    if row.revoked_at is not None:
        raise Conflict(f"feed {feed_id} is already revoked")
    row.revoked_at = utcnow()
    audit.record(db, actor, "revoke_feed", row.subject, row.subject_id, feed_id=feed_id)
    return row


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    last_modified: dt.datetime


def render(db: Session, secret: str) -> Rendered | None:
    """The feed behind a secret, or None for a wrong or revoked one (a plain 404)."""
    token = db.scalar(select(FeedTokenRow).where(FeedTokenRow.token_hash == digest(secret),
                                                 FeedTokenRow.revoked_at.is_(None)))
    if token is None:
        return None
    scenario = current_scenario(db)
    shown = {a.id for a in scenario.associations if a.status in SHOWN_STATUSES}
    sessions = [PlanSession.model_validate(r.data) for r in schedule(db)
                if r.association_id in shown]
    plan = Plan(scenario_sha256="", sessions=sessions, unserved=[],
                stats=Stats(served=0, unserved=0, served_upper_bound=0,
                            solver_status="SCHEDULE", wall_seconds=0.0))
    state = db.get(FeedStateRow, (token.subject, token.subject_id))
    previous = read_feed(state.body.encode("utf-8")) if state is not None else []
    now = utcnow().replace(microsecond=0)
    try:
        feed = build_feed(scenario, plan, previous=previous, now=now,
                          expert_id=token.subject_id if token.subject == "expert" else None,
                          association_id=(token.subject_id if token.subject == "association"
                                          else None))
    except ValueError:  # the subject left the scenario
        return None
    etag = '"' + hashlib.sha256(feed.data).hexdigest()[:32] + '"'
    if state is None:
        state = FeedStateRow(subject=token.subject, subject_id=token.subject_id,
                             body=feed.data.decode("utf-8"), etag=etag, last_modified=now)
        db.add(state)
    elif state.etag != etag:
        state.body, state.etag, state.last_modified = feed.data.decode("utf-8"), etag, now
    return Rendered(feed.data, state.etag, state.last_modified)
