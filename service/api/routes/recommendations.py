"""Recommendations: ways to serve one association, or to move one of its sessions, with
every other session of the schedule where it is; taking one makes a draft plan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from domain.plan import Session
from scheduler.recommend import Recommendation
from service.api.deps import ID_TEXT, AuthenticatedRoute, RowId, Staff
from service.api.errors import responses
from service.api.schemas import PlanOut
from service.logic import plans, recommendations
from service.logic.bodies import RequestBody
from service.web.dependencies import DbDep

router = APIRouter(tags=["recommendations"], route_class=AuthenticatedRoute)

AssociationId = Annotated[str, Path(description="The association's id.", **ID_TEXT)]
HowMany = Annotated[int, Query(ge=1, le=20, description="How many options at most.")]


class Reasons(BaseModel):
    ja: str
    en: str


class OptionOut(BaseModel):
    rank: int = Field(description="1 is the best on the spec's order of objectives.")
    sessions: list[Session] = Field(description="Lead (first), joiners, date and time of "
                                                "every session the option sets.")
    impact: dict[str, Any] = Field(description="The plan's figures before and after (served, "
                                               "coverage, industry match, largest load, gap "
                                               "deviation), the association's own, and each "
                                               "of its experts' sessions.")
    reasons: Reasons = Field(description="Why it ranks here, in Japanese and English.")


class UnservedReason(BaseModel):
    reason: str
    detail: str
    detail_en: str | None = None


class RecommendationOut(BaseModel):
    association_id: str
    session_number: int | None = Field(
        default=None, description="For other dates of a session: its number.")
    options: list[OptionOut] = Field(description="Best first; empty when none exists.")
    unserved_reason: UnservedReason | None = Field(
        description="Why there is no option (as the plan's unserved gives it); null with "
                    "options.")

    @classmethod
    def of(cls, found: Recommendation) -> RecommendationOut:
        return cls.model_validate(found.to_json())


class TakeIn(RequestBody):
    sessions: list[Session] = Field(min_length=1, max_length=50, description=(
        "The option's sessions, as the recommendation gave them."))
    rank: int | None = Field(default=None, ge=1, le=20,
                             description="The option's rank, recorded with the draft.")


@router.get("/associations/{association_id}/recommendations",
            response_model=RecommendationOut, responses=responses(404, 409, 422))
def association_options(_: Staff, db: DbDep, association_id: AssociationId,
                        k: HowMany = 3) -> RecommendationOut:
    """For an accepted association the schedule does not serve (the pre-interview, or one
    left out): the k best leads, joiners and dates, every other session where it is."""
    return RecommendationOut.of(recommendations.for_association(db, association_id, k))


@router.get("/sessions/{session_id}/recommendations", response_model=RecommendationOut,
            responses=responses(404, 409, 422))
def session_options(_: Staff, db: DbDep, session_id: RowId,
                    k: HowMany = 3) -> RecommendationOut:
    """Other dates and times for this session (the association's later sessions moved
    only where the gap rule needs it), everything else where it is."""
    return RecommendationOut.of(recommendations.for_session(db, session_id, k))


@router.post("/associations/{association_id}/recommendations/take", response_model=PlanOut,
             status_code=201, responses=responses(404, 409, 422))
def take_option(actor: Staff, db: DbDep, response: Response, association_id: AssociationId,
                body: TakeIn) -> PlanOut:
    """Make a draft plan: the schedule with the option's sessions, checked against every
    hard rule (409 when it no longer fits). Publish it like any other draft."""
    row = recommendations.take(db, association_id, body.sessions, actor.name, body.rank)
    db.commit()
    response.headers["Location"] = f"/api/v1/plans/{row.id}"
    return PlanOut.of(row, plans.shown_changes(db, row))
