"""Failed authentications per client address, counted in the database by every process.

Only unknown tokens are limited: a valid token is let in whatever others did from its
address (behind a proxy or a NAT, that is everyone), so the limit never locks anyone
out. Past the limit, an address's unknown tokens get 429 and are neither stored nor
logged again until its oldest failure leaves the window: at most ``allowed`` rows and
audit entries per address and window, however hard it is pushed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.db.models import AuthFailureRow, utcnow
from service.logic import audit

Channel = Literal["api", "console"]
# Audit entries name the client, not a token (an unknown token belongs to nobody).
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Limit:
    allowed: int
    window: dt.timedelta


def failed(db: Session, client: str, channel: Channel, limit: Limit) -> float | None:
    """Count a failed authentication from ``client``: None while it may try again, else the
    seconds until it may (the caller answers 429). Commits, whatever the request does next."""
    client = client[:64]
    now = utcnow()
    since = now - limit.window
    recent, oldest = db.execute(
        select(func.count(), func.min(AuthFailureRow.at))
        .where(AuthFailureRow.client == client, AuthFailureRow.at > since)).one()
    if recent >= limit.allowed:
        db.rollback()
        return max(1.0, (oldest + limit.window - now).total_seconds())
    db.execute(delete(AuthFailureRow).where(AuthFailureRow.at <= since))
    db.add(AuthFailureRow(client=client, at=now, channel=channel))
    audit.record(db, ANONYMOUS, "auth_failure", "client", client, channel=channel,
                 failures=recent + 1, allowed=limit.allowed)
    if recent + 1 == limit.allowed:
        until = (oldest or now) + limit.window
        audit.record(db, ANONYMOUS, "auth_lockout", "client", client, channel=channel,
                     until=until.isoformat(), window_seconds=limit.window.total_seconds())
    db.commit()
    return None
