"""Tables of the service. Records of the exchange format are kept as their JSON.

Experts, associations and the programme are stored as the exact JSON of the
domain models (``domain/scenario.py``), so what the API accepts, what is stored
and what is exported as a scenario agree field for field. Columns beside the
JSON hold what the service itself adds (versions, the screening record, states).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC on the way in and out (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware one")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None,
                             dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON, list[Any]: JSON, dt.datetime: UTCDateTime,
    }


class ProgrammeRow(Base):
    """The one programme this database plans (id is always 1)."""

    __tablename__ = "programme"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: an UPDATE whose version is stale changes nothing and raises.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class ExpertRow(Base):
    __tablename__ = "experts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]]
    # How the person hears of their sessions: invitations, feed or both; None is the
    # default (invitations where an e-mail address is known). Not part of the record.
    delivery: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: an UPDATE whose version is stale changes nothing and raises.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class AssociationRow(Base):
    """An application and, once accepted, a planned association."""

    __tablename__ = "associations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]]
    # Mirrors data["status"] so lists can filter on it.
    status: Mapped[str] = mapped_column(String(16), index=True)
    # As ExpertRow.delivery, for the association's contact.
    delivery: Mapped[str | None] = mapped_column(String(16))
    # The pre-interview call: due within N business days of the application.
    call_due_on: Mapped[dt.date] = mapped_column(Date)
    called_at: Mapped[dt.datetime | None]
    called_by: Mapped[str | None] = mapped_column(String(100))
    call_note: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: an UPDATE whose version is stale changes nothing and raises.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class EligibilityCheckRow(Base):
    """One item of the programme's eligibility checklist, as checked by a named person."""

    __tablename__ = "eligibility_checks"
    association_id: Mapped[str] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(40), primary_key=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str] = mapped_column(String(100))
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]]


class TokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class JobRow(Base):
    """A solve job. Its whole state is here, so any worker can take it and a dead one is seen."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    options: Mapped[dict[str, Any]]
    # The scenario and the published sessions to keep, frozen when the job was asked for.
    scenario: Mapped[dict[str, Any]]
    keep: Mapped[list[Any]]
    requested_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    heartbeat_at: Mapped[dt.datetime | None]
    worker_id: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    progress: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    # What happened to earlier attempts (a worker that died, and when).
    history: Mapped[list[Any]]
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))


class PlanRow(Base):
    """A solved plan with everything that made it: scenario, parameters, seed, version."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    scenario: Mapped[dict[str, Any]]
    scenario_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
    parameters: Mapped[dict[str, Any]]
    # Against the schedule the job saw when solving; on publishing, what publishing changed.
    changes: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[dt.datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(100))


class SessionRow(Base):
    """A session of the current schedule. Its id is stable across re-plans (feed UIDs)."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("association_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    association_id: Mapped[str] = mapped_column(ForeignKey("associations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The session as the exchange format writes it (domain.plan.Session JSON).
    data: Mapped[dict[str, Any]]
    # scheduled: from a published plan; pinned: confirmed outside Haken (imported);
    # held: took place, then reported, confirmed, approved, paid (service/logic/
    # session_life.py); or cancelled / no_show. Pinned and held-or-later sessions are
    # pinned in every re-plan.
    state: Mapped[str] = mapped_column(String(16))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    held_record: Mapped[str | None] = mapped_column(Text)
    held_by: Mapped[str | None] = mapped_column(String(100))
    held_at: Mapped[dt.datetime | None]
    # What actually happened (migration 0005); ``data`` keeps the session as planned,
    # which is what every re-plan pins.
    held_on: Mapped[dt.date | None] = mapped_column(Date)
    held_start: Mapped[str | None] = mapped_column(String(5))
    held_end: Mapped[str | None] = mapped_column(String(5))
    held_mode: Mapped[str | None] = mapped_column(String(16))
    attendees: Mapped[list[Any] | None]
    # The expert's report is due on this date (business days after the session).
    report_due_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_at: Mapped[dt.datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(100))
    paid_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: an UPDATE whose version is stale changes nothing and raises.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class SessionReportRow(Base):
    """The expert's report of a held session (支援実施報告書), with the travel claimed."""

    __tablename__ = "session_reports"
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    expert_id: Mapped[str] = mapped_column(String(64), index=True)
    work_done: Mapped[str] = mapped_column(Text)
    # 取組計画 / 作成 / 完成 / 既存マニュアルの見直し: what the session's phase achieved.
    phase: Mapped[str] = mapped_column(String(32))
    manual_progress: Mapped[str] = mapped_column(String(32))
    progress_note: Mapped[str] = mapped_column(Text)
    next_tasks: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    filed_by: Mapped[str] = mapped_column(String(100))
    late: Mapped[bool] = mapped_column(Boolean)


class TravelClaimRow(Base):
    """What one expert of a held session claims for travel (onsite only), in integer yen."""

    __tablename__ = "travel_claims"
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    expert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    yen: Mapped[int] = mapped_column(Integer)
    receipt_note: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    filed_by: Mapped[str] = mapped_column(String(100))


class SessionConfirmationRow(Base):
    """The association's confirmation that the session took place as reported (従事証明)."""

    __tablename__ = "session_confirmations"
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    as_reported: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_by: Mapped[str] = mapped_column(String(100))


class AssociationSurveyRow(Base):
    """The association's answers after its last session: is the manual done, and how it
    will reach the members."""

    __tablename__ = "association_surveys"
    association_id: Mapped[str] = mapped_column(ForeignKey("associations.id"),
                                                primary_key=True)
    manual_completed: Mapped[bool] = mapped_column(Boolean)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    distribution: Mapped[list[Any]]
    comment: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_by: Mapped[str] = mapped_column(String(100))


class SessionCancellationRow(Base):
    """A session called off or missed. Kept when a re-plan schedules the session again
    (the session row then starts over) or drops it."""

    __tablename__ = "session_cancellations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(Integer, index=True)
    association_id: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column(Integer)
    planned_on: Mapped[dt.date] = mapped_column(Date)
    expert_ids: Mapped[list[Any]]
    # cancelled (called off beforehand) or no_show (someone did not come)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))


class SelfServiceLinkRow(Base):
    """A private sign-in link of one expert or association to their own pages (hashed)."""

    __tablename__ = "self_service_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[dt.datetime | None]


class FeedTokenRow(Base):
    """A secret calendar-feed URL of one expert or association (stored hashed)."""

    __tablename__ = "feed_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[dt.datetime | None]


class FeedStateRow(Base):
    """The feed as last served to a subject: the next revision continues its UIDs and SEQUENCEs.

    It is served again as it is while ``generation`` is ``FeedInputsRow``'s and
    ``fresh_until`` (when a cancelled event in it leaves the feed) has not come.
    """

    __tablename__ = "feed_states"
    subject: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(80))
    last_modified: Mapped[dt.datetime]
    generation: Mapped[int | None] = mapped_column(Integer)
    fresh_until: Mapped[dt.datetime | None]
    # The body's events (calendar_feeds.FeedEvent as JSON), so a new revision need not
    # parse the body; None in rows served before migration 0003.
    events: Mapped[list[Any] | None]


class FeedInputsRow(Base):
    """How many times anything a feed shows has changed (one row, id 1).

    Triggers of migration 0003 count every insert, update and delete of the
    programme, experts, associations and sessions, whoever makes it.
    """

    __tablename__ = "feed_inputs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False)


class ConsoleSessionRow(Base):
    """A signed-in web console: the cookie holds a random secret, the table its hash."""

    __tablename__ = "console_sessions"
    # SHA-256 of the cookie's secret, so a copy of the table cannot be replayed as cookies.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    # Sent back in every form and compared on every POST (cross-site request forgery).
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class AuthFailureRow(Base):
    """A failed authentication (API bearer token or console sign-in) from one client address.

    In the database, so every server process counts the same failures; rows older than
    the window are deleted as new ones come.
    """

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_client_at", "client", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # api (a bearer token) or console (the sign-in form)
    channel: Mapped[str] = mapped_column(String(16))


class OutboxRow(Base):
    """One e-mail to one address, written in the transaction of the change that causes it.

    The worker claims a row (``sending``) before it talks to the SMTP server, so two
    workers never send the same row; ``key`` makes queueing idempotent and
    ``message_id`` is the stable Message-ID every attempt carries.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    # invitation, reminder, receipt, decision ...: what staff see the message as.
    kind: Mapped[str] = mapped_column(String(32), index=True)
    # The record it is about, e.g. ("expert", "E001"), for the console and the audit.
    subject: Mapped[str | None] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    # {"method": "REQUEST", "data": "<ics text>"} or None.
    calendar: Mapped[dict[str, Any] | None]
    # [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list[Any]]
    # queued -> sending -> sent; retried from queued while attempts remain, else failed.
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[dt.datetime | None]


class InvitationStateRow(Base):
    """The calendar invitations last e-mailed to an expert or association.

    Like ``FeedStateRow`` for feeds: the next publication is revised against these
    events, so a changed session gets a higher SEQUENCE under the same UID and a
    session gone is sent as a cancellation once.
    """

    __tablename__ = "invitation_states"
    subject: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # calendar_feeds.FeedEvent records (FeedEvent.to_record)
    events: Mapped[list[Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- the secretariat's working day (issue 18) ------------------------------------------------


class ApplicationWindowOverrideRow(Base):
    """Staff closing the application window early or extending it: the programme's
    application_period stays the source of truth, and the newest row overrides its end
    (service.logic.application_window, the one table of the window's overrides).
    Rows are never changed: a correction is a new row (and an audit entry)."""

    __tablename__ = "application_window_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The last day applications are taken (before the period's end: closed early; after:
    # extended).
    closes_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PayeeRow(Base):
    """Who is paid for an expert's sessions, and the bank account (domain.payments.Payee).

    Kept here, never in the scenario: the scenario file is sent to others. Not a foreign
    key of experts, so that an expert's record can go while the payments to them stay."""

    __tablename__ = "payees"
    expert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    payee_type: Mapped[str] = mapped_column(String(16))
    bank_code: Mapped[str] = mapped_column(String(4))
    bank_name: Mapped[str] = mapped_column(String(15))
    branch_code: Mapped[str] = mapped_column(String(3))
    branch_name: Mapped[str] = mapped_column(String(15))
    account_type: Mapped[int] = mapped_column(Integer)
    account_number: Mapped[str] = mapped_column(String(7))
    holder_name: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    # Optimistic locking: an UPDATE whose version is stale changes nothing and raises.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class PaymentMonthRow(Base):
    """A closed month: the close as it was made (domain.payments.MonthClose JSON, accounts
    whole as they were paid to). Never updated: a correction is an adjustment later."""

    __tablename__ = "payment_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    pay_on: Mapped[dt.date] = mapped_column(Date, index=True)
    document: Mapped[dict[str, Any]]
    net_yen: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_by: Mapped[str] = mapped_column(String(100))


class PaymentEntryRow(Base):
    """One payee's payment in a closed month, as figures the yearly totals add up."""

    __tablename__ = "payment_entries"
    __table_args__ = (UniqueConstraint("month", "expert_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(ForeignKey("payment_months.month"), index=True)
    expert_id: Mapped[str] = mapped_column(String(64), index=True)
    payee_type: Mapped[str] = mapped_column(String(16))
    sessions: Mapped[int] = mapped_column(Integer)
    fee_yen: Mapped[int] = mapped_column(BigInteger)
    travel_yen: Mapped[int] = mapped_column(BigInteger)
    adjustment_yen: Mapped[int] = mapped_column(BigInteger)
    gross_yen: Mapped[int] = mapped_column(BigInteger)
    withholding_yen: Mapped[int] = mapped_column(BigInteger)
    net_yen: Mapped[int] = mapped_column(BigInteger)


class PaidSessionRow(Base):
    """An expert's session paid in a closed month: the key makes a second payment of it
    impossible, whoever tries."""

    __tablename__ = "paid_sessions"
    association_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    expert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(ForeignKey("payment_months.month"), index=True)


class PaymentAdjustmentRow(Base):
    """A correction to pay (or take back) in the next month closed, with its reason."""

    __tablename__ = "payment_adjustments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    expert_id: Mapped[str] = mapped_column(String(64), index=True)
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    taxable: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    # The closed month that paid it; None while it waits.
    paid_in: Mapped[str | None] = mapped_column(ForeignKey("payment_months.month"), index=True)


class ApplicationReceiptRow(Base):
    """An application sent through the public form (/apply): its receipt number."""

    __tablename__ = "application_receipts"
    # What the applicant is shown and quotes on the phone: HK-20250702-7Q3K9M.
    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    association_id: Mapped[str] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    client: Mapped[str] = mapped_column(String(64))


class ApplySubmissionRow(Base):
    """A post of the public application form from one client address, kept for the
    window of the rate limit (as ``auth_failures`` are for sign-in)."""

    __tablename__ = "apply_submissions"
    __table_args__ = (Index("ix_apply_submissions_client_at", "client", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class LetterTemplateRow(Base):
    """The secretariat's wording of a decision letter (acceptance or rejection); without a
    row, the default of service.logic.letters holds."""

    __tablename__ = "letter_templates"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: an UPDATE whose version is stale changes nothing and raises.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)
