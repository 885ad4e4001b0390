"""The application's messages (the receipt) handed to the outbox: queued in the same
transaction as the application, sent by the worker over SMTP (service.logic.outbox)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from service.logic import outbox


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """One message's parts: who, what, the text (Japanese first, English below)."""

    to: str
    subject: str
    body: str
    # What caused it, for the outbox's list: ("application", "A057").
    about: tuple[str, str]
    # Names the message for good, so that it is queued once: "receipt:A057".
    key: str
    kind: str = "message"
    attachments: tuple[Attachment, ...] = field(default=())


def queue_email(db: Session, message: OutgoingEmail) -> bool:
    """Queue ``message`` in the same transaction as ``db``'s change; True once queued."""
    outbox.queue_message(
        db, to=message.to, subject=message.subject, text=message.body, key=message.key,
        kind=message.kind, about=message.about,
        attachments=[outbox.Attachment(a.filename, a.content_type, a.content)
                     for a in message.attachments])
    return True
