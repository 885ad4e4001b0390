"""A session's life after the plan: held, reported, confirmed, approved; called off; the
reports due and late; the association's survey; experts' availability changes; and the
self-service links experts and associations sign in with.

Staff act here for the record (a report handed in on paper, a confirmation by fax);
experts and associations do the same themselves through their own pages (``/my``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field

from domain.limits import Note, RecordId
from service.api.deps import ID_TEXT, AuthenticatedRoute, RequiredIfMatch, RowId, Staff, Viewer
from service.api.errors import responses
from service.api.schemas import ScheduledSession
from service.db.models import SelfServiceLinkRow
from service.logic import plans, self_service, session_life, state
from service.logic.bodies import RequestBody
from service.logic.errors import NotFound
from service.logic.self_service import Subject
from service.logic.session_life import (
    CancelIn,
    ConfirmationIn,
    ReportIn,
    SurveyIn,
    TravelIn,
)
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(tags=["session life"], route_class=AuthenticatedRoute)

SessionId = Annotated[RowId, Path(description="The session's id (stable across re-plans).")]
AssociationId = Annotated[str, Path(**ID_TEXT)]
CHANGE = responses(404, 409, 412, 422, 428)


class ReportOut(BaseModel):
    expert_id: str
    phase: str
    work_done: str
    manual_progress: str
    progress_note: str
    next_tasks: str
    filed_at: dt.datetime
    filed_by: str
    late: bool = Field(description="Filed after its due date.")


class TravelOut(BaseModel):
    expert_id: str
    yen: int
    receipt_note: str
    filed_at: dt.datetime
    filed_by: str


class ConfirmationOut(BaseModel):
    as_reported: bool
    rating: int
    comment: str
    confirmed_at: dt.datetime
    confirmed_by: str


class CancellationOut(BaseModel):
    id: int
    session_id: int
    association_id: str
    number: int
    planned_on: dt.date
    expert_ids: list[str]
    kind: str = Field(description="cancelled or no_show.")
    reason: str
    recorded_at: dt.datetime
    recorded_by: str


class SessionRecord(BaseModel):
    """A session with everything its life has gathered."""

    session: ScheduledSession
    report: ReportOut | None
    travel: list[TravelOut]
    confirmation: ConfirmationOut | None
    cancellations: list[CancellationOut] = Field(
        description="Earlier times this session was called off or missed.")


class ExpertReportIn(ReportIn):
    expert_id: RecordId = Field(description="The session's lead, who wrote the report.")


class ExpertTravelIn(TravelIn):
    expert_id: RecordId


class ReturnIn(RequestBody):
    reason: Note = Field(min_length=1, examples=["実施内容の記載が団体の確認と異なるため"])


class DueReportOut(BaseModel):
    session_id: int
    association_id: str
    association_name: str
    number: int
    lead_id: str
    held_on: dt.date
    due_on: dt.date
    late: bool
    final: bool = Field(description="The association's last session (a later due date).")


class SurveyOut(BaseModel):
    association_id: str
    manual_completed: bool
    completed_on: dt.date | None
    distribution: list[str]
    comment: str
    answered_at: dt.datetime
    answered_by: str


class AvailabilityChangeOut(BaseModel):
    expert_id: str
    at: dt.datetime
    actor: str
    sessions_to_look_at: list[int] = Field(
        description="The expert's sessions not held yet: a re-plan may move them; nothing "
                    "moved by itself.")


class LinkRequest(RequestBody):
    subject: Subject = Field(examples=["expert"])
    subject_id: RecordId = Field(examples=["E001"])


class LinkOut(BaseModel):
    id: int
    subject: str
    subject_id: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row: SelfServiceLinkRow) -> LinkOut:
        return cls(id=row.id, subject=row.subject, subject_id=row.subject_id,
                   created_at=row.created_at, created_by=row.created_by,
                   revoked_at=row.revoked_at)


class NewLink(LinkOut):
    link: str = Field(description="The private sign-in link. Shown only this once.")


def session_record(db: DbDep, session_id: int) -> SessionRecord:
    row = plans.session_row(db, session_id)
    report = session_life.report_of(db, session_id)
    confirmation = session_life.confirmation_of(db, session_id)
    return SessionRecord(
        session=ScheduledSession.of(row),
        report=None if report is None else ReportOut.model_validate(report,
                                                                    from_attributes=True),
        travel=[TravelOut.model_validate(c, from_attributes=True)
                for c in session_life.travel_claims_of(db, session_id)],
        confirmation=None if confirmation is None else ConfirmationOut.model_validate(
            confirmation, from_attributes=True),
        cancellations=[CancellationOut.model_validate(c, from_attributes=True)
                       for c in session_life.cancellations(db, row.association_id)
                       if c.session_id == session_id])


def _answer(db: DbDep, response: Response, session_id: int) -> SessionRecord:
    db.commit()
    record = session_record(db, session_id)
    response.headers["ETag"] = state.etag(plans.session_row(db, session_id).version)
    return record


@router.get("/sessions/{session_id}/record", response_model=SessionRecord,
            responses=responses(404))
def read_record(_: Viewer, db: DbDep, response: Response,
                session_id: SessionId) -> SessionRecord:
    """The session with its report, travel claims, confirmation and earlier cancellations;
    the ETag is the session's version."""
    record = session_record(db, session_id)
    response.headers["ETag"] = state.etag(plans.session_row(db, session_id).version)
    return record


@router.post("/sessions/{session_id}/call-off", response_model=SessionRecord, responses=CHANGE)
def call_off(actor: Staff, db: DbDep, response: Response, session_id: SessionId,
             body: Annotated[CancelIn, Body()], if_match: RequiredIfMatch) -> SessionRecord:
    """Record the session cancelled, or a no-show, with the reason; the next plan schedules
    it again."""
    session_life.call_off(db, session_id, body, if_match, actor.name)
    return _answer(db, response, session_id)


@router.post("/sessions/{session_id}/report", response_model=SessionRecord, responses=CHANGE)
def file_report(actor: Staff, db: DbDep, response: Response, session_id: SessionId,
                body: Annotated[ExpertReportIn, Body()],
                if_match: RequiredIfMatch) -> SessionRecord:
    """File the lead expert's report (支援実施報告書) of a held session, with their travel."""
    report = ReportIn.model_validate(body.model_dump(exclude={"expert_id"}))
    session_life.file_report(db, session_id, body.expert_id, report, if_match, actor.name)
    return _answer(db, response, session_id)


@router.post("/sessions/{session_id}/report/return", response_model=SessionRecord,
             responses=CHANGE)
def return_report(actor: Staff, db: DbDep, response: Response, session_id: SessionId,
                  body: Annotated[ReturnIn, Body()], if_match: RequiredIfMatch) -> SessionRecord:
    """Send a report not yet approved back to the expert (its confirmation goes with it)."""
    session_life.return_report(db, session_id, body.reason, if_match, actor.name)
    return _answer(db, response, session_id)


@router.post("/sessions/{session_id}/travel", response_model=SessionRecord, responses=CHANGE)
def claim_travel(actor: Staff, db: DbDep, response: Response, session_id: SessionId,
                 body: Annotated[ExpertTravelIn, Body()],
                 if_match: RequiredIfMatch) -> SessionRecord:
    """An expert of the session claims or corrects travel (onsite only), until approval."""
    claim = TravelIn.model_validate(body.model_dump(exclude={"expert_id"}))
    session_life.claim_travel(db, session_id, body.expert_id, claim, if_match, actor.name)
    return _answer(db, response, session_id)


@router.post("/sessions/{session_id}/confirmation", response_model=SessionRecord,
             responses=CHANGE)
def confirm(actor: Staff, db: DbDep, response: Response, session_id: SessionId,
            body: Annotated[ConfirmationIn, Body()], if_match: RequiredIfMatch) -> SessionRecord:
    """The association's confirmation (従事証明) received by the secretariat, once."""
    row = plans.session_row(db, session_id)
    session_life.confirm(db, session_id, row.association_id, body, if_match, actor.name)
    return _answer(db, response, session_id)


@router.post("/sessions/{session_id}/approval", response_model=SessionRecord,
             responses=CHANGE)
def approve(actor: Staff, db: DbDep, response: Response, session_id: SessionId,
            if_match: RequiredIfMatch) -> SessionRecord:
    """Approve a confirmed session for payment."""
    session_life.approve(db, session_id, if_match, actor.name)
    return _answer(db, response, session_id)


@router.get("/session-reports/due", response_model=list[DueReportOut])
def reports_due(_: Viewer, db: DbDep,
                expert_id: Annotated[str | None, Query(**ID_TEXT)] = None,
                late: Annotated[bool, Query(description="Only those past due.")] = False,
                ) -> list[DueReportOut]:
    """Held sessions whose report is not filed yet, earliest due first."""
    return [DueReportOut.model_validate(due, from_attributes=True)
            for due in session_life.reports_due(db, expert_id, late_only=late)]


@router.get("/session-cancellations", response_model=list[CancellationOut])
def list_cancellations(_: Viewer, db: DbDep,
                       association_id: Annotated[str | None, Query(**ID_TEXT)] = None,
                       ) -> list[CancellationOut]:
    """Every session called off or missed, with the reason."""
    return [CancellationOut.model_validate(c, from_attributes=True)
            for c in session_life.cancellations(db, association_id)]


@router.get("/associations/{association_id}/survey", response_model=SurveyOut,
            responses=responses(404))
def read_survey(_: Viewer, db: DbDep, association_id: AssociationId) -> SurveyOut:
    """The association's answers after its last session."""
    row = session_life.survey_of(db, association_id)
    if row is None:
        raise NotFound(f"association {association_id!r} has not answered the survey")
    return SurveyOut.model_validate(row, from_attributes=True)


@router.post("/associations/{association_id}/survey", response_model=SurveyOut,
             status_code=201, responses=responses(404, 409, 422))
def answer_survey(actor: Staff, db: DbDep, association_id: AssociationId,
                  body: Annotated[SurveyIn, Body()]) -> SurveyOut:
    """Record the association's survey answers (once, after its last session)."""
    row = session_life.answer_survey(db, association_id, body, actor.name)
    db.commit()
    return SurveyOut.model_validate(row, from_attributes=True)


@router.get("/availability-changes", response_model=list[AvailabilityChangeOut])
def availability_changes(_: Viewer, db: DbDep) -> list[AvailabilityChangeOut]:
    """Availability experts changed themselves, newest first: the next plan uses it."""
    return [AvailabilityChangeOut(expert_id=c.expert_id, at=c.at, actor=c.actor,
                                  sessions_to_look_at=c.affects)
            for c in session_life.availability_changes(db)]


@router.post("/self-service-links", response_model=NewLink, status_code=201,
             responses=responses(404, 422))
def create_link(actor: Staff, db: DbDep, settings: SettingsDep, body: LinkRequest) -> NewLink:
    """A private sign-in link for an expert or an association; the previous one stops."""
    row, secret = self_service.create(db, body.subject, body.subject_id, actor.name)
    db.commit()
    return NewLink(**LinkOut.of(row).model_dump(),
                   link=self_service.link(settings.public_base, secret))


@router.get("/self-service-links", response_model=list[LinkOut])
def list_links(_: Staff, db: DbDep) -> list[LinkOut]:
    """Every sign-in link ever made (the links themselves are not kept)."""
    return [LinkOut.of(row) for row in self_service.listing(db)]


@router.delete("/self-service-links/{link_id}", response_model=LinkOut,
               responses=responses(404, 409))
def revoke_link(actor: Staff, db: DbDep, link_id: RowId) -> LinkOut:
    """Revoke a sign-in link: its pages answer 404 from now on."""
    row = self_service.revoke(db, link_id, actor.name)
    db.commit()
    return LinkOut.of(row)
