"""A session's life after the plan is published.

scheduled (or pinned) -> held -> reported -> confirmed -> approved -> paid; or
cancelled / no_show with a reason. Each step checks the one before it, names what
is wrong and changes nothing when refused, and is written to the audit log in
the same transaction. A session held (or later) is pinned in every re-plan
(``state.PINNED_STATES``); one called off is planned again by the next plan.

- held: the secretariat records the actual date, times, mode and who attended;
  the expert's report is then due a programme-set number of business days later;
- reported: the session's lead files the report (支援実施報告書) with their travel
  claim; each joining expert may claim travel too;
- confirmed: the association confirms it took place as reported (従事証明), rates
  it 1-5 and comments; after its last session it answers a short survey;
- approved: the secretariat approves it for payment;
- paid: the payments' monthly close marks it (``mark_paid``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.calendar import BusinessCalendar
from domain.errors import Issue
from domain.limits import Name, Note
from domain.payments import ActualTravel, MonthClose
from domain.plan import Session as PlanSession
from domain.report import ManualOutcome, Outcomes, PaidSession, PaymentOutcome, SessionOutcome
from domain.scenario import Association, Availability, Programme
from domain.types import ClockTime, IsoDate, format_clock
from domain.vocabulary import Phase, SessionMode
from service.db.models import (
    AssociationRow,
    AssociationSurveyRow,
    ExpertRow,
    PaymentMonthRow,
    SessionCancellationRow,
    SessionConfirmationRow,
    SessionReportRow,
    SessionRow,
    TravelClaimRow,
    utcnow,
)
from service.logic import audit
from service.logic.bodies import RequestBody
from service.logic.errors import Conflict, Invalid, NotFound
from service.logic.plans import session_row
from service.logic.records import changed_fields, dump, expert_row
from service.logic.state import (
    CALLED_OFF_STATES,
    HELD_STATES,
    check_if_match,
    programme,
    today,
    validate,
)

DEFAULT_REPORT_DUE_BUSINESS_DAYS = 5
DEFAULT_FINAL_REPORT_DUE_BUSINESS_DAYS = 7
# Travel is paid in integer yen; a claim above this is a typing error, not a journey.
MAX_TRAVEL_YEN = 1_000_000
# States in which an expert may still claim travel (before the secretariat approves).
CLAIMABLE_STATES = ("held", "reported", "confirmed")
SessionState = Literal["scheduled", "pinned", "held", "reported", "confirmed", "approved",
                       "paid", "cancelled", "no_show"]
ManualProgress = Literal["not_started", "outline", "draft", "final", "completed"]
Distribution = Literal["website", "seminar", "printed", "email", "newsletter", "other"]
Yen = Annotated[int, Field(ge=0, le=MAX_TRAVEL_YEN)]


# --- what each step takes ----------------------------------------------------------


class HeldIn(RequestBody):
    """What actually happened; date, times and mode default to the plan's."""

    record: Note = Field(min_length=1, description="A short record of what was done.",
                         examples=["過去事例のヒアリングを実施し、マニュアル骨子案を提示"])
    date: IsoDate | None = Field(default=None, description="The date it took place.")
    start: ClockTime | None = None
    end: ClockTime | None = None
    mode: SessionMode | None = None
    attendees: list[Name] = Field(default=[], max_length=50,
                                  description="Who attended for the association.")


class CancelIn(RequestBody):
    kind: Literal["cancelled", "no_show"] = Field(
        description="cancelled: called off beforehand; no_show: someone did not come.")
    reason: Note = Field(min_length=1, examples=["団体側の都合により中止"])


class TravelIn(RequestBody):
    travel_claimed_yen: Yen = Field(default=0, description="Travel claimed, integer yen "
                                                            "(onsite sessions only).")
    receipt_note: Note = Field(default="", description="Which receipts back the claim; "
                                                        "needed with any claim.")


class ReportIn(TravelIn):
    """The expert's report (支援実施報告書) of one held session."""

    phase: Phase | None = Field(default=None, description="What the session was: action_plan, "
                                                          "drafting, finalisation or review; "
                                                          "the plan's phase when absent.")
    work_done: Note = Field(min_length=1, examples=["取組計画の策定と役割分担の確認"])
    manual_progress: ManualProgress = Field(
        description="The association's manual: not_started, outline, draft, final, completed.")
    progress_note: Note = ""
    next_tasks: Note = Field(default="", description="Tasks until the next session.")


class ConfirmationIn(RequestBody):
    """The association's confirmation (従事証明) of one reported session."""

    as_reported: bool = Field(description="The session took place as the expert reported.")
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    comment: Note = ""

    @model_validator(mode="after")
    def _disputed_says_why(self) -> ConfirmationIn:
        if not self.as_reported and not self.comment.strip():
            raise ValueError("comment: say what differs from the report")
        return self


class SurveyIn(RequestBody):
    """After the association's last session: the manual and how it reaches members."""

    manual_completed: bool
    completed_on: IsoDate | None = Field(
        default=None, description="When it was completed, or when it will be.")
    distribution: list[Distribution] = Field(
        min_length=1, max_length=6,
        description="How it reaches members: website, seminar, printed, email, newsletter, "
                    "other.")
    comment: Note = ""

    @model_validator(mode="after")
    def _completed_has_a_date(self) -> SurveyIn:
        if self.manual_completed and self.completed_on is None:
            raise ValueError("completed_on: give the date the manual was completed")
        return self


# --- reading -----------------------------------------------------------------------


def planned(row: SessionRow) -> PlanSession:
    return PlanSession.model_validate(row.data)


def _association(db: Session, association_id: str) -> Association:
    row = db.get(AssociationRow, association_id)
    if row is None:
        raise NotFound(f"no association {association_id!r}")
    return Association.model_validate(row.data)


def is_last(db: Session, row: SessionRow) -> bool:
    """The association's last session: the final report is due later, a survey follows."""
    association = _association(db, row.association_id)
    numbers = db.scalars(select(SessionRow.number)
                         .where(SessionRow.association_id == row.association_id))
    return row.number >= max([association.sessions_requested, *numbers])


def report_due_on(prog: Programme, held_on: dt.date, last: bool) -> dt.date:
    days = (prog.final_report_due_business_days if last else prog.report_due_business_days)
    if days is None:
        days = DEFAULT_FINAL_REPORT_DUE_BUSINESS_DAYS if last else (
            DEFAULT_REPORT_DUE_BUSINESS_DAYS)
    return BusinessCalendar(prog).add_business_days(held_on, days)


def report_of(db: Session, session_id: int) -> SessionReportRow | None:
    return db.get(SessionReportRow, session_id)


def confirmation_of(db: Session, session_id: int) -> SessionConfirmationRow | None:
    return db.get(SessionConfirmationRow, session_id)


def travel_claims_of(db: Session, session_id: int) -> list[TravelClaimRow]:
    return list(db.scalars(select(TravelClaimRow).where(TravelClaimRow.session_id == session_id)
                           .order_by(TravelClaimRow.expert_id)))


def survey_of(db: Session, association_id: str) -> AssociationSurveyRow | None:
    return db.get(AssociationSurveyRow, association_id)


def cancellations(db: Session, association_id: str | None = None
                  ) -> list[SessionCancellationRow]:
    query = select(SessionCancellationRow).order_by(SessionCancellationRow.id)
    if association_id is not None:
        query = query.where(SessionCancellationRow.association_id == association_id)
    return list(db.scalars(query))


def sessions(db: Session, states: tuple[str, ...] = (), association_id: str | None = None,
             expert_id: str | None = None) -> list[SessionRow]:
    """The schedule's sessions in these states (all when none), by association and number."""
    query = select(SessionRow).order_by(SessionRow.association_id, SessionRow.number)
    if states:
        query = query.where(SessionRow.state.in_(states))
    if association_id is not None:
        query = query.where(SessionRow.association_id == association_id)
    rows = list(db.scalars(query))
    if expert_id is not None:  # JSON arrays cannot be searched portably in SQL
        rows = [row for row in rows if expert_id in row.data["expert_ids"]]
    return rows


# --- the steps ---------------------------------------------------------------------


def _clock_issue(start: int, end: int) -> list[Issue]:
    return [] if start < end else [Issue("end", f"{format_clock(end)} is not after the start "
                                                f"{format_clock(start)}")]


def record_held(db: Session, session_id: int, held: HeldIn, if_match: str | None,
                actor: str) -> SessionRow:
    """Record that a session took place; it is pinned in every re-plan from now on."""
    row = session_row(db, session_id)
    check_if_match(row.version, if_match, f"session {session_id}")
    if row.state in HELD_STATES:
        raise Conflict(f"session {session_id} is already recorded as held ({row.state})")
    if row.state in CALLED_OFF_STATES:
        raise Conflict(f"session {session_id} was recorded as {row.state}; it was not held")
    association = db.get(AssociationRow, row.association_id)
    if association is None or association.status != "accepted":
        raise Conflict(f"association {row.association_id} is not accepted")
    session = planned(row)
    day = held.date or session.date
    start = held.start if held.start is not None else session.start
    end = held.end if held.end is not None else session.end
    if not held.record.strip():
        raise Invalid([Issue("record", "say briefly what was done")])
    issues = _clock_issue(start, end)
    if issues:
        raise Invalid(issues)
    if day > today(db):
        where = "date" if held.date else "the plan's date"
        raise Conflict(f"session {session_id}: {where} {day} has not come yet")
    row.state, row.held_record, row.held_by, row.held_at = "held", held.record, actor, utcnow()
    row.held_on, row.held_start, row.held_end = day, format_clock(start), format_clock(end)
    row.held_mode = held.mode or session.mode
    row.attendees = list(held.attendees)
    row.report_due_on = report_due_on(programme(db), day, is_last(db, row))
    audit.record(db, actor, "held", "session", session_id, association_id=row.association_id,
                 number=row.number, record=held.record, date=day.isoformat(),
                 start=row.held_start, end=row.held_end, mode=row.held_mode,
                 attendees=row.attendees, report_due_on=row.report_due_on.isoformat())
    return row


def call_off(db: Session, session_id: int, called_off: CancelIn, if_match: str | None,
             actor: str) -> SessionRow:
    """Record a session cancelled or missed; the next plan schedules it again."""
    row = session_row(db, session_id)
    check_if_match(row.version, if_match, f"session {session_id}")
    if row.state in HELD_STATES:
        raise Conflict(f"session {session_id} was held ({row.state}); it cannot be "
                       f"{called_off.kind}")
    if row.state in CALLED_OFF_STATES:
        raise Conflict(f"session {session_id} is already recorded as {row.state}")
    session = planned(row)
    if called_off.kind == "no_show" and session.date > today(db):
        raise Conflict(f"session {session_id} is on {session.date}: no one can have failed "
                       "to come yet (record it as cancelled)")
    if not called_off.reason.strip():
        raise Invalid([Issue("reason", "say why")])
    db.add(SessionCancellationRow(
        session_id=row.id, association_id=row.association_id, number=row.number,
        planned_on=session.date, expert_ids=list(session.expert_ids), kind=called_off.kind,
        reason=called_off.reason, recorded_by=actor))
    row.state = called_off.kind
    audit.record(db, actor, called_off.kind, "session", session_id,
                 association_id=row.association_id, number=row.number, reason=called_off.reason)
    return row


def _check_travel(db: Session, row: SessionRow, claim: TravelIn) -> None:
    travel = programme(db).payment_rules.travel
    if isinstance(travel, ActualTravel) and claim.travel_claimed_yen > travel.cap_yen:
        # Refused here, when it is claimed, not months later when the close meets it.
        raise Invalid([Issue("travel_claimed_yen", f"¥{claim.travel_claimed_yen:,} is over "
                                                   f"the programme's cap of "
                                                   f"¥{travel.cap_yen:,} a session")])
    if claim.travel_claimed_yen and row.held_mode != "onsite":
        raise Invalid([Issue("travel_claimed_yen", f"session {row.id} was held "
                                                   f"{row.held_mode}; travel is paid for "
                                                   "onsite sessions only")])
    if claim.travel_claimed_yen and not claim.receipt_note.strip():
        raise Invalid([Issue("receipt_note", "say which receipts back the travel claimed")])


def _put_travel(db: Session, row: SessionRow, expert_id: str, claim: TravelIn,
                actor: str) -> None:
    existing = db.get(TravelClaimRow, (row.id, expert_id))
    if existing is None:
        db.add(TravelClaimRow(session_id=row.id, expert_id=expert_id,
                              yen=claim.travel_claimed_yen, receipt_note=claim.receipt_note,
                              filed_by=actor))
    else:
        existing.yen, existing.receipt_note = claim.travel_claimed_yen, claim.receipt_note
        existing.filed_at, existing.filed_by = utcnow(), actor


def _in_session(row: SessionRow, expert_id: str) -> None:
    if expert_id not in row.data["expert_ids"]:
        raise Invalid([Issue("expert_id", f"{expert_id} is not an expert of session {row.id} "
                                          f"({row.association_id} #{row.number})")])


def file_report(db: Session, session_id: int, expert_id: str, report: ReportIn,
                if_match: str | None, actor: str) -> SessionRow:
    """The lead's report of a held session, with the lead's travel claim."""
    row = session_row(db, session_id)
    check_if_match(row.version, if_match, f"session {session_id}")
    _in_session(row, expert_id)
    session = planned(row)
    if session.lead_id != expert_id:
        raise Conflict(f"{expert_id} joins session {session_id}; its lead {session.lead_id} "
                       "files the report (a joining expert claims travel only)")
    if row.state in ("scheduled", "pinned"):
        raise Conflict(f"session {session_id} is not recorded as held yet; its report can "
                       "be filed once it is")
    if row.state in CALLED_OFF_STATES:
        raise Conflict(f"session {session_id} was {row.state}; there is nothing to report")
    if row.state != "held":
        raise Conflict(f"session {session_id} is already reported ({row.state})")
    _check_travel(db, row, report)
    late = row.report_due_on is not None and today(db) > row.report_due_on
    db.add(SessionReportRow(
        session_id=row.id, expert_id=expert_id, work_done=report.work_done,
        phase=report.phase or session.phase, manual_progress=report.manual_progress,
        progress_note=report.progress_note, next_tasks=report.next_tasks, filed_by=actor,
        late=late))
    _put_travel(db, row, expert_id, report, actor)
    row.state = "reported"
    audit.record(db, actor, "report", "session", session_id, association_id=row.association_id,
                 number=row.number, expert_id=expert_id, late=late,
                 travel_claimed_yen=report.travel_claimed_yen)
    return row


def claim_travel(db: Session, session_id: int, expert_id: str, claim: TravelIn,
                 if_match: str | None, actor: str) -> SessionRow:
    """An expert of a held session claims (or corrects) travel, until it is approved."""
    row = session_row(db, session_id)
    check_if_match(row.version, if_match, f"session {session_id}")
    _in_session(row, expert_id)
    if row.state not in CLAIMABLE_STATES:
        raise Conflict(f"session {session_id} is {row.state}: travel is claimed once it is "
                       "held and until it is approved")
    _check_travel(db, row, claim)
    _put_travel(db, row, expert_id, claim, actor)
    row.updated_at = utcnow()  # the claim is part of the session's version
    audit.record(db, actor, "travel_claim", "session", session_id, expert_id=expert_id,
                 travel_claimed_yen=claim.travel_claimed_yen)
    return row


def confirm(db: Session, session_id: int, association_id: str, confirmation: ConfirmationIn,
            if_match: str | None, actor: str) -> SessionRow:
    """The association confirms a reported session, rates it and comments, once."""
    row = session_row(db, session_id)
    check_if_match(row.version, if_match, f"session {session_id}")
    if row.association_id != association_id:
        raise Invalid([Issue("association_id", f"session {session_id} is "
                                               f"{row.association_id}'s, not "
                                               f"{association_id}'s")])
    if confirmation_of(db, session_id) is not None:
        raise Conflict(f"session {session_id} is already confirmed")
    if row.state != "reported":
        raise Conflict(f"session {session_id} is {row.state}: it is confirmed once the "
                       "expert's report is filed")
    db.add(SessionConfirmationRow(session_id=row.id, as_reported=confirmation.as_reported,
                                  rating=confirmation.rating, comment=confirmation.comment,
                                  confirmed_by=actor))
    row.state = "confirmed"
    audit.record(db, actor, "confirm", "session", session_id, association_id=association_id,
                 number=row.number, as_reported=confirmation.as_reported,
                 rating=confirmation.rating)
    return row


def answer_survey(db: Session, association_id: str, survey: SurveyIn,
                  actor: str) -> AssociationSurveyRow:
    """The association's survey, once, after it has confirmed its last session."""
    _association(db, association_id)
    if survey_of(db, association_id) is not None:
        raise Conflict(f"association {association_id} has answered the survey already")
    rows = sessions(db, association_id=association_id)
    last = [row for row in rows if is_last(db, row)]
    if not last or last[0].state not in ("confirmed", "approved", "paid"):
        raise Conflict(f"association {association_id}: the survey follows the confirmation "
                       "of its last session")
    if survey.completed_on is not None and survey.manual_completed \
            and survey.completed_on > today(db):
        raise Invalid([Issue("completed_on", f"{survey.completed_on} has not come yet; a "
                                             "completed manual was completed on a past day")])
    row = AssociationSurveyRow(association_id=association_id,
                               manual_completed=survey.manual_completed,
                               completed_on=survey.completed_on,
                               distribution=list(survey.distribution), comment=survey.comment,
                               answered_by=actor)
    db.add(row)
    db.flush()
    audit.record(db, actor, "survey", "association", association_id,
                 manual_completed=survey.manual_completed,
                 completed_on=survey.completed_on.isoformat() if survey.completed_on else None,
                 distribution=list(survey.distribution))
    return row


def approve(db: Session, session_id: int, if_match: str | None, actor: str) -> SessionRow:
    """The secretariat approves a confirmed session for payment."""
    row = session_row(db, session_id)
    check_if_match(row.version, if_match, f"session {session_id}")
    if row.state in ("approved", "paid"):
        raise Conflict(f"session {session_id} is already {row.state}")
    if row.state != "confirmed":
        raise Conflict(f"session {session_id} is {row.state}: only a session its association "
                       "has confirmed can be approved")
    confirmation = confirmation_of(db, session_id)
    if confirmation is None or not confirmation.as_reported:
        raise Conflict(f"session {session_id}: the association says it did not take place as "
                       "reported; return the report to the expert (POST .../report/return)")
    row.state, row.approved_at, row.approved_by = "approved", utcnow(), actor
    audit.record(db, actor, "approve", "session", session_id, association_id=row.association_id,
                 number=row.number)
    return row


def return_report(db: Session, session_id: int, reason: str, if_match: str | None,
                  actor: str) -> SessionRow:
    """Send a report back before approval (wrong, or disputed): the session is held again,
    the report and confirmation go to the audit log and the lead files anew."""
    row = session_row(db, session_id)
    check_if_match(row.version, if_match, f"session {session_id}")
    if row.state not in ("reported", "confirmed"):
        raise Conflict(f"session {session_id} is {row.state}: only a report not yet approved "
                       "can be returned")
    if not reason.strip():
        raise Invalid([Issue("reason", "say why the report goes back")])
    report = report_of(db, session_id)
    confirmation = confirmation_of(db, session_id)
    detail = {"reason": reason,
              "report": None if report is None else {
                  "expert_id": report.expert_id, "work_done": report.work_done,
                  "manual_progress": report.manual_progress, "late": report.late},
              "confirmation": None if confirmation is None else {
                  "as_reported": confirmation.as_reported, "rating": confirmation.rating,
                  "comment": confirmation.comment}}
    for gone in (report, confirmation):
        if gone is not None:
            db.delete(gone)
    row.state = "held"
    audit.record(db, actor, "return_report", "session", session_id, **detail)
    return row


def mark_paid(db: Session, association_id: str, number: int, actor: str) -> SessionRow:
    """The payments' monthly close: an approved session is paid. Anything else is refused."""
    row = db.scalar(select(SessionRow).where(SessionRow.association_id == association_id,
                                             SessionRow.number == number))
    if row is None:
        raise NotFound(f"no session {association_id} #{number} in the schedule")
    if row.state != "approved":
        raise Conflict(f"session {association_id} #{number} is {row.state}: only an approved "
                       "session can be paid")
    row.state, row.paid_at = "paid", utcnow()
    audit.record(db, actor, "paid", "session", row.id, association_id=association_id,
                 number=number)
    return row


# --- for the payments' monthly close -------------------------------------------------


@dataclass(frozen=True)
class ApprovedExpertSession:
    """One expert's part in an approved, unpaid session: what the close pays from."""

    association_id: str
    number: int
    expert_id: str
    lead: bool
    date: dt.date  # the date it was held
    start: str  # "HH:MM", as held
    end: str
    mode: str  # onsite or online, as held
    travel_claimed_yen: int  # this expert's claim, integer yen (0 when none)
    approved_at: dt.datetime
    session_id: int


def approved_unpaid(db: Session, year: int, month: int) -> list[ApprovedExpertSession]:
    """The approved, unpaid sessions held in ``year``-``month``, one entry per expert of
    each (its lead first, then the joiners), by date, association and number."""
    first = dt.date(year, month, 1)
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    rows = list(db.scalars(select(SessionRow).where(
        SessionRow.state == "approved", SessionRow.held_on >= first,
        SessionRow.held_on < after)))
    rows.sort(key=lambda r: (r.held_on, r.association_id, r.number))
    found = []
    for row in rows:
        assert row.held_on and row.held_start and row.held_end and row.held_mode \
            and row.approved_at  # set when held and approved
        claims = {c.expert_id: c.yen for c in travel_claims_of(db, row.id)}
        for index, expert_id in enumerate(row.data["expert_ids"]):
            found.append(ApprovedExpertSession(
                association_id=row.association_id, number=row.number, expert_id=expert_id,
                lead=index == 0, date=row.held_on, start=row.held_start, end=row.held_end,
                mode=row.held_mode, travel_claimed_yen=claims.get(expert_id, 0),
                approved_at=row.approved_at, session_id=row.id))
    return found


# --- reports due -------------------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    session_id: int
    association_id: str
    association_name: str
    number: int
    lead_id: str
    held_on: dt.date
    due_on: dt.date
    late: bool
    final: bool


def reports_due(db: Session, expert_id: str | None = None,
                late_only: bool = False) -> list[DueReport]:
    """Held sessions whose report is not filed yet, earliest due first."""
    now = today(db)
    names = {row.id: row.data["name"] for row in db.scalars(select(AssociationRow))}
    found = []
    for row in sessions(db, ("held",), expert_id=expert_id):
        if expert_id is not None and row.data["expert_ids"][0] != expert_id:
            continue  # joiners file no report
        assert row.held_on is not None and row.report_due_on is not None
        late = now > row.report_due_on
        if late_only and not late:
            continue
        found.append(DueReport(row.id, row.association_id, names.get(row.association_id, ""),
                               row.number, row.data["expert_ids"][0], row.held_on,
                               row.report_due_on, late, is_last(db, row)))
    found.sort(key=lambda d: (d.due_on, d.association_id, d.number))
    return found


# --- what the programme achieved, for the results report ------------------------------


def outcomes(db: Session) -> Outcomes:
    """Every session held (with lateness of its report and its rating), every time one was
    called off, and every manual the surveys report: domain data for ``reports``."""
    now = today(db)
    found: list[SessionOutcome] = []
    for row in sessions(db, HELD_STATES):
        report = report_of(db, row.id)
        confirmation = confirmation_of(db, row.id)
        late = report.late if report is not None else (
            row.report_due_on is not None and now > row.report_due_on)
        found.append(SessionOutcome(
            association_id=row.association_id, number=row.number, state=row.state,
            date=row.held_on or planned(row).date, expert_ids=list(row.data["expert_ids"]),
            report_late=late, rating=confirmation.rating if confirmation else None))
    for called in cancellations(db):
        kind = "no_show" if called.kind == "no_show" else "cancelled"
        found.append(SessionOutcome(
            association_id=called.association_id, number=called.number, state=kind,
            date=called.planned_on, expert_ids=list(called.expert_ids)))
    manuals = [ManualOutcome(association_id=s.association_id, completed=s.manual_completed,
                             completed_on=s.completed_on)
               for s in db.scalars(select(AssociationSurveyRow)
                                   .order_by(AssociationSurveyRow.association_id))]
    return Outcomes(sessions=found, manuals=manuals, payments=paid(db))


def paid(db: Session) -> list[PaymentOutcome]:
    """What the closed months paid, per payee and month: fees and travel per session, and
    the tax withheld (the payments' close keeps each month as computed)."""
    found = []
    for row in db.scalars(select(PaymentMonthRow).order_by(PaymentMonthRow.month)):
        closed = MonthClose.model_validate(row.document)
        for entry in closed.entries:
            found.append(PaymentOutcome(
                month=closed.month, expert_id=entry.expert_id,
                sessions=[PaidSession(association_id=line.association_id, number=line.number,
                                      date=line.date, fee_yen=line.fee_yen,
                                      travel_yen=line.travel_yen) for line in entry.sessions],
                fee_yen=entry.fee_yen, travel_yen=entry.travel_yen,
                adjustment_yen=entry.adjustment_yen, withholding_yen=entry.withholding_yen,
                net_yen=entry.net_yen))
    return found


# --- an expert keeps their own availability -------------------------------------------


def update_availability(db: Session, expert_id: str, availability: Availability,
                        actor: str) -> ExpertRow:
    """The expert's own weekly grid, dated exceptions and blocked periods. The next plan
    uses it; no published session moves by itself (the secretariat sees the change)."""
    row = expert_row(db, expert_id)
    data = dict(row.data)
    new = dump(availability)
    if new:
        data["availability"] = new
    else:
        data.pop("availability", None)
    changes = changed_fields(row.data, data)
    if not changes:
        return row
    row.data = data
    validate(db)
    audit.record(db, actor, "availability", "expert", expert_id, changed=changes)
    return row


@dataclass(frozen=True)
class AvailabilityChange:
    expert_id: str
    at: dt.datetime
    actor: str
    affects: list[int]  # ids of the expert's sessions not held yet, to look at again


def availability_changes(db: Session, limit: int = 50) -> list[AvailabilityChange]:
    """Availability changed by experts themselves, newest first, with their sessions that
    are still to come (which the next plan may move)."""
    entries = audit.entries(db, entity="expert", limit=limit * 4)
    found = []
    for entry in entries:
        if entry.action != "availability":
            continue
        coming = [row.id for row in sessions(db, ("scheduled", "pinned"),
                                             expert_id=entry.entity_id)]
        found.append(AvailabilityChange(entry.entity_id, entry.at, entry.actor, coming))
        if len(found) == limit:
            break
    return found
