"""Private sign-in links of experts and associations to their own pages.

As with the calendar feeds, the secret (256 random bits) is shown once, in the
link, and stored as a hash; a new link revokes the one before. A link signs in
exactly one person (an expert or an association), and every page behind it
shows and changes only that person's own records.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.db.models import AssociationRow, ExpertRow, SelfServiceLinkRow, SessionRow
from service.logic.errors import NotFound
from service.logic.plans import session_row
from service.logic.secret_links import SecretLinks
from service.logic.secret_links import Subject as Subject  # the callers name it here

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


_LINKS = SecretLinks(SelfServiceLinkRow, "link")
# A new link for the person (any earlier one stops working), the person's working links,
# every link, and revoking one: the secret-link record the calendar feeds use too.
create = _LINKS.create
active = _LINKS.active
listing = _LINKS.listing
revoke = _LINKS.revoke


def link(public_base_url: str, secret: str) -> str:
    return f"{public_base_url.rstrip('/')}{PREFIX}/{secret}"


def person(db: Session, secret: str) -> Person | None:
    """Who the secret signs in; None for a wrong or revoked link (or a deleted person)."""
    row = _LINKS.working(db, secret)
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
