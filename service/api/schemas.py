"""Response shapes shared by several routers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from domain.plan import Session, Stats, Unserved
from service.db.models import JobRow, PlanRow, SessionRow


class MovedSession(BaseModel):
    association_id: str
    number: int
    fields: list[str] = Field(description="What changed: date, start, end, expert_ids, mode.")
    before: Session
    after: Session


class Changes(BaseModel):
    """A plan against the schedule it would replace."""

    moved: list[MovedSession]
    added: list[Session]
    removed: list[Session]
    kept: int = Field(description="Sessions that stay exactly as published.")


class JobProgress(BaseModel):
    stage: str = Field(examples=["service"])
    elapsed: float
    objective: float
    bound: float
    served: float | None = Field(description="Associations served (objective 1) so far.")
    detail: str = Field(default="", description="The stage's other figures.")


class JobOut(BaseModel):
    id: int
    status: str = Field(description="queued, running, succeeded, failed or cancelled.")
    options: dict[str, Any]
    requested_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    worker_id: str | None
    attempts: int
    max_attempts: int
    progress: JobProgress | None
    error: str | None
    history: list[dict[str, Any]] = Field(description="Earlier attempts and how they ended.")
    plan_id: int | None

    @classmethod
    def of(cls, row: JobRow) -> JobOut:
        return cls(id=row.id, status=row.status, options=row.options,
                   requested_by=row.requested_by, created_at=row.created_at,
                   started_at=row.started_at, finished_at=row.finished_at,
                   heartbeat_at=row.heartbeat_at, worker_id=row.worker_id,
                   attempts=row.attempts, max_attempts=row.max_attempts,
                   progress=JobProgress(**row.progress) if row.progress else None,
                   error=row.error, history=row.history, plan_id=row.plan_id)


class PlanOut(BaseModel):
    id: int
    status: str = Field(description="draft, published or superseded.")
    created_at: dt.datetime
    created_by: str
    published_at: dt.datetime | None
    published_by: str | None
    scenario_sha256: str
    parameters: dict[str, Any] = Field(description="Solver parameters, seed and version.")
    stats: Stats
    unserved: list[Unserved]
    changes: Changes = Field(description="A draft: what publishing it now would change in the "
                                         "schedule. Published: what publishing it changed.")

    @classmethod
    def of(cls, row: PlanRow, changes: dict[str, Any]) -> PlanOut:
        return cls(id=row.id, status=row.status, created_at=row.created_at,
                   created_by=row.created_by, published_at=row.published_at,
                   published_by=row.published_by, scenario_sha256=row.scenario_sha256,
                   parameters=row.parameters, stats=Stats(**row.document["stats"]),
                   unserved=[Unserved(**u) for u in row.document["unserved"]],
                   changes=Changes.model_validate(changes))


class ScheduledSession(Session):
    """A session of the current schedule; ``id`` is stable across re-plans."""

    id: int
    state: str = Field(description="scheduled, pinned (confirmed outside Haken) or held.")
    plan_id: int | None
    held_record: str | None
    held_by: str | None
    held_at: dt.datetime | None

    @classmethod
    def of(cls, row: SessionRow) -> ScheduledSession:
        return cls(**row.data, id=row.id, state=row.state, plan_id=row.plan_id,
                   held_record=row.held_record, held_by=row.held_by, held_at=row.held_at)
