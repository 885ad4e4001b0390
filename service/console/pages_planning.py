"""Planning: start a solve job, follow it, cancel it, publish its plan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import ValidationError

from domain.scenario import Expert
from domain.vocabulary import UNSERVED_REASON_LABELS
from service.console import sessions
from service.console.texts import label
from service.console.toolkit import (
    SignedInDep,
    StaffForm,
    form_number,
    form_text,
    language,
    redirect_to,
    render,
)
from service.logic import invitations, jobs, plans, records
from service.logic.errors import ServiceError
from service.logic.jobs import PlanRequest
from service.web import events
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(include_in_schema=False)

def _gap(progress: dict[str, Any] | None) -> float | None:
    if not progress:
        return None
    bound, objective = progress["bound"], progress["objective"]
    return abs(bound - objective) / max(1.0, abs(bound))


def _planning_context(request: Request, db: DbDep, job: int | None = None,
                      plan: int | None = None) -> dict[str, Any]:
    job_rows = jobs.listing(db, limit=10)
    watched = next((row for row in job_rows if row.id == job), None) if job else next(
        (row for row in job_rows if row.status not in jobs.FINISHED), None)
    plan_rows = plans.listing(db, limit=10)
    shown = next((row for row in plan_rows if row.id == plan), None) if plan else (
        plan_rows[0] if plan_rows else None)
    if plan and shown is None:
        shown = plans.plan_row(db, plan)
    changes = plans.shown_changes(db, shown) if shown else None
    experts = [Expert.model_validate(row.data) for row in records.experts(db)]
    return {
        "jobs": job_rows, "watched": watched, "gap": _gap(watched.progress if watched else None),
        "plans": plan_rows, "plan": shown, "changes": changes, "experts": experts,
        "reason_label": lambda reason: label(UNSERVED_REASON_LABELS[reason], language(request)),
    }


@router.get("/planning")
def planning(request: Request, db: DbDep, who: SignedInDep, job: int | None = None,
             plan: int | None = None, done: str | None = None) -> HTMLResponse:
    return render(request, "planning.html", {
        **_planning_context(request, db, job, plan), "done": done, "errors": {},
        "message": None}, who)


@router.post("/planning/jobs")
def start_plan(request: Request, db: DbDep, settings: SettingsDep, who: SignedInDep,
               form: StaffForm) -> Response:
    try:
        wanted = PlanRequest.model_validate({
            "time_limit": form_number(form_text(form, "time_limit")),
            "seed": form_number(form_text(form, "seed")) or 0, "workers": 1})
        job = jobs.enqueue(db, wanted, who.actor.name, settings)
        db.commit()
    except ValidationError as error:
        errors = {str(issue["loc"][0]): issue["msg"] for issue in error.errors()}
        return _planning_error(request, db, who, errors, None, 422)
    except ServiceError as error:
        db.rollback()
        return _planning_error(request, db, who, {}, error.message, error.status_code)
    return redirect_to(f"/planning?job={job.id}#progress")


def _planning_error(request: Request, db: DbDep, who: sessions.SignedIn, errors: dict[str, str],
                    message: str | None, status_code: int) -> HTMLResponse:
    return render(request, "planning.html", {
        **_planning_context(request, db), "done": None, "errors": errors, "message": message,
    }, who, status_code=status_code)


def _existing_job(db: DbDep, job_id: int) -> int:
    jobs.job_row(db, job_id)
    db.close()  # the stream opens its own sessions; do not hold this one while it runs
    return job_id


@router.get("/planning/jobs/{job_id}/events", response_class=EventSourceResponse)
async def job_events(settings: SettingsDep, who: SignedInDep,
                     job_id: Annotated[int, Depends(_existing_job)],
                     ) -> AsyncIterator[ServerSentEvent]:
    """The API's own progress stream, for a console session (EventSource sends the cookie)."""
    async for event in events.job_events(settings.database_url, job_id):
        yield event


@router.post("/planning/jobs/{job_id}/cancel")
def cancel_plan(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                job_id: int) -> Response:
    try:
        jobs.cancel(db, job_id, who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _planning_error(request, db, who, {}, error.message, error.status_code)
    return redirect_to(f"/planning?job={job_id}")


@router.post("/planning/plans/{plan_id}/publish")
def publish(request: Request, db: DbDep, settings: SettingsDep, who: SignedInDep,
            form: StaffForm, plan_id: int) -> Response:
    try:
        plans.publish(db, plan_id, who.actor.name)
        invitations.queue_for_schedule(db, settings)  # committed with the schedule
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _planning_error(request, db, who, {}, error.message, error.status_code)
    return redirect_to(f"/planning?plan={plan_id}&done=published")
