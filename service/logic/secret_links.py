"""Secret links of one expert or association: the calendar feeds' URLs and the
self-service sign-in links are the same kind of record in two tables.

The secret (256 random bits) is shown once and stored as a hash; a new link revokes the
one before, so a person has at most one that works. What differs between the two is the
table and the words the errors and the audit log use for a link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import AssociationRow, ExpertRow, FeedTokenRow, SelfServiceLinkRow, utcnow
from service.logic import audit
from service.logic.errors import Conflict, NotFound
from service.logic.tokens import digest

Subject = Literal["expert", "association"]
LinkRow = TypeVar("LinkRow", FeedTokenRow, SelfServiceLinkRow)


@dataclass(frozen=True)
class SecretLinks(Generic[LinkRow]):
    """The links kept in ``table``; ``noun`` names one in errors and in the audit log
    (actions ``create_<noun>``/``revoke_<noun>``, detail ``<noun>_id``)."""

    table: type[LinkRow]
    noun: str

    def create(self, db: Session, subject: Subject, subject_id: str,
               actor: str) -> tuple[LinkRow, str]:
        """A new secret link for the person; any earlier one stops working (rotation)."""
        person_table = ExpertRow if subject == "expert" else AssociationRow
        if db.get(person_table, subject_id) is None:
            raise NotFound(f"no {subject} {subject_id!r}")
        for old in self.active(db, subject, subject_id):
            old.revoked_at = utcnow()
        secret = secrets.token_urlsafe(32)
        row = self.table(subject=subject, subject_id=subject_id, token_hash=digest(secret),
                         created_by=actor)
        db.add(row)
        db.flush()
        audit.record(db, actor, f"create_{self.noun}", subject, subject_id,
                     **{f"{self.noun}_id": row.id})
        return row, secret

    def active(self, db: Session, subject: Subject, subject_id: str) -> list[LinkRow]:
        return list(db.scalars(select(self.table).where(
            self.table.subject == subject, self.table.subject_id == subject_id,
            self.table.revoked_at.is_(None))))

    def listing(self, db: Session) -> list[LinkRow]:
        return list(db.scalars(select(self.table).order_by(self.table.id)))

    def revoke(self, db: Session, link_id: int, actor: str) -> LinkRow:
        row = db.get(self.table, link_id)
        if row is None:
            raise NotFound(f"no {self.noun} {link_id}")
        if row.revoked_at is not None:
            raise Conflict(f"{self.noun} {link_id} is already revoked")
        row.revoked_at = utcnow()
        audit.record(db, actor, f"revoke_{self.noun}", row.subject, row.subject_id,
                     **{f"{self.noun}_id": link_id})
        return row

    def working(self, db: Session, secret: str) -> LinkRow | None:
        """The link a secret stands for, None for a wrong or revoked one."""
        return db.scalar(select(self.table).where(
            self.table.token_hash == digest(secret), self.table.revoked_at.is_(None)))
