"""Replacements: pick a session of the schedule and the expert who drops out, see who could
take over (best first, with why, from ``logic.replacements``), and re-plan with the choice
pinned. The draft is then compared and published on the planning pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from service.console.texts import label, text
from service.console.texts_plans import PLAN_TEXTS
from service.console.toolkit import (
    SignedInDep,
    StaffForm,
    form_number,
    form_text,
    language,
    redirect_to,
    render,
)
from service.logic import plans, records, replacements
from service.logic.errors import ServiceError
from service.logic.jobs import PlanRequest
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(include_in_schema=False)


def _names(db: DbDep) -> dict[str, Any]:
    return {"expert_names": {row.id: row.data["name"] for row in records.experts(db)},
            "association_names": {row.id: row.data["name"] for row in records.associations(db)}}


@router.get("/planning/replacements")
def schedule_sessions(request: Request, db: DbDep, who: SignedInDep,
                      expert: Annotated[str | None, Query()] = None,
                      association: Annotated[str | None, Query()] = None) -> HTMLResponse:
    """The schedule's sessions, to choose the one an expert drops out of."""
    everything = plans.schedule(db)
    rows = plans.schedule(db, association or None, expert or None)
    return render(request, "replacements.html", {
        **_names(db), "rows": rows, "expert": expert or "", "association": association or "",
        "experts_in_schedule": sorted({e for r in everything for e in r.data["expert_ids"]}),
        "associations_in_schedule": sorted({r.association_id for r in everything}),
    }, who)


def _candidates_page(request: Request, db: DbDep, who: SignedInDep, session_id: int,
                     leaving: str | None, errors: dict[str, str], message: str | None,
                     entered: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    row = plans.session_row(db, session_id)
    leaving = leaving or row.data["expert_ids"][0]
    scope = replacements.scope_of_session(db, session_id, leaving)
    return render(request, "replacement.html", {
        **_names(db), "row": row, "leaving": leaving, "scope": scope,
        "candidates": replacements.candidates(db, scope),
        "affected": [r for r in plans.schedule(db, scope.association_id)
                     if r.id in scope.session_ids],
        "errors": errors, "message": message, "entered": entered,
    }, who, status_code=status_code)


@router.get("/planning/replacements/{session_id}")
def candidates(request: Request, db: DbDep, who: SignedInDep, session_id: int,
               expert_id: Annotated[str | None, Query()] = None) -> HTMLResponse:
    """Who could take over from ``expert_id`` (the lead when not given), best first."""
    return _candidates_page(request, db, who, session_id, expert_id, {}, None, {})


@router.post("/planning/replacements/{session_id}/replan")
def replan(request: Request, db: DbDep, settings: SettingsDep, who: SignedInDep,
           form: StaffForm, session_id: int) -> Response:
    """One action: re-plan with the chosen expert pinned in the leaving expert's place."""
    lang = language(request)
    entered = {name: form_text(form, name) for name in ("expert_id", "by", "time_limit")}
    leaving = entered["expert_id"]
    errors = {}
    if not entered["by"]:
        errors["by"] = label(PLAN_TEXTS["choose_candidate"], lang)
    try:
        wanted = PlanRequest.model_validate({"time_limit": form_number(entered["time_limit"]),
                                             "seed": 0})
    except ValidationError as error:
        errors.update({str(issue["loc"][0]): issue["msg"] for issue in error.errors()})
    if errors or not leaving:
        return _candidates_page(request, db, who, session_id, leaving, errors, None, entered,
                                422)
    try:
        scope = replacements.scope_of_session(db, session_id, leaving)
        job = replacements.replan(db, scope, str(entered["by"]), wanted, who.actor.name,
                                  settings)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _candidates_page(request, db, who, session_id, leaving, {},
                                f"{text('not_saved', lang)} {error.message}", entered,
                                error.status_code)
    return redirect_to(f"/planning?job={job.id}#progress")
