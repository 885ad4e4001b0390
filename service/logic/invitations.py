"""Calendar invitations by e-mail (iTIP, RFC 5546, sent by iMIP, RFC 6047).

When the schedule changes (a plan published, an expert replaced), each expert and
association who takes invitations gets one e-mail with what changed for them:
``METHOD:REQUEST`` for new and changed sessions, ``METHOD:CANCEL`` for sessions
gone. The events are revised against the invitations last sent to that person
(``InvitationStateRow``) by the feeds' own ``revise``: the UID is the feed's
(``session_uid``), SEQUENCE starts at 0 and rises with every change, and each
VEVENT shows exactly what that person's feed shows (``vevent_lines`` with their
audience), with the secretariat as ORGANIZER and the recipient as the one ATTENDEE.
Queued in the caller's transaction: the change and its e-mail commit together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Event, vCalAddress
from sqlalchemy import select
from sqlalchemy.orm import Session

from calendar_feeds import FeedEvent, revise
from calendar_feeds.render import PRODID, fold_lines, summary, vevent_lines, vtimezone
from domain.plan import Session as PlanSession
from domain.scenario import Scenario
from service.config import Settings
from service.db.models import AssociationRow, ExpertRow, InvitationStateRow, utcnow
from service.logic import mail_texts
from service.logic.mailer import secretariat_address
from service.logic.outbox import MESSAGE_ID_DOMAIN, Attachment, CalendarPart, queue_message
from service.logic.plans import schedule
from service.logic.state import current_scenario

Subject = Literal["expert", "association"]
Delivery = Literal["invitations", "feed", "both"]
DELIVERIES: tuple[Delivery, ...] = ("invitations", "feed", "both")
# Sessions of these associations are sent; a withdrawn one's are cancelled (as in feeds).
SHOWN_STATUSES = ("accepted", "completed")


def effective_delivery(chosen: str | None, email: str | None) -> Delivery:
    """The person's choice, or the default: invitations where an address is known."""
    if chosen in DELIVERIES:
        return chosen
    return "invitations" if email else "feed"


def takes_invitations(chosen: str | None, email: str | None) -> bool:
    return bool(email) and effective_delivery(chosen, email) in ("invitations", "both")


@dataclass(frozen=True)
class Recipient:
    subject: Subject
    subject_id: str
    name: str
    email: str


def recipients(db: Session, scenario: Scenario) -> list[Recipient]:
    """Everyone who takes invitations: experts by their email, associations by their
    contact's (addressed to the contact's name, else the association's)."""
    chosen_by_expert = {id_: chosen for id_, chosen in
                        db.execute(select(ExpertRow.id, ExpertRow.delivery))}
    chosen_by_association = {id_: chosen for id_, chosen in
                             db.execute(select(AssociationRow.id, AssociationRow.delivery))}
    found: list[Recipient] = []
    for expert in scenario.experts:
        if expert.email and takes_invitations(chosen_by_expert.get(expert.id), expert.email):
            found.append(Recipient("expert", expert.id, expert.name, expert.email))
    for association in scenario.associations:
        contact = association.contact
        email = contact.email if contact else None
        if contact and email and takes_invitations(chosen_by_association.get(association.id),
                                                   email):
            found.append(Recipient("association", association.id,
                                   contact.name or association.name, email))
    return found


def _attendee_lines(organizer: str, recipient: Recipient, programme_name: str) -> list[str]:
    """ORGANIZER and ATTENDEE as icalendar writes them (parameters quoted as needed)."""
    probe = Event()
    probe.add("ORGANIZER", vCalAddress(f"mailto:{organizer}"),
              parameters={"CN": f"{programme_name} 事務局"})
    probe.add("ATTENDEE", vCalAddress(f"mailto:{recipient.email}"),
              parameters={"CN": recipient.name, "ROLE": "REQ-PARTICIPANT",
                          "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
    lines = [str(line) for line in probe.content_lines() if line]
    return [line for line in lines if line.startswith(("ORGANIZER", "ATTENDEE"))]


def itip_calendar(method: Literal["REQUEST", "CANCEL"], events: Sequence[FeedEvent],
                  scenario: Scenario, recipient: Recipient, organizer: str) -> bytes:
    """One iTIP object: METHOD, the VTIMEZONE, and the events as the recipient's feed has
    them, each with ORGANIZER and ATTENDEE."""
    programme = scenario.programme
    zone = ZoneInfo(programme.timezone)
    years = [e.date.year for e in events]
    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", f"METHOD:{method}"]
    lines += [str(line) for line in
              vtimezone(programme.timezone, min(years), max(years)).content_lines() if line]
    people = _attendee_lines(organizer, recipient, programme.name)
    for event in events:
        body = vevent_lines(event, scenario, zone, recipient.subject)
        lines += [*body[:-1], *people, body[-1]]
    lines.append("END:VCALENDAR")
    return fold_lines(line.encode("utf-8") for line in lines)


def _changed(previous: dict[str, FeedEvent], events: Sequence[FeedEvent]) -> list[FeedEvent]:
    """Events new to this person, or revised since the invitation last sent to them."""
    return [e for e in events
            if e.uid not in previous or previous[e.uid].sequence != e.sequence]


def _line(event: FeedEvent, scenario: Scenario, audience: Subject) -> tuple[str, str]:
    title = summary(event, scenario, audience)
    return (mail_texts.session_line_ja(event.date, event.start, event.end, event.mode, title),
            mail_texts.session_line_en(event.date, event.start, event.end, event.mode, title))


def queue_for_schedule(db: Session, settings: Settings) -> int:
    """Queue every invitation the current schedule calls for; returns how many e-mails.

    Call in the transaction that changed the schedule, after the change is flushed.
    """
    scenario = current_scenario(db)
    organizer = secretariat_address(settings, scenario.programme) \
        or f"secretariat@{MESSAGE_ID_DOMAIN}"
    shown = {a.id for a in scenario.associations if a.status in SHOWN_STATUSES}
    sessions = [PlanSession.model_validate(row.data) for row in schedule(db)
                if row.association_id in shown]
    states = {(row.subject, row.subject_id): row for row in db.scalars(select(InvitationStateRow))}
    now = utcnow()
    queued = 0
    for recipient in recipients(db, scenario):
        if recipient.subject == "expert":
            theirs = [s for s in sessions if recipient.subject_id in s.expert_ids]
        else:
            theirs = [s for s in sessions if s.association_id == recipient.subject_id]
        state = states.get((recipient.subject, recipient.subject_id))
        previous = [FeedEvent.from_record(record) for record in state.events] if state else []
        if not previous and not theirs:
            continue
        events = revise(previous, theirs, now, scenario=scenario)
        changed = _changed({e.uid: e for e in previous}, events)
        records = [e.to_record() for e in events]
        if state is None:
            db.add(InvitationStateRow(subject=recipient.subject,
                                      subject_id=recipient.subject_id, events=records))
        elif state.events != records:
            state.events = records
        if not changed:
            continue
        _queue_one(db, scenario, recipient, organizer, changed)
        queued += 1
    db.flush()
    return queued


def _queue_one(db: Session, scenario: Scenario, recipient: Recipient, organizer: str,
               changed: Sequence[FeedEvent]) -> None:
    requests = [e for e in changed if not e.cancelled]
    cancels = [e for e in changed if e.cancelled]
    new_lines = [_line(e, scenario, recipient.subject) for e in requests]
    gone_lines = [_line(e, scenario, recipient.subject) for e in cancels]
    subject, text = mail_texts.invitation(
        recipient.name, scenario.programme.name,
        [ja for ja, _ in new_lines], [en for _, en in new_lines],
        [ja for ja, _ in gone_lines], [en for _, en in gone_lines],
        scenario.programme.secretariat_contact)
    attachments: list[Attachment] = []
    if requests:
        calendar = CalendarPart("REQUEST", itip_calendar("REQUEST", requests, scenario,
                                                         recipient, organizer),
                                "invitation.ics")
        if cancels:  # one METHOD per iCalendar object: the cancellation is its own part
            attachments.append(Attachment(
                "cancellation.ics", "text/calendar",
                itip_calendar("CANCEL", cancels, scenario, recipient, organizer),
                {"method": "CANCEL", "charset": "utf-8"}))
    else:
        calendar = CalendarPart("CANCEL", itip_calendar("CANCEL", cancels, scenario,
                                                        recipient, organizer),
                                "cancellation.ics")
    # The same revisions make the same key: a repeated call queues nothing new.
    revisions = ",".join(f"{e.uid}:{e.sequence}" for e in changed)
    digest = hashlib.sha256(revisions.encode("utf-8")).hexdigest()[:24]
    queue_message(db, to=recipient.email, to_name=recipient.name, subject=subject, text=text,
                  calendar=calendar, attachments=attachments, kind="invitation",
                  about=(recipient.subject, recipient.subject_id),
                  key=f"invitation:{recipient.subject}:{recipient.subject_id}:{digest}")


# --- each person's choice -------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryChoice:
    delivery: Delivery  # in force: the choice made, or the default
    email: str | None
    invitations: bool  # whether invitations are e-mailed to this person now


def _person(db: Session, subject: Subject, subject_id: str) -> tuple[ExpertRow | AssociationRow,
                                                                      str | None]:
    from service.logic import records

    if subject == "expert":
        expert = records.expert_row(db, subject_id)
        return expert, expert.data.get("email")
    association = records.association_row(db, subject_id)
    return association, (association.data.get("contact") or {}).get("email")


def delivery_choice(db: Session, subject: Subject, subject_id: str) -> DeliveryChoice:
    row, email = _person(db, subject, subject_id)
    return DeliveryChoice(effective_delivery(row.delivery, email), email,
                          takes_invitations(row.delivery, email))


def set_delivery(db: Session, subject: Subject, subject_id: str, delivery: Delivery,
                 actor: str) -> DeliveryChoice:
    """Record how the person hears of their sessions (invitations, feed or both)."""
    from service.logic import audit

    row, email = _person(db, subject, subject_id)
    if row.delivery != delivery:
        audit.record(db, actor, "set_delivery", subject, subject_id,
                     **{"from": row.delivery, "to": delivery})
        row.delivery = delivery
    db.flush()
    return DeliveryChoice(delivery, email, takes_invitations(delivery, email))
