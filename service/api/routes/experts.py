"""Experts: qualifications, industries, modes, caps, availability, conflicts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from domain.scenario import Expert
from service.api import examples
from service.api.deps import ID_TEXT, AuthenticatedRoute, RequiredIfMatch, Staff, Viewer
from service.api.errors import responses
from service.api.schemas import DeliveryIn, DeliveryOut
from service.logic import invitations, records, state
from service.web.dependencies import DbDep

router = APIRouter(prefix="/experts", tags=["experts"], route_class=AuthenticatedRoute)

ExpertId = Annotated[str, Path(description="The expert's id, e.g. E001.", **ID_TEXT)]
ExpertBody = Annotated[Expert, Body(openapi_examples={
    "sharoushi": {"summary": "A 社会保険労務士 who also does career consulting",
                  "value": examples.EXPERT}})]


@router.get("", response_model=list[Expert])
def list_experts(_: Viewer, db: DbDep) -> list[Expert]:
    """Every expert, in the exchange format, by id."""
    return [Expert.model_validate(row.data) for row in records.experts(db)]


@router.post("", response_model=Expert, status_code=201, responses=responses(409, 422))
def create_expert(actor: Staff, db: DbDep, response: Response, body: ExpertBody) -> Expert:
    """Add an expert; its qualifications and conflicts must name known keys and records."""
    row = records.create_expert(db, body, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    response.headers["Location"] = f"/api/v1/experts/{row.id}"
    return Expert.model_validate(row.data)


@router.get("/{expert_id}", response_model=Expert, responses=responses(404))
def read_expert(_: Viewer, db: DbDep, response: Response, expert_id: ExpertId) -> Expert:
    """One expert; the ETag is the version to send back in If-Match."""
    row = records.expert_row(db, expert_id)
    response.headers["ETag"] = state.etag(row.version)
    return Expert.model_validate(row.data)


@router.put("/{expert_id}", response_model=Expert,
            responses=responses(404, 409, 412, 422, 428))
def replace_expert(actor: Staff, db: DbDep, response: Response, expert_id: ExpertId,
                   body: ExpertBody, if_match: RequiredIfMatch) -> Expert:
    """Replace the expert's record; send If-Match with the ETag you read."""
    row = records.update_expert(db, expert_id, body, if_match, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    return Expert.model_validate(row.data)


@router.delete("/{expert_id}", status_code=204, responses=responses(404, 409, 412, 422, 428))
def delete_expert(actor: Staff, db: DbDep, expert_id: ExpertId,
                  if_match: RequiredIfMatch) -> Response:
    """Remove an expert who is in no session of the current schedule."""
    records.delete_expert(db, expert_id, if_match, actor.name)
    db.commit()
    return Response(status_code=204)


@router.get("/{expert_id}/delivery", response_model=DeliveryOut, responses=responses(404))
def read_delivery(_: Viewer, db: DbDep, expert_id: ExpertId) -> DeliveryOut:
    """How the expert hears of their sessions: e-mailed invitations, the feed, or both
    (the default: invitations where an address is known)."""
    choice = invitations.delivery_choice(db, "expert", expert_id)
    return DeliveryOut(delivery=choice.delivery, email=choice.email,
                       invitations=choice.invitations)


@router.put("/{expert_id}/delivery", response_model=DeliveryOut, responses=responses(404, 422))
def set_delivery(actor: Staff, db: DbDep, expert_id: ExpertId, body: DeliveryIn) -> DeliveryOut:
    """Choose invitations, the feed, or both for this expert."""
    choice = invitations.set_delivery(db, "expert", expert_id, body.delivery, actor.name)
    db.commit()
    return DeliveryOut(delivery=choice.delivery, email=choice.email,
                       invitations=choice.invitations)
