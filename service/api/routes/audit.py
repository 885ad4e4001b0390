"""The audit log: who changed what, and when."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service.api.deps import ID_TEXT, AuthenticatedRoute, Staff
from service.logic import audit
from service.web.dependencies import DbDep

router = APIRouter(prefix="/audit", tags=["audit"], route_class=AuthenticatedRoute)


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


@router.get("", response_model=list[AuditEntry])
def read_audit(_: Staff, db: DbDep,
               entity: Annotated[str | None, Query(examples=["association"], **ID_TEXT)] = None,
               entity_id: Annotated[str | None, Query(examples=["A001"], **ID_TEXT)] = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEntry]:
    """Newest first; filter by entity (expert, association, plan, ...) and id."""
    return [AuditEntry(id=row.id, at=row.at, actor=row.actor, action=row.action,
                       entity=row.entity, entity_id=row.entity_id, detail=row.detail)
            for row in audit.entries(db, entity, entity_id, limit)]
