"""Associations (applications): needs, sessions requested, mode, availability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from domain.scenario import Association
from domain.vocabulary import Status
from service.api import examples
from service.api.deps import ID_TEXT, AuthenticatedRoute, RequiredIfMatch, Staff, Viewer
from service.api.errors import responses
from service.api.schemas import DeliveryIn, DeliveryOut
from service.logic import invitations, records, state
from service.web.dependencies import DbDep

router = APIRouter(prefix="/associations", tags=["associations"], route_class=AuthenticatedRoute)

AssociationId = Annotated[str, Path(description="The association's id, e.g. A001.", **ID_TEXT)]
AssociationBody = Annotated[Association, Body(openapi_examples={
    "application": {"summary": "A new application (status received)",
                    "value": examples.ASSOCIATION}})]


@router.get("", response_model=list[Association])
def list_associations(_: Viewer, db: DbDep,
                      status: Annotated[Status | None, Query()] = None) -> list[Association]:
    """Every association (application), by id; filter by status."""
    return [Association.model_validate(row.data) for row in records.associations(db, status)]


@router.post("", response_model=Association, status_code=201, responses=responses(409, 422))
def receive_application(actor: Staff, db: DbDep, response: Response,
                        body: AssociationBody) -> Association:
    """Receive an application: status ``received``; the pre-interview call falls due."""
    row = records.create_association(db, body, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    response.headers["Location"] = f"/api/v1/associations/{row.id}"
    return Association.model_validate(row.data)


@router.get("/{association_id}", response_model=Association, responses=responses(404))
def read_association(_: Viewer, db: DbDep, response: Response,
                     association_id: AssociationId) -> Association:
    """One association; the ETag is the version to send back in If-Match."""
    row = records.association_row(db, association_id)
    response.headers["ETag"] = state.etag(row.version)
    return Association.model_validate(row.data)


@router.put("/{association_id}", response_model=Association,
            responses=responses(404, 409, 412, 422, 428))
def replace_association(actor: Staff, db: DbDep, response: Response,
                        association_id: AssociationId, body: AssociationBody,
                        if_match: RequiredIfMatch) -> Association:
    """Replace the record (not its status or decision: those move by transitions)."""
    row = records.update_association(db, association_id, body, if_match, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    return Association.model_validate(row.data)


@router.get("/{association_id}/delivery", response_model=DeliveryOut, responses=responses(404))
def read_delivery(_: Viewer, db: DbDep, association_id: AssociationId) -> DeliveryOut:
    """How the association hears of their sessions: e-mailed invitations, the feed, or both
    (the default: invitations where an address is known)."""
    choice = invitations.delivery_choice(db, "association", association_id)
    return DeliveryOut(delivery=choice.delivery, email=choice.email,
                       invitations=choice.invitations)


@router.put("/{association_id}/delivery", response_model=DeliveryOut, responses=responses(404, 422))
def set_delivery(actor: Staff, db: DbDep, association_id: AssociationId,
                 body: DeliveryIn) -> DeliveryOut:
    """Choose invitations, the feed, or both for this association."""
    choice = invitations.set_delivery(db, "association", association_id, body.delivery,
                                      actor.name)
    db.commit()
    return DeliveryOut(delivery=choice.delivery, email=choice.email,
                       invitations=choice.invitations)
