"""Response shapes shared by several routers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from domain.plan import Session, Stats, Unserved
from service.db.models import PlanRow, SessionRow
from service.logic.bodies import RequestBody


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
    state: str = Field(description="scheduled, pinned (confirmed outside Haken), held, "
                                   "reported, confirmed, approved, paid; or cancelled, "
                                   "no_show. Held and later are pinned in every re-plan.")
    plan_id: int | None
    held_record: str | None
    held_by: str | None
    held_at: dt.datetime | None
    held_on: dt.date | None = Field(default=None, description="The date it took place.")
    held_start: str | None = None
    held_end: str | None = None
    held_mode: str | None = None
    attendees: list[str] | None = None
    report_due_on: dt.date | None = Field(default=None,
                                          description="When the expert's report is due.")
    approved_at: dt.datetime | None = None
    approved_by: str | None = None
    paid_at: dt.datetime | None = None

    @classmethod
    def of(cls, row: SessionRow) -> ScheduledSession:
        return cls(**row.data, id=row.id, state=row.state, plan_id=row.plan_id,
                   held_record=row.held_record, held_by=row.held_by, held_at=row.held_at,
                   held_on=row.held_on, held_start=row.held_start, held_end=row.held_end,
                   held_mode=row.held_mode, attendees=row.attendees,
                   report_due_on=row.report_due_on, approved_at=row.approved_at,
                   approved_by=row.approved_by, paid_at=row.paid_at)


class DeliveryIn(RequestBody):
    delivery: Literal["invitations", "feed", "both"] = Field(
        description="invitations: e-mailed calendar invitations (iMIP); feed: the private "
                    "calendar feed only; both (a client subscribed to the feed then shows "
                    "each session twice).")


class DeliveryOut(DeliveryIn):
    email: str | None = Field(description="The address invitations go to (the expert's "
                                          "email, the association's contact.email).")
    invitations: bool = Field(description="Whether invitations are e-mailed now: the choice "
                                          "says so and an address is known.")
