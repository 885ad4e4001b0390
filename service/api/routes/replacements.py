"""Replacements: who could take over from an expert who drops out, and applying one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from domain.limits import RecordId
from service.api.deps import ID_TEXT, AuthenticatedRoute, RowId, Staff, Viewer
from service.api.errors import responses
from service.api.schemas import ScheduledSession
from service.logic import invitations, replacements
from service.logic.bodies import RequestBody
from service.logic.jobs import JobOut, PlanRequest
from service.logic.replacements import Scope
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(tags=["replacements"], route_class=AuthenticatedRoute)

Leaving = Annotated[str, Query(description="The expert who drops out.", examples=["E001"],
                                     **ID_TEXT)]


class CandidateOut(BaseModel):
    rank: int
    expert_id: str
    name: str
    reasons: list[str] = Field(description="Why it ranks here (Japanese).")
    reasons_en: list[str]


class Candidates(BaseModel):
    association_id: str
    leaving: str
    session_ids: list[int] = Field(description="The sessions the replacement takes over.")
    scope: str
    scope_en: str
    candidates: list[CandidateOut] = Field(description="Best first; empty when nobody may.")


class ReplacementIn(RequestBody):
    expert_id: RecordId = Field(description="Who drops out.", examples=["E001"])
    by: RecordId = Field(description="Who takes over (one of the candidates).",
                         examples=["E002"])


class ReplanIn(PlanRequest):
    expert_id: RecordId = Field(description="Who drops out.", examples=["E001"])
    by: RecordId = Field(description="Who takes over (one of the candidates), pinned in the "
                                "re-plan.", examples=["E002"])


def _answer(db: DbDep, scope: Scope) -> Candidates:
    found = replacements.candidates(db, scope)
    return Candidates(
        association_id=scope.association_id, leaving=scope.leaving,
        session_ids=list(scope.session_ids), scope=scope.note, scope_en=scope.note_en,
        candidates=[CandidateOut(rank=i, expert_id=c.expert_id, name=c.name,
                                 reasons=c.reasons, reasons_en=c.reasons_en)
                    for i, c in enumerate(found, start=1)])


@router.get("/sessions/{session_id}/replacements", response_model=Candidates,
            responses=responses(404, 409, 422))
def session_candidates(_: Viewer, db: DbDep, session_id: RowId,
                       expert_id: Leaving) -> Candidates:
    """Experts who could take the leaving expert's place in this session (a lead: in all
    the association's sessions not held yet), best first, each with why."""
    return _answer(db, replacements.scope_of_session(db, session_id, expert_id))


@router.post("/sessions/{session_id}/replacement", response_model=list[ScheduledSession],
             responses=responses(404, 409, 422))
def replace_in_session(actor: Staff, db: DbDep, settings: SettingsDep, session_id: RowId,
                       body: ReplacementIn) -> list[ScheduledSession]:
    """Apply a replacement; the candidate is checked against the rules again."""
    scope = replacements.scope_of_session(db, session_id, body.expert_id)
    changed = replacements.replace(db, scope, body.by, actor.name)
    db.flush()
    invitations.queue_for_schedule(db, settings)  # with the change, or not at all
    db.commit()
    return [ScheduledSession.of(row) for row in changed]


@router.get("/associations/{association_id}/replacements", response_model=Candidates,
            responses=responses(404, 409, 422))
def association_candidates(_: Viewer, db: DbDep, association_id: Annotated[str, Path(**ID_TEXT)],
                           expert_id: Leaving) -> Candidates:
    """Experts who could take over all the leaving expert's sessions not held yet with
    this association, best first, each with why."""
    return _answer(db, replacements.scope_of_association(db, association_id, expert_id))


@router.post("/associations/{association_id}/replacement",
             response_model=list[ScheduledSession], responses=responses(404, 409, 422))
def replace_in_association(actor: Staff, db: DbDep, settings: SettingsDep,
                           association_id: Annotated[str, Path(**ID_TEXT)],
                           body: ReplacementIn) -> list[ScheduledSession]:
    """Apply a replacement for all the leaving expert's sessions not held yet."""
    scope = replacements.scope_of_association(db, association_id, body.expert_id)
    changed = replacements.replace(db, scope, body.by, actor.name)
    db.flush()
    invitations.queue_for_schedule(db, settings)  # with the change, or not at all
    db.commit()
    return [ScheduledSession.of(row) for row in changed]


@router.post("/sessions/{session_id}/replacement/replan", response_model=JobOut,
             status_code=202, responses=responses(404, 409, 422))
def replan_in_session(actor: Staff, db: DbDep, settings: SettingsDep, response: Response,
                      session_id: RowId, body: ReplanIn) -> JobOut:
    """Re-plan with the replacement pinned (the schedule stays as it is until the draft is
    published); the answer is the job, its plan a draft to compare and publish."""
    scope = replacements.scope_of_session(db, session_id, body.expert_id)
    request = PlanRequest.model_validate(body.model_dump(include=set(PlanRequest.model_fields)))
    job = replacements.replan(db, scope, body.by, request, actor.name, settings)
    db.commit()
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobOut.of(job)
