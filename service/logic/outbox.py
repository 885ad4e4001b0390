"""The outbox: e-mail queued in the transaction of the change that causes it, then sent.

``queue_message`` is what every part of the service calls to send mail: it adds
one row to the caller's transaction (so a change rolled back sends nothing) and
is idempotent by ``key`` (queueing the same key again returns the first row and
changes nothing). The worker's side (``claim_due``, ``mark_sent``,
``mark_refused``, ``take_back_stale``) each runs in its own short transaction;
``service.logic.mailer`` builds the MIME message and talks SMTP.

A row goes ``queued`` -> ``sending`` (claimed by one worker; no other can take
it) -> ``sent``. A refusal the server calls temporary (4xx, or no connection)
puts it back to ``queued`` with a later ``next_attempt_at`` (doubling each time);
a permanent one (5xx), or the last attempt, ends in ``failed``, which staff see
and may queue again. A row left ``sending`` by a worker that died is never sent
again on its own (it may have been delivered): it becomes ``failed`` with why.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.limits import email_address
from service.config import Settings
from service.db.engine import transaction
from service.db.models import OutboxRow, utcnow
from service.logic import audit
from service.logic.errors import Conflict, NotFound

Status = Literal["queued", "sending", "sent", "failed"]
STATUSES: tuple[Status, ...] = ("queued", "sending", "sent", "failed")
# The right-hand side of every Message-ID; the left is random, made once per message.
MESSAGE_ID_DOMAIN = "haken.invalid"
KEY_LENGTH = 200


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: ``content_type`` like ``application/pdf``, with any
    parameters it needs (``{"method": "CANCEL"}`` for a ``text/calendar`` one)."""

    filename: str
    content_type: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {"filename": self.filename, "content_type": self.content_type,
                "params": dict(self.params), "data": base64.b64encode(self.data).decode()}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Attachment:
        return cls(filename=record["filename"], content_type=record["content_type"],
                   data=base64.b64decode(record["data"]), params=dict(record.get("params", {})))


@dataclass(frozen=True)
class CalendarPart:
    """An iTIP object sent by iMIP (RFC 6047): the ``text/calendar; method=...`` part
    beside the text, and the same bytes attached as ``filename``."""

    method: Literal["REQUEST", "CANCEL", "PUBLISH"]
    data: bytes
    filename: str = "invitation.ics"


def queue_message(db: Session, *, to: str, subject: str, text: str,
                  attachments: Sequence[Attachment] = (), calendar: CalendarPart | None = None,
                  key: str, kind: str = "message", to_name: str = "",
                  about: tuple[str, str] | None = None) -> OutboxRow:
    """Queue one e-mail to ``to`` in ``db``'s transaction, once per ``key``.

    ``key`` names the message for good (``invitation:expert:E001:3``, ``receipt:A001``):
    queueing an existing key returns that row untouched, so a retried request or a
    reminder scan queues nothing twice. ``about`` is the record the message concerns
    (``("association", "A001")``), shown to staff beside it. Raises ``ValueError`` for
    an address that is not one or an empty key.
    """
    if not key or len(key) > KEY_LENGTH:
        raise ValueError(f"an outbox key is 1 to {KEY_LENGTH} characters, got {len(key)}")
    email_address(to)
    existing = db.scalar(select(OutboxRow).where(OutboxRow.key == key))
    if existing is not None:
        return existing
    row = OutboxRow(
        key=key, message_id=f"<{secrets.token_hex(16)}@{MESSAGE_ID_DOMAIN}>", kind=kind,
        subject=about[0] if about else None, subject_id=about[1] if about else None,
        recipient=to, recipient_name=to_name, title=subject, text=text,
        calendar=None if calendar is None else {
            "method": calendar.method, "filename": calendar.filename,
            "data": calendar.data.decode("utf-8")},
        attachments=[a.to_record() for a in attachments], status="queued", attempts=0,
        next_attempt_at=utcnow())
    db.add(row)
    db.flush()
    return row


def exists(db: Session, key: str) -> bool:
    """Whether a message with this key was ever queued."""
    return db.scalar(select(OutboxRow.id).where(OutboxRow.key == key)) is not None


# --- what staff see ---------------------------------------------------------------------


def listing(db: Session, status: str | None = None, limit: int = 100,
            subject_id: str | None = None) -> list[OutboxRow]:
    query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxRow.status == status)
    if subject_id is not None:
        query = query.where(OutboxRow.subject_id == subject_id)
    return list(db.scalars(query))


def counts(db: Session) -> dict[str, int]:
    """How many messages are in each state (every state named, zero included)."""
    found = {status: count for status, count in
             db.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))}
    return {status: int(found.get(status, 0)) for status in STATUSES}


def message_row(db: Session, message_id: int) -> OutboxRow:
    row = db.get(OutboxRow, message_id)
    if row is None:
        raise NotFound(f"no message {message_id} in the outbox")
    return row


def retry(db: Session, message_id: int, actor: str) -> OutboxRow:
    """Queue a failed message again, now (same Message-ID, so a copy that did arrive
    is recognised by the recipient's mail client as the same message)."""
    row = message_row(db, message_id)
    if row.status != "failed":
        raise Conflict(f"message {message_id} is {row.status}; only a failed one is retried")
    row.status, row.next_attempt_at, row.claimed_by, row.claimed_at = (
        "queued", utcnow(), None, None)
    row.attempts = 0
    audit.record(db, actor, "retry_message", "outbox", message_id, recipient=row.recipient)
    return row


# --- the worker's side: each call is its own short transaction ------------------------------


def claim_due(url: str, worker_id: str, limit: int = 20) -> list[int]:
    """Take up to ``limit`` queued messages that are due, oldest first. A message is
    claimed by one worker only: the claim is the ``queued`` -> ``sending`` update."""
    now = utcnow()
    with transaction(url) as db:
        due = (select(OutboxRow.id)
               .where(OutboxRow.status == "queued", OutboxRow.next_attempt_at <= now)
               .order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(limit))
        if db.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(db.scalars(due))
        if not ids:
            return []
        # SQLite writes one at a time; the status condition makes a second claimer miss.
        claimed = db.scalars(
            update(OutboxRow).where(OutboxRow.id.in_(ids), OutboxRow.status == "queued")
            .values(status="sending", claimed_by=worker_id, claimed_at=now,
                    attempts=OutboxRow.attempts + 1)
            .returning(OutboxRow.id))
        return sorted(claimed)


def _mine(db: Session, message_id: int, worker_id: str) -> OutboxRow | None:
    return db.scalar(select(OutboxRow).where(
        OutboxRow.id == message_id, OutboxRow.status == "sending",
        OutboxRow.claimed_by == worker_id))


def mark_sent(url: str, message_id: int, worker_id: str) -> None:
    with transaction(url) as db:
        row = _mine(db, message_id, worker_id)
        if row is not None:
            row.status, row.sent_at, row.last_error = "sent", utcnow(), None


def backoff(settings: Settings, attempts: int) -> dt.timedelta:
    """The wait after attempt number ``attempts`` (1, 2, ...): doubling, capped."""
    seconds = settings.mail_retry_seconds * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.mail_retry_max_seconds))


def mark_refused(url: str, message_id: int, worker_id: str, reason: str, *,
                 permanent: bool, settings: Settings) -> Status | None:
    """Record a refusal: queued again after the backoff, or failed (permanent, or the
    last attempt). Returns the new status (None when the message is no longer ours)."""
    with transaction(url) as db:
        row = _mine(db, message_id, worker_id)
        if row is None:
            return None
        row.last_error, row.claimed_by, row.claimed_at = reason[:2000], None, None
        if permanent or row.attempts >= settings.mail_max_attempts:
            row.status = "failed"
            if not permanent:
                row.last_error = (f"{reason[:1800]} (attempt {row.attempts} of "
                                  f"{settings.mail_max_attempts}; not retried)")
        else:
            row.status = "queued"
            row.next_attempt_at = utcnow() + backoff(settings, row.attempts)
        return row.status  # type: ignore[return-value]


def release(url: str, message_ids: Sequence[int], worker_id: str) -> None:
    """Hand back messages claimed but not tried (the worker stops): due again at once,
    the claim's attempt not counted."""
    with transaction(url) as db:
        for message_id in message_ids:
            row = _mine(db, message_id, worker_id)
            if row is not None:
                row.status, row.claimed_by, row.claimed_at = "queued", None, None
                row.attempts = max(row.attempts - 1, 0)


def take_back_stale(url: str, settings: Settings) -> list[int]:
    """Messages left ``sending`` by a worker that went silent become ``failed``: the
    server may have accepted them before the worker died, and a message is never sent
    twice on its own; staff see why and may send it again."""
    cutoff = utcnow() - dt.timedelta(seconds=settings.mail_stale_seconds)
    with transaction(url) as db:
        query = select(OutboxRow).where(OutboxRow.status == "sending",
                                        OutboxRow.claimed_at < cutoff)
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        stale = list(db.scalars(query))
        for row in stale:
            row.status = "failed"
            row.last_error = (f"worker {row.claimed_by} stopped while sending (claimed "
                              f"{row.claimed_at.isoformat() if row.claimed_at else '?'}); "
                              "it may have been delivered: check before sending it again")
            row.claimed_by = None
        return [row.id for row in stale]
