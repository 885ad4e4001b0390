"""Reminders at the programme's lead times (``Programme.reminders``, business days).

- a session coming up: to its expert(s) and its association, ``session_business_days``
  business days before (default 2);
- a pre-interview call due: to the secretariat, ``pre_interview_call_business_days``
  before the application's ``call_due_on`` (default 1), while no call is recorded.

The worker calls ``queue_due`` every round; each reminder has a key naming what it
is about (the session with its date and time, the application with its due date),
so it is queued once however often the scan runs, and again only if that changes.

- an expert's report due: to the session's lead, ``report_business_days`` before its
  ``report_due_on`` (stage ``due``), and once more the day after it (stage ``late``);
- a confirmation awaited: to the association, when a filed report has waited
  ``confirmation_business_days`` business days for its confirmation (``due``), and
  again after ``confirmation_late_business_days`` (``late``).

Each kind is a function ``(db, settings, today) -> int`` in ``SCANS``.
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
from service.db.models import AssociationRow, ProgrammeRow, SessionRow, utcnow
from service.logic import mail_texts, outbox, session_life
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
        line_ja, line_en = _session_lines(scenario, session, session.date, subject)
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


def _session_lines(scenario: Scenario, session: PlanSession, day: dt.date,
                   subject: str) -> tuple[str, str]:
    """The session on ``day`` as a reminder names it, in the words of that person's feed."""
    title = summary(_as_event(session), scenario, subject)  # type: ignore[arg-type]
    return (mail_texts.session_line_ja(day, session.start, session.end, session.mode, title),
            mail_texts.session_line_en(day, session.start, session.end, session.mode, title))


def _held_lines(scenario: Scenario, row: SessionRow, subject: str) -> tuple[str, str]:
    """A session after the plan, on the day it was held."""
    session = PlanSession.model_validate(row.data)
    return _session_lines(scenario, session, row.held_on or session.date, subject)


def report_reminders(db: Session, settings: Settings, today: dt.date) -> int:
    """To each held session's lead expert whose report is not filed: due soon, then late;
    once per session, due date and stage."""
    scenario = current_scenario(db)
    programme = scenario.programme
    lead = programme.reminder_days.report_business_days
    calendar = BusinessCalendar(programme)
    queued = 0
    for due in session_life.reports_due(db):
        if today > due.due_on:
            stage = "late"
        elif calendar.add_business_days(today, lead) >= due.due_on:
            stage = "due"
        else:
            continue
        expert = scenario.expert_by_id.get(due.lead_id)
        if expert is None or not expert.email:
            continue
        key = f"reminder:report:{due.session_id}:{due.due_on.isoformat()}:{stage}"
        if outbox.exists(db, key):
            continue
        row = db.get(SessionRow, due.session_id)
        assert row is not None  # reports_due lists the schedule's sessions
        line_ja, line_en = _held_lines(scenario, row, "expert")
        subject, text = mail_texts.report_reminder(
            expert.name, programme.name, line_ja, line_en, due.due_on, stage == "late",
            programme.secretariat_contact)
        queue_message(db, to=expert.email, to_name=expert.name, subject=subject, text=text,
                      key=key, kind="reminder", about=("expert", expert.id))
        queued += 1
    return queued


def confirmation_reminders(db: Session, settings: Settings, today: dt.date) -> int:
    """To the association of each reported session not confirmed yet, at the lead times
    after the report was filed; once per session, filing and stage."""
    scenario = current_scenario(db)
    programme = scenario.programme
    days = programme.reminder_days
    calendar = BusinessCalendar(programme)
    zone = zoneinfo.ZoneInfo(programme.timezone)
    queued = 0
    for row in session_life.sessions(db, ("reported",)):
        report = session_life.report_of(db, row.id)
        if report is None:
            continue
        filed_on = report.filed_at.astimezone(zone).date()
        if today >= calendar.add_business_days(filed_on, days.confirmation_late_business_days):
            stage = "late"
        elif today >= calendar.add_business_days(filed_on, days.confirmation_business_days):
            stage = "due"
        else:
            continue
        association = scenario.association_by_id.get(row.association_id)
        if association is None or association.contact is None \
                or not association.contact.email:
            continue
        key = f"reminder:confirmation:{row.id}:{filed_on.isoformat()}:{stage}"
        if outbox.exists(db, key):
            continue
        name = association.contact.name or association.name
        line_ja, line_en = _held_lines(scenario, row, "association")
        subject, text = mail_texts.confirmation_reminder(
            name, programme.name, line_ja, line_en, stage == "late",
            programme.secretariat_contact)
        queue_message(db, to=association.contact.email, to_name=name, subject=subject,
                      text=text, key=key, kind="reminder", about=("association", association.id))
        queued += 1
    return queued


# Every kind of reminder, each run by the worker's scan.
SCANS: list[Scan] = [session_reminders, call_reminders, report_reminders,
                     confirmation_reminders]


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
