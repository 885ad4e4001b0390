"""The audit log: every change with who made it and when, written in the change's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import AuditRow


def record(db: Session, actor: str, action: str, entity: str, entity_id: str | int,
           **detail: Any) -> None:
    db.add(AuditRow(actor=actor, action=action, entity=entity, entity_id=str(entity_id),
                    detail=detail))


def entries(db: Session, entity: str | None = None, entity_id: str | None = None,
            limit: int = 100) -> list[AuditRow]:
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditRow.entity == entity)
    if entity_id is not None:
        query = query.where(AuditRow.entity_id == entity_id)
    return list(db.scalars(query))
