"""The application flow: checklist, pre-interview calls due, decisions and status changes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field

from domain.limits import Note
from domain.scenario import Association
from domain.types import IsoDate
from domain.vocabulary import Status
from service.api.deps import ID_TEXT, AuthenticatedRoute, RequiredIfMatch, Staff, Viewer
from service.api.errors import responses
from service.logic import applications, records, state
from service.logic.applications import TransitionIn
from service.logic.bodies import RequestBody
from service.web.dependencies import DbDep

router = APIRouter(tags=["applications"], route_class=AuthenticatedRoute)

AssociationId = Annotated[str, Path(description="The association's id, e.g. A001.", **ID_TEXT)]


class CheckIn(RequestBody):
    passed: bool = Field(description="Whether the requirement is met.")
    note: Note | None = Field(default=None, examples=["登記事項証明書で確認"])


class CheckOut(BaseModel):
    item: str
    label: str = Field(description="The requirement in Japanese.")
    label_en: str
    passed: bool | None = Field(description="null while nobody has checked it.")
    note: str | None
    checked_by: str | None
    checked_at: dt.datetime | None


class ApplicationOut(BaseModel):
    association_id: str
    status: Status
    call_due_on: dt.date = Field(description="The pre-interview call is due by this date.")
    called_at: dt.datetime | None
    called_by: str | None
    call_note: str | None
    decided_on: dt.date | None
    decision_reason: str | None
    eligibility: list[CheckOut]
    open_items: list[str] = Field(description="What stands in the way of accepting.")


class DueCallOut(BaseModel):
    association_id: str
    name: str
    applied_at: dt.datetime
    due_on: dt.date
    late: bool
    business_days_left: int | None = Field(
        description="Business days until the call is due (negative: overdue); null when "
                    "more than a year away.")


def _application(db: DbDep, association_id: str) -> ApplicationOut:
    row = records.association_row(db, association_id)
    found = applications.checks(db, association_id)
    association = Association.model_validate(row.data)
    return ApplicationOut(
        association_id=row.id, status=association.status, call_due_on=row.call_due_on,
        called_at=row.called_at, called_by=row.called_by, call_note=row.call_note,
        decided_on=association.decided_on, decision_reason=row.decision_reason,
        eligibility=[CheckOut(item=item, label=label.ja, label_en=label.en,
                              passed=found[item].passed if item in found else None,
                              note=found[item].note if item in found else None,
                              checked_by=found[item].checked_by if item in found else None,
                              checked_at=found[item].checked_at if item in found else None)
                     for item, label in applications.ELIGIBILITY.items()],
        open_items=applications.screening_gaps(db, association_id),
    )


@router.get("/applications/calls-due", response_model=list[DueCallOut],
            responses=responses(409))
def calls_due(_: Viewer, db: DbDep,
              as_of: Annotated[IsoDate | None, Query(description="Default: today.")] = None,
              ) -> list[DueCallOut]:
    """Pre-interview calls not yet made, by due date (five business days after applying)."""
    return [DueCallOut(**vars(call)) for call in applications.calls_due(db, as_of)]


@router.get("/associations/{association_id}/application", response_model=ApplicationOut,
            responses=responses(404))
def read_application(_: Viewer, db: DbDep, association_id: AssociationId) -> ApplicationOut:
    """Screening state: checklist with who checked each item, the call, the decision."""
    return _application(db, association_id)


@router.put("/associations/{association_id}/eligibility/{item}", response_model=ApplicationOut,
            responses=responses(404, 409, 422))
def check_item(actor: Staff, db: DbDep, association_id: AssociationId,
               item: Annotated[str, Path(examples=["tokyo_address"], **ID_TEXT)],
               body: CheckIn) -> ApplicationOut:
    """Record one eligibility item as checked by the caller."""
    applications.check_item(db, association_id, item, body.passed, body.note, actor.name)
    db.commit()
    return _application(db, association_id)


@router.post("/associations/{association_id}/transitions", response_model=Association,
             responses=responses(404, 409, 412, 422, 428))
def change_status(
    actor: Staff, db: DbDep, response: Response, association_id: AssociationId,
    body: Annotated[TransitionIn, Body(openapi_examples={
        "interviewed": {"summary": "The pre-interview call was made",
                        "value": {"to": "interviewed", "note": "会員120社、既存マニュアルなし",
                                  "called_at": "2025-07-03T14:30:00+09:00",
                                  "called_by": "佐藤"}},
        "accepted": {"summary": "Accept", "value": {"to": "accepted",
                                                    "reason": "要件をすべて満たす"}},
        "rejected": {"summary": "Reject with a reason",
                     "value": {"to": "rejected", "reason": "都内に事務所がない"}}})],
    if_match: RequiredIfMatch,
) -> Association:
    """Move an application to its next status; every step is in the audit log."""
    row = applications.transition(
        db, association_id,
        applications.Transition(body.to, body.reason, body.note, body.decided_on,
                                body.called_at, body.called_by),
        if_match, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    return Association.model_validate(row.data)
