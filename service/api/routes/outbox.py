"""The outbox: every e-mail the service queued, its state, and why one failed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.api.deps import AuthenticatedRoute, RowId, Staff
from service.api.errors import responses
from service.db.models import OutboxRow
from service.logic import mailer, outbox
from service.logic.outbox import Status
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(prefix="/outbox", tags=["outbox"], route_class=AuthenticatedRoute)


class MessageOut(BaseModel):
    id: int
    kind: str = Field(description="invitation, reminder, receipt, decision ...")
    subject: str | None = Field(description="expert, association or secretariat.")
    subject_id: str | None
    recipient: str
    recipient_name: str
    title: str = Field(description="The e-mail's Subject.")
    message_id: str = Field(description="The Message-ID every attempt carries.")
    status: str = Field(description="queued, sending, sent or failed.")
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    calendar_method: str | None = Field(description="REQUEST or CANCEL for an invitation.")
    attachments: list[str] = Field(description="File names attached.")

    @classmethod
    def of(cls, row: OutboxRow) -> MessageOut:
        names = [a["filename"] for a in row.attachments]
        if row.calendar is not None:
            names.insert(0, row.calendar.get("filename", "invitation.ics"))
        return cls(id=row.id, kind=row.kind, subject=row.subject, subject_id=row.subject_id,
                   recipient=row.recipient, recipient_name=row.recipient_name, title=row.title,
                   message_id=row.message_id, status=row.status, attempts=row.attempts,
                   next_attempt_at=row.next_attempt_at, last_error=row.last_error,
                   created_at=row.created_at, sent_at=row.sent_at,
                   calendar_method=row.calendar["method"] if row.calendar else None,
                   attachments=names)


class MessageText(MessageOut):
    text: str

    @classmethod
    def of(cls, row: OutboxRow) -> MessageText:
        return cls(**MessageOut.of(row).model_dump(), text=row.text)


class OutboxOut(BaseModel):
    sending: bool = Field(description="False while nothing is sent (HAKEN_SMTP_URL unset, "
                                      "or no sender address).")
    not_sending_because: str | None = Field(description="Why nothing is sent, if so.")
    counts: dict[str, int] = Field(description="Messages in each state.")
    messages: list[MessageOut]


@router.get("", response_model=OutboxOut)
def list_outbox(_: Staff, db: DbDep, settings: SettingsDep,
                status: Annotated[Status | None, Query()] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Any:
    """Newest first; filter by status (``failed`` lists what staff must look at)."""
    why = mailer.sending_state(settings, mailer.programme_of(db))
    return OutboxOut(sending=why is None, not_sending_because=why, counts=outbox.counts(db),
                     messages=[MessageOut.of(row) for row in outbox.listing(db, status, limit)])


@router.get("/{message_id}", response_model=MessageText, responses=responses(404))
def read_message(_: Staff, db: DbDep, message_id: RowId) -> MessageText:
    """One message with its text."""
    return MessageText.of(outbox.message_row(db, message_id))


@router.post("/{message_id}/retry", response_model=MessageOut, responses=responses(404, 409))
def retry_message(actor: Staff, db: DbDep, message_id: RowId) -> MessageOut:
    """Queue a failed message again (same Message-ID)."""
    row = outbox.retry(db, message_id, actor.name)
    db.commit()
    return MessageOut.of(row)
