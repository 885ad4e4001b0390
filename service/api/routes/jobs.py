"""Solve jobs: ask for a plan (202), follow its progress (poll or Server-Sent Events), cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from service.api.deps import AuthenticatedRoute, RowId, Staff, Viewer
from service.api.errors import responses
from service.logic import jobs
from service.logic.jobs import JobOut, PlanRequest
from service.web import events
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(prefix="/jobs", tags=["jobs"], route_class=AuthenticatedRoute)

JobId = Annotated[RowId, Path(description="The job's id.")]


@router.post("", response_model=JobOut, status_code=202, responses=responses(409, 422))
def request_plan(
    actor: Staff, db: DbDep, settings: SettingsDep, response: Response,
    body: Annotated[PlanRequest, Body(openapi_examples={
        "quick": {"summary": "A 30-second plan, reproducible",
                  "value": {"time_limit": 30, "seed": 0, "workers": 1}}})],
) -> JobOut:
    """Plan the current state in a worker. Published sessions are kept where possible and
    pinned and held ones exactly; the result is a draft plan."""
    job = jobs.enqueue(db, body, actor.name, settings)
    db.commit()
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobOut.of(job)


@router.get("", response_model=list[JobOut])
def list_jobs(_: Viewer, db: DbDep) -> list[JobOut]:
    """The latest jobs, newest first."""
    return [JobOut.of(row) for row in jobs.listing(db)]


@router.get("/{job_id}", response_model=JobOut, responses=responses(404))
def read_job(_: Viewer, db: DbDep, job_id: JobId) -> JobOut:
    """Status and progress (objective, bound, served, elapsed)."""
    return JobOut.of(jobs.job_row(db, job_id))


def existing_job(db: DbDep, job_id: JobId) -> int:
    jobs.job_row(db, job_id)
    db.close()  # the stream opens its own sessions; do not hold this one while it runs
    return job_id


@router.get("/{job_id}/events", response_class=EventSourceResponse, responses=responses(404))
async def job_events(_: Viewer, settings: SettingsDep,
                     job_id: Annotated[int, Depends(existing_job)],
                     ) -> AsyncIterator[ServerSentEvent]:
    """Server-Sent Events: a ``job`` event whenever the job changes, ``end`` when it is over."""
    async for event in events.job_events(settings.database_url, job_id):
        yield event


@router.delete("/{job_id}", response_model=JobOut, responses=responses(404, 409))
def cancel_job(actor: Staff, db: DbDep, job_id: JobId) -> JobOut:
    """Cancel: a running solve stops and writes no plan."""
    job = jobs.cancel(db, job_id, actor.name)
    db.commit()
    return JobOut.of(job)
