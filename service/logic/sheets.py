"""The secretariat's spreadsheets and the programme's report, over the service's state.

An import reads the uploaded sheets against the current state (``import_tables``
with the state as its base, so every rule is the domain's and every bad row is
named at once), then writes the records that differ through ``exchange.merge_scenario``
in the request's one transaction. Exports and the report read the stored plan,
the current state and the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain.errors import Issue
from domain.plan import Plan, Stats
from domain.plan import Session as PlanSession
from domain.report import HeldSession, Report
from domain.scenario import Scenario
from reports import ReportInput, build_report
from service.db.models import ProgrammeRow
from service.logic import exchange, session_life
from service.logic.errors import Invalid, NotFound
from service.logic.plans import plan_row, schedule
from service.logic.state import (
    CALLED_OFF_STATES,
    HELD_STATES,
    PROGRAMME_ID,
    current_scenario,
    scenario_document,
)
from spreadsheets import SheetLimits, Table, import_tables, read_csv, read_xlsx
from spreadsheets.columns import APPLICATION_SHEET, EXPERT_SHEET


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the client named it."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Imported:
    experts: int  # rows read per sheet
    associations: int
    created: list[str]
    updated: list[str]
    unchanged: int


def import_sheets(db: Session, actor: str, workbook: Upload | None = None,
                  experts: Upload | None = None, applications: Upload | None = None,
                  limits: SheetLimits | None = None) -> Imported:
    """Merge the sheets' rows into the current state; raises ``SpreadsheetError`` (every
    bad row) or ``Invalid``, and then nothing is written."""
    if workbook is None and experts is None and applications is None:
        raise Invalid([Issue("workbook", "give a workbook (.xlsx), or experts and/or "
                                         "applications as CSV")])
    tables: list[Table] = []
    if workbook is not None:
        tables += read_xlsx(workbook.data, workbook.name, limits)
    if experts is not None:
        tables.append(read_csv(experts.data, EXPERT_SHEET, experts.name, limits))
    if applications is not None:
        tables.append(read_csv(applications.data, APPLICATION_SHEET, applications.name,
                               limits))
    has_state = db.get(ProgrammeRow, PROGRAMME_ID) is not None
    # Without a programme yet, the sheets start from the default Tokyo programme (as the CLI).
    base = scenario_document(db) if has_state else None
    source = " + ".join(u.name for u in (workbook, experts, applications) if u is not None)
    result = import_tables(tables, base, source,
                           base_source="current state" if has_state else "default programme")
    merged = exchange.merge_scenario(db, result.document, actor, source)
    return Imported(experts=result.imported.get("experts", 0),
                    associations=result.imported.get("associations", 0),
                    created=merged.created, updated=merged.updated, unchanged=merged.unchanged)


def plan_for_export(db: Session, plan_id: int,
                    expert_id: str | None = None) -> tuple[Scenario, Plan]:
    """A stored plan with the scenario it was solved from (whose names it shows)."""
    row = plan_row(db, plan_id)
    scenario = Scenario.model_validate(row.scenario)
    if expert_id is not None and expert_id not in scenario.expert_by_id:
        raise NotFound(f"no expert {expert_id!r} in plan {plan_id}'s scenario")
    return scenario, Plan.model_validate(row.document)


def report(db: Session) -> Report:
    """The programme's figures from the current state and schedule.

    Planned figures count the current schedule (published, pinned and held
    sessions, not those called off); they are absent while there is no schedule.
    Held figures count the sessions recorded as held, on the date they took place;
    the outcomes (no-shows, cancellations, late reports, ratings, manuals completed)
    come from the sessions' life (``session_life.outcomes``).
    """
    scenario = current_scenario(db)
    rows = [row for row in schedule(db) if row.state not in CALLED_OFF_STATES]
    sessions = [PlanSession.model_validate(row.data) for row in rows]
    plan = None
    if sessions:
        plan = Plan(scenario_sha256="", sessions=sessions, unserved=[],
                    stats=Stats(served=0, unserved=0, served_upper_bound=0,
                                solver_status="SCHEDULE", wall_seconds=0.0))
    held = [HeldSession(row.association_id, row.number, row.held_on or session.date)
            for row, session in zip(rows, sessions, strict=True) if row.state in HELD_STATES]
    return build_report(ReportInput(scenario, plan, held, source="current schedule",
                                    outcomes=session_life.outcomes(db)))
