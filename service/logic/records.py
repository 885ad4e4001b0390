"""Experts, associations and the programme: create, read, update, with versions and audit."""

from __future__ import annotations

import zoneinfo
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.calendar import BusinessCalendar
from domain.errors import Issue
from domain.scenario import Association, Expert, Programme
from service.db.models import AssociationRow, ExpertRow, ProgrammeRow, SessionRow
from service.logic import audit
from service.logic.errors import Conflict, Invalid, NotFound
from service.logic.state import (
    PROGRAMME_ID,
    check_if_match,
    programme,
    programme_row,
    validate,
)

# 事前ヒアリング: the programme calls each applicant within about five business days.
PRE_INTERVIEW_BUSINESS_DAYS = 5


def dump(record: BaseModel) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    keys = sorted(set(before) | set(after))
    return {key: {"from": before.get(key), "to": after.get(key)}
            for key in keys if before.get(key) != after.get(key)}


def _same_id(path_id: str, body_id: str) -> None:
    if path_id != body_id:
        raise Invalid([Issue("id", f"{body_id!r} differs from the id in the URL {path_id!r}; "
                                   "ids cannot be changed")])


# --- programme ----------------------------------------------------------------------


def put_programme(db: Session, new: Programme, if_match: str | None,
                  actor: str) -> tuple[ProgrammeRow, bool]:
    """Create the programme, or replace it (If-Match required); True when created."""
    row = db.get(ProgrammeRow, PROGRAMME_ID)
    if row is None:
        row = ProgrammeRow(id=PROGRAMME_ID, data=dump(new))
        db.add(row)
        validate(db)
        audit.record(db, actor, "create", "programme", PROGRAMME_ID)
        return row, True
    check_if_match(row.version, if_match, "the programme")
    changes = changed_fields(row.data, dump(new))
    row.data = dump(new)
    validate(db)
    audit.record(db, actor, "update", "programme", PROGRAMME_ID, changed=changes)
    return row, False


# --- experts ------------------------------------------------------------------------


def experts(db: Session) -> list[ExpertRow]:
    return list(db.scalars(select(ExpertRow).order_by(ExpertRow.id)))


def expert_row(db: Session, expert_id: str) -> ExpertRow:
    row = db.get(ExpertRow, expert_id)
    if row is None:
        raise NotFound(f"no expert {expert_id!r}")
    return row


def create_expert(db: Session, expert: Expert, actor: str) -> ExpertRow:
    programme_row(db)
    if db.get(ExpertRow, expert.id) is not None:
        raise Conflict(f"expert {expert.id!r} already exists")
    row = ExpertRow(id=expert.id, data=dump(expert))
    db.add(row)
    validate(db)
    audit.record(db, actor, "create", "expert", expert.id)
    return row


def update_expert(db: Session, expert_id: str, expert: Expert, if_match: str | None,
                  actor: str) -> ExpertRow:
    row = expert_row(db, expert_id)
    _same_id(expert_id, expert.id)
    check_if_match(row.version, if_match, f"expert {expert_id}")
    changes = changed_fields(row.data, dump(expert))
    if not changes:  # the same record again: nothing to write or to audit
        return row
    row.data = dump(expert)
    validate(db)
    audit.record(db, actor, "update", "expert", expert_id, changed=changes)
    return row


def delete_expert(db: Session, expert_id: str, if_match: str | None, actor: str) -> None:
    row = expert_row(db, expert_id)
    check_if_match(row.version, if_match, f"expert {expert_id}")
    # JSON arrays cannot be searched portably in SQL; the schedule is small.
    in_sessions = [s for s in db.scalars(select(SessionRow))
                   if expert_id in s.data["expert_ids"]]
    if in_sessions:
        raise Conflict(
            f"expert {expert_id} is in {len(in_sessions)} session(s) of the current schedule; "
            "block the expert's availability and re-plan (then publish) before deleting")
    db.delete(row)
    validate(db)
    audit.record(db, actor, "delete", "expert", expert_id, data=row.data)


# --- associations -------------------------------------------------------------------


def associations(db: Session, status: str | None = None) -> list[AssociationRow]:
    query = select(AssociationRow).order_by(AssociationRow.id)
    if status is not None:
        query = query.where(AssociationRow.status == status)
    return list(db.scalars(query))


def association_row(db: Session, association_id: str) -> AssociationRow:
    row = db.get(AssociationRow, association_id)
    if row is None:
        raise NotFound(f"no association {association_id!r}")
    return row


def call_due_on(db: Session, association: Association) -> Any:
    prog = programme(db)
    applied = association.applied_at.astimezone(zoneinfo.ZoneInfo(prog.timezone)).date()
    return BusinessCalendar(prog).add_business_days(applied, PRE_INTERVIEW_BUSINESS_DAYS)


def new_association_row(db: Session, association: Association) -> AssociationRow:
    return AssociationRow(id=association.id, data=dump(association), status=association.status,
                          call_due_on=call_due_on(db, association))


def create_association(db: Session, association: Association, actor: str) -> AssociationRow:
    """A new application: it starts as ``received``; its status moves by transitions."""
    programme_row(db)
    if association.status != "received":
        raise Invalid([Issue("status", f"a new application is 'received', not "
                                       f"{association.status!r}; its status then changes "
                                       "through POST .../transitions")])
    if association.decided_on is not None:
        raise Invalid([Issue("decided_on", "set by the decision, not by the application")])
    if db.get(AssociationRow, association.id) is not None:
        raise Conflict(f"association {association.id!r} already exists")
    row = new_association_row(db, association)
    db.add(row)
    validate(db)
    audit.record(db, actor, "receive", "association", association.id)
    return row


def update_association(db: Session, association_id: str, association: Association,
                       if_match: str | None, actor: str) -> AssociationRow:
    row = association_row(db, association_id)
    _same_id(association_id, association.id)
    check_if_match(row.version, if_match, f"association {association_id}")
    current = Association.model_validate(row.data)
    issues = [Issue(name, f"is {getattr(current, name)!r} and changes only through POST "
                          ".../transitions")
              for name in ("status", "decided_on")
              if getattr(association, name) != getattr(current, name)]
    if issues:
        raise Invalid(issues)
    changes = changed_fields(row.data, dump(association))
    if not changes:
        return row
    row.data = dump(association)
    row.call_due_on = call_due_on(db, association)
    validate(db)
    audit.record(db, actor, "update", "association", association_id, changed=changes)
    return row
