"""Console sign-in: a session per sign-in, stored hashed, tied to the API token used.

The cookie carries a random secret and nothing else; the database keeps its hash,
the token it was opened with and a per-session CSRF token. Revoking the API token
ends its console sessions at once, and signing out deletes the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.db.models import ConsoleSessionRow, TokenRow, utcnow
from service.logic import audit, tokens
from service.logic.tokens import ROLE_RANK, Actor

# A working day and then some; after that, sign in again.
LIFETIME = dt.timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    csrf_token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def open_session(db: Session, token_secret: str) -> tuple[str, SignedIn] | None:
    """A new session for a valid, unrevoked token: (cookie secret, who); None otherwise."""
    row = db.scalar(select(TokenRow).where(TokenRow.token_hash == tokens.digest(token_secret)))
    if row is None or row.revoked_at is not None or row.role not in ROLE_RANK:
        return None
    now = utcnow()
    db.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at < now))
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(ConsoleSessionRow(id_hash=_hash(secret), token_id=row.id, csrf_token=csrf,
                             created_at=now, expires_at=now + LIFETIME))
    audit.record(db, row.name, "sign_in", "console", str(row.id))
    return secret, SignedIn(Actor(row.name, row.role), csrf)


def lookup(db: Session, secret: str | None) -> SignedIn | None:
    """Who holds this cookie, if the session is current and its token still valid."""
    if not secret:
        return None
    found = db.execute(
        select(ConsoleSessionRow, TokenRow).join(TokenRow,
                                                 TokenRow.id == ConsoleSessionRow.token_id)
        .where(ConsoleSessionRow.id_hash == _hash(secret))).first()
    if found is None:
        return None
    session, token = found
    if session.expires_at <= utcnow() or token.revoked_at is not None \
            or token.role not in ROLE_RANK:
        return None
    return SignedIn(Actor(token.name, token.role), session.csrf_token)


def close_session(db: Session, secret: str | None) -> None:
    if secret:
        db.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.id_hash == _hash(secret)))


def same_secret(offered: str | None, expected: str) -> bool:
    return offered is not None and hmac.compare_digest(offered.encode(), expected.encode())
