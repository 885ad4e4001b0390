"""The applications list as staff work it: the columns they sort by, filters, and decisions
on several applications at once.

A bulk decision goes through ``applications.transition`` for each application, with the
version the list showed, each in its own transaction: one that fails changes nothing for
that application, the others are still made, and each outcome says what happened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import Issue
from domain.scenario import Association
from domain.vocabulary import Status
from service.db.models import AssociationRow, SessionRow
from service.logic import applications
from service.logic.applications import OpenItem, Transition
from service.logic.errors import (
    Invalid,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceError,
)
from service.logic.records import association_row
from service.logic.state import etag

SortKey = Literal["id", "name", "status", "applied_at", "call_due_on", "decided_on", "lead",
                  "held", "next_session"]
SORT_KEYS: tuple[SortKey, ...] = ("id", "name", "status", "applied_at", "call_due_on",
                                  "decided_on", "lead", "held", "next_session")


@dataclass(frozen=True)
class ListRow:
    association_id: str
    name: str
    status: Status
    applied_at: dt.datetime
    call_due_on: dt.date | None  # only while the call is still to be made
    call_late: bool
    decided_on: dt.date | None
    lead_id: str | None  # the lead of its first session in the schedule
    sessions_held: int
    sessions_planned: int
    next_session: dt.date | None  # the first session not yet held, from today
    version: int


def _sort_value(row: ListRow, key: SortKey) -> tuple[Any, ...]:
    # Rows without a value go last whichever way the list is sorted (see list_rows).
    value: Any = {
        "id": row.association_id, "name": row.name, "status": row.status,
        "applied_at": row.applied_at, "call_due_on": row.call_due_on,
        "decided_on": row.decided_on, "lead": row.lead_id,
        "held": (row.sessions_held, row.sessions_planned) if row.sessions_planned else None,
        "next_session": row.next_session,
    }[key]
    return (value,)


def list_rows(db: Session, today: dt.date | None, status: str | None = None,
              search: str | None = None, lead_id: str | None = None,
              calls_late_only: bool = False, sort: SortKey = "call_due_on",
              descending: bool = False) -> list[ListRow]:
    """Every application with the list's columns, filtered and sorted; ties by id."""
    sessions: dict[str, list[SessionRow]] = defaultdict(list)
    for session in db.scalars(select(SessionRow).order_by(SessionRow.number)):
        sessions[session.association_id].append(session)
    query = select(AssociationRow).order_by(AssociationRow.id)
    if status is not None:
        query = query.where(AssociationRow.status == status)
    needle = (search or "").strip().casefold()
    rows = []
    for record in db.scalars(query):
        association = Association.model_validate(record.data)
        if needle and needle not in association.id.casefold() \
                and needle not in association.name.casefold():
            continue
        own = sessions.get(record.id, [])
        lead = own[0].data["expert_ids"][0] if own else None
        if lead_id is not None and lead != lead_id:
            continue
        calling = record.status == "received"
        late = calling and today is not None and record.call_due_on < today
        if calls_late_only and not late:
            continue
        upcoming = sorted(dt.date.fromisoformat(s.data["date"]) for s in own
                          if s.state != "held")
        upcoming = [day for day in upcoming if today is None or day >= today]
        rows.append(ListRow(
            association_id=record.id, name=association.name, status=association.status,
            applied_at=association.applied_at,
            call_due_on=record.call_due_on if calling else None, call_late=late,
            decided_on=association.decided_on, lead_id=lead,
            sessions_held=sum(s.state == "held" for s in own), sessions_planned=len(own),
            next_session=upcoming[0] if upcoming else None, version=record.version))
    present = [r for r in rows if _sort_value(r, sort)[0] is not None]
    absent = [r for r in rows if _sort_value(r, sort)[0] is None]
    present.sort(key=lambda r: r.association_id)
    present.sort(key=lambda r: _sort_value(r, sort), reverse=descending)
    return present + absent


BulkProblem = Literal["not_found", "stale", "not_allowed", "checklist_open", "invalid",
                      "other"]


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one application of a bulk decision."""

    association_id: str
    changed: bool
    status: str | None  # its status now (after the change, or as it stayed)
    problem: BulkProblem | None = None
    detail: str | None = None  # the rules' own words (English), for the record
    open_items: list[OpenItem] = field(default_factory=list)


def bulk_decide(db: Session, chosen: Sequence[tuple[str, int | None]], to: Status,
                reason: str | None, actor: str) -> list[BulkOutcome]:
    """Accept or reject each chosen application (id, the version the list showed) with one
    reason; each is committed or rolled back on its own."""
    if to not in ("accepted", "rejected"):
        raise Invalid([Issue("to", "a bulk decision accepts or rejects")])
    if not (reason and reason.strip()):
        raise Invalid([Issue("reason", f"a reason is required to mark them {to}")])
    outcomes = []
    for association_id, version in chosen:
        outcomes.append(_decide_one(db, association_id, version, to, reason, actor))
    return outcomes


def _decide_one(db: Session, association_id: str, version: int | None, to: Status,
                reason: str, actor: str) -> BulkOutcome:
    try:
        row = association_row(db, association_id)
    except NotFound as error:
        db.rollback()
        return BulkOutcome(association_id, False, None, "not_found", error.message)
    current = row.status
    try:
        applications.transition(db, association_id, Transition(to, reason=reason),
                                etag(version) if version is not None else None, actor)
        db.commit()
    except (PreconditionFailed, PreconditionRequired) as error:
        db.rollback()
        return BulkOutcome(association_id, False, current, "stale", error.message)
    except ServiceError as error:
        db.rollback()
        problem: BulkProblem = "other"
        gaps: list[OpenItem] = []
        if to not in applications.NEXT[current]:
            problem = "not_allowed"
        elif to == "accepted" and (gaps := applications.open_items(db, association_id)):
            problem = "checklist_open"
        elif isinstance(error, Invalid):
            problem = "invalid"
        return BulkOutcome(association_id, False, current, problem, error.message, gaps)
    return BulkOutcome(association_id, True, to)
