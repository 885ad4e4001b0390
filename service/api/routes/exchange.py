"""The exchange format of ``spec/exchange-format.md``: import a scenario, export the state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from domain.scenario import Scenario
from service.api import examples
from service.api.deps import Staff, Viewer
from service.api.errors import responses
from service.logic import exchange, state
from service.web.dependencies import DbDep

router = APIRouter(prefix="/scenario", tags=["exchange"])


@router.get("", response_model=Scenario, responses=responses(409))
def export_scenario(_: Viewer, db: DbDep) -> Scenario:
    """The current state as a scenario: pinned holds the pinned and held sessions."""
    return state.current_scenario(db)


@router.put("", response_model=Scenario, responses=responses(422))
def import_scenario(actor: Staff, db: DbDep, body: Annotated[Scenario, Body(openapi_examples={
        "spec": {"summary": "The spec's example scenario", "value": examples.SCENARIO}})],
) -> Scenario:
    """Replace programme, experts, associations and schedule with a scenario document."""
    scenario = exchange.import_scenario(db, body.model_dump(mode="json", exclude_none=True),
                                        actor.name)
    db.commit()
    return scenario
