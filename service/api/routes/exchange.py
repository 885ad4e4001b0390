"""The exchange format of ``spec/exchange-format.md``: import a scenario, export the state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Response

from domain.scenario import Scenario
from service.api import examples
from service.api.deps import AuthenticatedRoute, Staff, Viewer
from service.api.errors import responses
from service.logic import exchange, state
from service.web.dependencies import DbDep

router = APIRouter(prefix="/scenario", tags=["exchange"], route_class=AuthenticatedRoute)


@router.get("", response_model=Scenario, responses=responses(409))
def export_scenario(_: Viewer, db: DbDep, response: Response) -> Scenario:
    """The current state as a scenario: pinned holds the pinned and held sessions. The
    ETag is the whole state's version, for If-Match when replacing it."""
    scenario = state.current_scenario(db)
    response.headers["ETag"] = state.state_etag(db)
    return scenario


@router.put("", response_model=Scenario, responses=responses(409, 412, 422, 428))
def import_scenario(actor: Staff, db: DbDep, response: Response,
                    body: Annotated[Scenario, Body(openapi_examples={
                        "spec": {"summary": "The spec's example scenario",
                                 "value": examples.SCENARIO}})],
                    if_match: Annotated[str | None, Header(
                        description="The ETag of GET /scenario: everything is replaced, so "
                                    "the whole state's version (none needed while there is "
                                    "no programme yet).")] = None,
                    ) -> Scenario:
    """Replace programme, experts, associations, schedule and screening with a scenario
    document."""
    state.check_state_if_match(db, if_match)
    scenario = exchange.import_scenario(db, body.model_dump(mode="json", exclude_none=True),
                                        actor.name)
    db.commit()
    response.headers["ETag"] = state.state_etag(db)
    return scenario
