"""The one place where the service hands an e-mail over to be sent.

The outbox (issue 15's mail part: a table written in the same transaction, sent by the
worker over SMTP) is built on another branch; when it is merged, ``queue_email`` calls its
``queue_message(...)`` with these parts. Until then nothing is queued and nothing is sent:
the call is logged so that it can be seen, and callers never claim that a message went out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


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
    attachments: tuple[Attachment, ...] = field(default=())


def queue_email(db: Session, message: OutgoingEmail) -> bool:
    """Queue ``message`` in the same transaction as ``db``'s change; True once queued.

    The merge point with the mail branch: replace the body by its ``queue_message``.
    """
    logger.info("e-mail about %s %s not queued: the outbox is not part of this build",
                *message.about)
    return False
