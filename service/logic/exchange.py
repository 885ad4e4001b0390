"""The exchange format both ways: a scenario in replaces the state; the state out is one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from domain.errors import InputError
from domain.loading import parse_scenario
from domain.scenario import Scenario
from service.db.models import (
    AssociationRow,
    AssociationSurveyRow,
    EligibilityCheckRow,
    ExpertRow,
    ProgrammeRow,
    SessionCancellationRow,
    SessionConfirmationRow,
    SessionReportRow,
    SessionRow,
    TravelClaimRow,
)
from service.logic import audit
from service.logic.errors import Conflict, Invalid
from service.logic.records import (
    call_due_on,
    changed_fields,
    dump,
    new_association_row,
)
from service.logic.state import PROGRAMME_ID, validate


def _parse(raw: dict[str, Any], source: str) -> Scenario:
    """The document as a scenario the database can hold, or Invalid naming each problem."""
    try:
        scenario = parse_scenario(raw, source)
    except InputError as error:
        raise Invalid(error.issues) from None
    return scenario


def _check_no_session_life(db: Session) -> None:
    """Reports, claims, confirmations, surveys and cancellations are the programme's
    record of what happened: replacing the whole state must not wipe them."""
    kept = {table.__tablename__: db.scalar(select(func.count()).select_from(table)) or 0
            for table in (SessionReportRow, TravelClaimRow, SessionConfirmationRow,
                          AssociationSurveyRow, SessionCancellationRow)}
    found = {name: count for name, count in kept.items() if count}
    if found:
        raise Conflict("the schedule has a record of what happened ("
                       + ", ".join(f"{name}: {count}" for name, count in found.items())
                       + "); the whole state cannot be replaced, change records one by one "
                         "or import the spreadsheets instead")


def import_scenario(db: Session, raw: dict[str, Any], actor: str) -> Scenario:
    """Replace programme, experts, associations and schedule by the document's.

    Pinned sessions become the schedule's pinned sessions (kept by every re-plan).
    Plans and jobs stay: each keeps the scenario it was solved from.
    """
    scenario = _parse(raw, "scenario")
    _check_no_session_life(db)
    for table in (SessionRow, EligibilityCheckRow, AssociationRow, ExpertRow):
        db.execute(delete(table))
    programme = db.get(ProgrammeRow, PROGRAMME_ID)
    if programme is None:
        db.add(ProgrammeRow(id=PROGRAMME_ID, data=dump(scenario.programme)))
    else:
        programme.data = dump(scenario.programme)
    db.flush()
    db.add_all(ExpertRow(id=e.id, data=dump(e)) for e in scenario.experts)
    db.add_all(new_association_row(db, a) for a in scenario.associations)
    db.add_all(SessionRow(association_id=s.association_id, number=s.number, data=dump(s),
                          state="pinned") for s in scenario.pinned)
    validate(db)
    audit.record(db, actor, "import", "scenario", "all", experts=len(scenario.experts),
                 associations=len(scenario.associations), pinned=len(scenario.pinned))
    return scenario


@dataclass
class Merged:
    created: list[str] = field(default_factory=list)  # "expert E001", "association A001"
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def merge_scenario(db: Session, raw: dict[str, Any], actor: str, source: str) -> Merged:
    """Write the document's experts and associations that differ from the stored ones.

    Unlike ``import_scenario`` nothing else is replaced: the schedule, held
    sessions, screening records and plans stay, and so does every record the
    document leaves as it is. A missing programme is created from the document's.
    Each written record is audited; the whole state is validated before commit.
    """
    scenario = _parse(raw, source)
    merged = Merged()
    programme = db.get(ProgrammeRow, PROGRAMME_ID)
    if programme is None:
        db.add(ProgrammeRow(id=PROGRAMME_ID, data=dump(scenario.programme)))
        db.flush()
        audit.record(db, actor, "create", "programme", PROGRAMME_ID, source=source)
    for expert in scenario.experts:
        row = db.get(ExpertRow, expert.id)
        if row is None:
            db.add(ExpertRow(id=expert.id, data=dump(expert)))
            audit.record(db, actor, "create", "expert", expert.id, source=source)
            merged.created.append(f"expert {expert.id}")
        elif row.data != dump(expert):
            changes = changed_fields(row.data, dump(expert))
            row.data = dump(expert)
            audit.record(db, actor, "update", "expert", expert.id, changed=changes,
                         source=source)
            merged.updated.append(f"expert {expert.id}")
        else:
            merged.unchanged += 1
    for association in scenario.associations:
        existing = db.get(AssociationRow, association.id)
        if existing is None:
            db.add(new_association_row(db, association))
            audit.record(db, actor, "create", "association", association.id, source=source)
            merged.created.append(f"association {association.id}")
        elif existing.data != dump(association):
            changes = changed_fields(existing.data, dump(association))
            existing.data, existing.status = dump(association), association.status
            existing.call_due_on = call_due_on(db, association)
            audit.record(db, actor, "update", "association", association.id, changed=changes,
                         source=source)
            merged.updated.append(f"association {association.id}")
        else:
            merged.unchanged += 1
    validate(db)
    return merged
