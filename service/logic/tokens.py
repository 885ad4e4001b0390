"""API tokens: shown once, stored as a hash, revocable; each carries one role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import TokenRow, utcnow
from service.logic import audit
from service.logic.errors import Conflict, Invalid, NotFound

Role = Literal["viewer", "staff", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "staff", "admin")
# Each role may do what the roles before it may.
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Actor:
    """Who makes a request: the token's name is what the audit log records."""

    name: str
    role: Role

    def may(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(db: Session, name: str, role: str, actor: str) -> tuple[TokenRow, str]:
    """A new token; the secret is returned here and never again."""
    from domain.errors import Issue

    if role not in ROLES:
        raise Invalid([Issue("role", f"{role!r} is not one of {', '.join(ROLES)}")])
    if not name.strip():
        raise Invalid([Issue("name", "must not be empty")])
    if db.scalar(select(TokenRow).where(TokenRow.name == name)) is not None:
        raise Conflict(f"a token named {name!r} already exists")
    secret = "hk_" + secrets.token_urlsafe(32)
    row = TokenRow(name=name, role=role, token_hash=digest(secret))
    db.add(row)
    db.flush()
    audit.record(db, actor, "create", "token", row.id, name=name, role=role)
    return row, secret


def revoke(db: Session, name: str, actor: str) -> TokenRow:
    row = db.scalar(select(TokenRow).where(TokenRow.name == name))
    if row is None:
        raise NotFound(f"no token named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(db, actor, "revoke", "token", row.id, name=name)
    return row


def by_id(db: Session, token_id: int) -> TokenRow:
    row = db.get(TokenRow, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    return row


def listing(db: Session) -> list[TokenRow]:
    return list(db.scalars(select(TokenRow).order_by(TokenRow.id)))


def authenticate(db: Session, secret: str) -> Actor | None:
    row = db.scalar(select(TokenRow).where(TokenRow.token_hash == digest(secret)))
    if row is None or row.revoked_at is not None or row.role not in ROLE_RANK:
        return None
    return Actor(row.name, row.role)
