"""Plans: drafts from jobs, publishing, the spec's plan JSON, and what made each plan."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from domain.plan import Plan
from domain.scenario import Scenario
from service.api.deps import ID_TEXT, AuthenticatedRoute, RowId, Staff, Viewer
from service.api.errors import responses
from service.api.schemas import Changes, PlanOut
from service.logic import invitations, plans, sheets
from service.logic.jobs import JobOut
from service.web.dependencies import DbDep, SettingsDep
from service.web.files import CSV, XLSX, ZIP, download, file_answer, zipped
from spreadsheets import expert_csv, expert_workbook, plan_csvs, plan_workbook

router = APIRouter(prefix="/plans", tags=["plans"], route_class=AuthenticatedRoute)

PlanId = Annotated[RowId, Path(description="The plan's id.")]
ExpertFilter = Annotated[str | None, Query(
    description="Only this expert's schedule (an id of the plan's scenario).",
    examples=["E001"], **ID_TEXT)]
Lang = Annotated[Literal["ja", "en"], Query(description="Headers and labels in ja or en.")]


class Published(BaseModel):
    plan: PlanOut
    changes: Changes


class Violations(BaseModel):
    violations: list[str]


@router.get("", response_model=list[PlanOut])
def list_plans(_: Viewer, db: DbDep) -> list[PlanOut]:
    """The latest plans, newest first."""
    return [PlanOut.of(row, plans.shown_changes(db, row)) for row in plans.listing(db)]


@router.get("/{plan_id}", response_model=PlanOut, responses=responses(404))
def read_plan(_: Viewer, db: DbDep, plan_id: PlanId) -> PlanOut:
    """Stats, unserved with reasons, parameters, and what it changes in the schedule."""
    row = plans.plan_row(db, plan_id)
    return PlanOut.of(row, plans.shown_changes(db, row))


@router.get("/{plan_id}/document", response_model=Plan, responses=responses(404))
def plan_document(_: Viewer, db: DbDep, plan_id: PlanId) -> Plan:
    """The plan in the exchange format (``haken check`` reads it)."""
    return Plan.model_validate(plans.plan_row(db, plan_id).document)


@router.get("/{plan_id}/scenario", response_model=Scenario, responses=responses(404))
def plan_scenario(_: Viewer, db: DbDep, plan_id: PlanId) -> Scenario:
    """The scenario the plan was solved from (its hash is the plan's scenario_sha256)."""
    return Scenario.model_validate(plans.plan_row(db, plan_id).scenario)


@router.get("/{plan_id}/violations", response_model=Violations, responses=responses(404))
def plan_violations(_: Viewer, db: DbDep, plan_id: PlanId) -> Violations:
    """The nine hard rules checked again on the stored plan and scenario (empty: all hold)."""
    return Violations(violations=[str(v) for v in plans.replay_check(plans.plan_row(db,
                                                                                   plan_id))])


@router.post("/{plan_id}/publish", response_model=Published, responses=responses(404, 409))
def publish_plan(actor: Staff, db: DbDep, settings: SettingsDep,
                 plan_id: PlanId) -> Published:
    """Make the draft the current schedule; the answer lists exactly what moved. Everyone
    who takes invitations is e-mailed what changed for them (queued with the change)."""
    changes = plans.publish(db, plan_id, actor.name)
    invitations.queue_for_schedule(db, settings)
    db.commit()
    return Published(plan=PlanOut.of(plans.plan_row(db, plan_id), changes),
                     changes=Changes.model_validate(changes))


@router.post("/{plan_id}/replay", response_model=JobOut, status_code=202,
             responses=responses(404))
def replay_plan(actor: Staff, db: DbDep, settings: SettingsDep, response: Response,
                plan_id: PlanId) -> JobOut:
    """Solve the plan's stored scenario again with its parameters and seed."""
    job = plans.replay(db, plan_id, actor.name, settings)
    db.commit()
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobOut.of(job)


@router.get(
    "/{plan_id}/export.xlsx", response_class=Response,
    responses={**file_answer("Sessions (日程一覧), the unserved with reasons (未対応) and one "
                             "sheet per expert; with expert_id that expert's sheet only.", XLSX),
               **responses(404, 422)})
def export_xlsx(_: Viewer, db: DbDep, plan_id: PlanId, expert_id: ExpertFilter = None,
                lang: Lang = "ja") -> Response:
    """The plan as an Excel workbook, with real Excel dates and times."""
    scenario, plan = sheets.plan_for_export(db, plan_id, expert_id)
    if expert_id is not None:
        return download(expert_workbook(scenario, plan, expert_id, lang), XLSX,
                        f"plan-{plan_id}-expert.xlsx")
    return download(plan_workbook(scenario, plan, lang), XLSX, f"plan-{plan_id}.xlsx")


@router.get(
    "/{plan_id}/export.csv", response_class=Response,
    responses={**file_answer("A zip of sessions.csv, unserved.csv and expert-<id>.csv; with "
                             "expert_id that expert's schedule as one CSV.", ZIP, CSV),
               **responses(404, 422)})
def export_csv(_: Viewer, db: DbDep, plan_id: PlanId, expert_id: ExpertFilter = None,
               lang: Lang = "ja") -> Response:
    """The plan as CSV (UTF-8 with BOM, so that Excel shows the Japanese)."""
    scenario, plan = sheets.plan_for_export(db, plan_id, expert_id)
    if expert_id is not None:
        return download(expert_csv(scenario, plan, expert_id, lang), CSV,
                        f"plan-{plan_id}-expert.csv")
    return download(zipped(plan_csvs(scenario, plan, lang)), ZIP, f"plan-{plan_id}-csv.zip")
