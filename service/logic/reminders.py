"""Reminders at the programme's lead times (``Programme.reminders``, business days).

- a session coming up: to its expert(s) and its association, ``session_business_days``
  business days before (default 2);
- a pre-interview call due: to the secretariat, ``pre_interview_call_business_days``
  before the application's ``call_due_on`` (default 1), while no call is recorded.

The worker calls ``queue_due`` every round; each reminder has a key naming what it
is about (the session with its date and time, the application with its due date),
so it is queued once however often the scan runs, and again only if that changes.

Hook for reports and confirmations due (the session-life work): a module that knows
those dates adds a function ``(db, settings, today) -> int`` to ``SCANS`` that queues
its reminders through ``outbox.queue_message`` with keys of the same kind; nothing
else here needs to change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendar_feeds import session_uid
from calendar_feeds.render import summary
from calendar_feeds.revision import FeedEvent
from domain.calendar import BusinessCalendar
from domain.plan import Session as PlanSession
from domain.scenario import Scenario
from service.config import Settings
from service.db.engine import transaction
from service.db.models import AssociationRow, ProgrammeRow, utcnow
from service.logic import mail_texts, outbox
from service.logic.invitations import SHOWN_STATUSES
from service.logic.mailer import secretariat_address
from service.logic.outbox import queue_message
from service.logic.plans import schedule
from service.logic.state import PROGRAMME_ID, current_scenario

Scan = Callable[[Session, Settings, dt.date], int]


def _as_event(session: PlanSession) -> FeedEvent:
    """The session as a feed event, for the feed's own words (its SUMMARY) in the text."""
    now = utcnow()
    return FeedEvent(uid=session_uid(session.association_id, session.number),
                     association_id=session.association_id, number=session.number,
                     phase=session.phase, expert_ids=tuple(session.expert_ids),
                     date=session.date, start=session.start, end=session.end,
                     mode=session.mode, status="CONFIRMED", sequence=0, last_modified=now,
                     created=now)


def session_reminders(db: Session, settings: Settings, today: dt.date) -> int:
    """Sessions from tomorrow up to the lead time ahead: one reminder per person each."""
    scenario = current_scenario(db)
    programme = scenario.programme
    horizon = BusinessCalendar(programme).add_business_days(
        today, programme.reminder_days.session_business_days)
    shown = {a.id for a in scenario.associations if a.status in SHOWN_STATUSES}
    queued = 0
    for row in schedule(db):
        session = PlanSession.model_validate(row.data)
        if row.state == "held" or row.association_id not in shown \
                or not today < session.date <= horizon:
            continue
        queued += _remind_session(db, scenario, session)
    return queued


def _remind_session(db: Session, scenario: Scenario, session: PlanSession) -> int:
    programme = scenario.programme
    event = _as_event(session)
    when = f"{session.date.isoformat()}T{mail_texts.clock(session.start)}"
    queued = 0
    people: list[tuple[str, str, str, str]] = []  # (subject, id, name, email)
    for expert_id in session.expert_ids:
        expert = scenario.expert_by_id.get(expert_id)
        if expert is not None and expert.email:
            people.append(("expert", expert.id, expert.name, expert.email))
    association = scenario.association_by_id.get(session.association_id)
    if association is not None and association.contact and association.contact.email:
        people.append(("association", association.id,
                       association.contact.name or association.name,
                       association.contact.email))
    for subject, subject_id, name, email in people:
        title = summary(event, scenario, subject)  # type: ignore[arg-type]
        line_ja = mail_texts.session_line_ja(session.date, session.start, session.end,
                                             session.mode, title)
        line_en = mail_texts.session_line_en(session.date, session.start, session.end,
                                             session.mode, title)
        subject_line, text = mail_texts.session_reminder(
            name, programme.name, line_ja, line_en, programme.secretariat_contact)
        key = f"reminder:session:{event.uid}:{when}:{subject}:{subject_id}"
        if outbox.exists(db, key):
            continue
        queue_message(db, to=email, to_name=name, subject=subject_line, text=text, key=key,
                      kind="reminder", about=(subject, subject_id))
        queued += 1
    return queued


def call_reminders(db: Session, settings: Settings, today: dt.date) -> int:
    """To the secretariat: one message a day listing the calls due within the lead time."""
    programme_row = db.get(ProgrammeRow, PROGRAMME_ID)
    if programme_row is None:
        return 0
    scenario = current_scenario(db)
    programme = scenario.programme
    staff = secretariat_address(settings, programme)
    if staff is None:
        return 0
    horizon = BusinessCalendar(programme).add_business_days(
        today, programme.reminder_days.pre_interview_call_business_days)
    due = list(db.scalars(select(AssociationRow).where(
        AssociationRow.status == "received", AssociationRow.called_at.is_(None),
        AssociationRow.call_due_on <= horizon).order_by(AssociationRow.call_due_on,
                                                        AssociationRow.id)))
    if not due:
        return 0
    calls = [(row.id, str(row.data["name"]), row.call_due_on) for row in due]
    subject, text = mail_texts.call_reminder(programme.name, calls)
    ids = ",".join(row.id for row in due)
    key = f"reminder:calls:{today.isoformat()}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"
    if outbox.exists(db, key):
        return 0
    queue_message(db, to=staff, subject=subject, text=text, kind="reminder", key=key,
                  about=("secretariat", "calls"))
    return 1


# Every kind of reminder; reports and confirmations due add theirs here (see above).
SCANS: list[Scan] = [session_reminders, call_reminders]


def queue_due(settings: Settings, today: dt.date | None = None) -> int:
    """Run every scan in one transaction; returns how many messages were queued."""
    with transaction(settings.database_url) as db:
        row = db.get(ProgrammeRow, PROGRAMME_ID)
        if row is None:
            return 0
        if today is None:
            zone = zoneinfo.ZoneInfo(str(row.data.get("timezone", "Asia/Tokyo")))
            today = utcnow().astimezone(zone).date()
        return sum(scan(db, settings, today) for scan in SCANS)
