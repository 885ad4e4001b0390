"""The programme: its periods, hours, limits and vocabulary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from domain.scenario import Programme
from service.api import examples
from service.api.deps import AuthenticatedRoute, IfMatch, Staff, Viewer
from service.api.errors import responses
from service.logic import records, state
from service.web.dependencies import DbDep

router = APIRouter(prefix="/programme", tags=["programme"], route_class=AuthenticatedRoute)


@router.get("", response_model=Programme, responses=responses(409))
def read_programme(_: Viewer, db: DbDep, response: Response) -> Programme:
    """The programme in the exchange format; its ETag is the version to send back."""
    row = state.programme_row(db)
    response.headers["ETag"] = state.etag(row.version)
    return Programme.model_validate(row.data)


@router.put("", response_model=Programme, status_code=200, responses={
    **responses(412, 422, 428),
    201: {"description": "Created: there was no programme yet.", "model": Programme}})
def put_programme(
    actor: Staff, db: DbDep, response: Response, body: Annotated[Programme, Body(openapi_examples={
        "tokyo": {"summary": "The Tokyo programme 2025-26", "value": examples.PROGRAMME}})],
    if_match: IfMatch = None,
) -> Programme:
    """Create the programme (no If-Match needed the first time) or replace it."""
    row, created = records.put_programme(db, body, if_match, actor.name)
    db.commit()
    response.status_code = 201 if created else 200
    response.headers["ETag"] = state.etag(row.version)
    return Programme.model_validate(row.data)
