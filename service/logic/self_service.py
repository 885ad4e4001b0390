"""Private sign-in links of experts and associations to their own pages.

As with the calendar feeds, the secret (256 random bits) is shown once, in the
link, and stored as a hash; a new link revokes the one before. A link signs in
exactly one person (an expert or an association), and every page behind it
shows and changes only that person's own records.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import AssociationRow, ExpertRow, SelfServiceLinkRow, SessionRow, utcnow
from service.logic import audit
from service.logic.errors import Conflict, NotFound
from service.logic.plans import session_row
from service.logic.tokens import digest

Subject = Literal["expert", "association"]
# Where the pages are served, outside the console and the API.
PREFIX = "/my"


@dataclass(frozen=True)
class Person:
    """Who a link signed in: the audit log records them as ``actor``."""

    subject: Subject
    subject_id: str

    @property
    def actor(self) -> str:
        return f"{self.subject}:{self.subject_id} (self-service)"


def create(db: Session, subject: Subject, subject_id: str,
           actor: str) -> tuple[SelfServiceLinkRow, str]:
    """A new link for the person; any earlier one stops working."""
    table = ExpertRow if subject == "expert" else AssociationRow
    if db.get(table, subject_id) is None:
        raise NotFound(f"no {subject} {subject_id!r}")
    for old in active(db, subject, subject_id):
        old.revoked_at = utcnow()
    secret = secrets.token_urlsafe(32)
    row = SelfServiceLinkRow(subject=subject, subject_id=subject_id, token_hash=digest(secret),
                             created_by=actor)
    db.add(row)
    db.flush()
    audit.record(db, actor, "create_link", subject, subject_id, link_id=row.id)
    return row, secret


def link(public_base_url: str, secret: str) -> str:
    return f"{public_base_url.rstrip('/')}{PREFIX}/{secret}"


def active(db: Session, subject: Subject, subject_id: str) -> list[SelfServiceLinkRow]:
    return list(db.scalars(select(SelfServiceLinkRow).where(
        SelfServiceLinkRow.subject == subject, SelfServiceLinkRow.subject_id == subject_id,
        SelfServiceLinkRow.revoked_at.is_(None))))


def listing(db: Session) -> list[SelfServiceLinkRow]:
    return list(db.scalars(select(SelfServiceLinkRow).order_by(SelfServiceLinkRow.id)))


def revoke(db: Session, link_id: int, actor: str) -> SelfServiceLinkRow:
    row = db.get(SelfServiceLinkRow, link_id)
    if row is None:
        raise NotFound(f"no link {link_id}")
    if row.revoked_at is not None:
        raise Conflict(f"link {link_id} is already revoked")
    row.revoked_at = utcnow()
    audit.record(db, actor, "revoke_link", row.subject, row.subject_id, link_id=link_id)
    return row


def person(db: Session, secret: str) -> Person | None:
    """Who the secret signs in; None for a wrong or revoked link (or a deleted person)."""
    row = db.scalar(select(SelfServiceLinkRow).where(
        SelfServiceLinkRow.token_hash == digest(secret),
        SelfServiceLinkRow.revoked_at.is_(None)))
    if row is None:
        return None
    table = ExpertRow if row.subject == "expert" else AssociationRow
    if db.get(table, row.subject_id) is None:
        return None
    subject: Subject = "expert" if row.subject == "expert" else "association"
    return Person(subject, row.subject_id)


def own_session(db: Session, who: Person, session_id: int) -> SessionRow:
    """One of the person's own sessions; another's, or none, is the same 404."""
    try:
        row = session_row(db, session_id)
    except NotFound:
        row = None
    if row is None or not is_own(who, row):
        raise NotFound(f"no session {session_id} of yours")
    return row


def is_own(who: Person, row: SessionRow) -> bool:
    if who.subject == "expert":
        return who.subject_id in row.data["expert_ids"]
    return row.association_id == who.subject_id
