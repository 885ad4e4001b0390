"""The exchange format both ways: a scenario in replaces the state; the state out is one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from domain.errors import InputError, Issue
from domain.loading import parse_scenario
from domain.scenario import Scenario
from service.db.models import (
    AssociationRow,
    EligibilityCheckRow,
    ExpertRow,
    ProgrammeRow,
    SessionRow,
)
from service.logic import audit
from service.logic.errors import Invalid
from service.logic.records import MAX_ID_LENGTH, dump, new_association_row
from service.logic.state import PROGRAMME_ID, validate


def import_scenario(db: Session, raw: dict[str, Any], actor: str) -> Scenario:
    """Replace programme, experts, associations and schedule by the document's.

    Pinned sessions become the schedule's pinned sessions (kept by every re-plan).
    Plans and jobs stay: each keeps the scenario it was solved from.
    """
    try:
        scenario = parse_scenario(raw, "scenario")
    except InputError as error:
        raise Invalid(error.issues) from None
    ids = (("experts", [e.id for e in scenario.experts]),
           ("associations", [a.id for a in scenario.associations]))
    too_long = [Issue(f"{kind}[{i}].id", f"at most {MAX_ID_LENGTH} characters")
                for kind, listed in ids for i, record_id in enumerate(listed)
                if len(record_id) > MAX_ID_LENGTH]
    if too_long:
        raise Invalid(too_long)
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
