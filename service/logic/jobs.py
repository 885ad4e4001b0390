"""Solve jobs in the database: enqueue, claim, heartbeat, finish, cancel, and take back.

A job's whole state is its row. A worker claims a queued job (``SELECT ... FOR
UPDATE SKIP LOCKED`` on PostgreSQL, one atomic ``UPDATE`` on SQLite), beats while
it solves, and finishes by writing the plan and the job's end in one transaction
guarded by "still mine and still running": a job that was cancelled or taken back
from a silent worker can never receive a plan, whole or half.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.config import Settings
from service.db.engine import session_factory, transaction
from service.db.models import JobRow, PlanRow, SessionRow, utcnow
from service.logic import audit
from service.logic.bodies import RequestBody
from service.logic.errors import Conflict, NotFound
from service.logic.state import parse_state, scenario_document

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
FINISHED = ("succeeded", "failed", "cancelled")


class PlanRequest(RequestBody):
    """What to solve with; the scenario is the current state when the job is asked for."""


    time_limit: float = Field(default=30.0, ge=1, le=3600, description="Seconds for the solve.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Solver random seed.")
    workers: int = Field(default=1, ge=1, le=16,
                         description="CP-SAT workers; 1 gives the same plan for the same seed.")


class JobProgress(BaseModel):
    stage: str = Field(examples=["service"])
    elapsed: float
    objective: float
    bound: float
    served: float | None = Field(description="Associations served (objective 1) so far.")
    detail: str = Field(default="", description="The stage's other figures.")


class JobOut(BaseModel):
    id: int
    status: str = Field(description="queued, running, succeeded, failed or cancelled.")
    options: dict[str, Any]
    requested_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    worker_id: str | None
    attempts: int
    max_attempts: int
    progress: JobProgress | None
    error: str | None
    history: list[dict[str, Any]] = Field(description="Earlier attempts and how they ended.")
    plan_id: int | None

    @classmethod
    def of(cls, row: JobRow) -> JobOut:
        return cls(id=row.id, status=row.status, options=row.options,
                   requested_by=row.requested_by, created_at=row.created_at,
                   started_at=row.started_at, finished_at=row.finished_at,
                   heartbeat_at=row.heartbeat_at, worker_id=row.worker_id,
                   attempts=row.attempts, max_attempts=row.max_attempts,
                   progress=JobProgress(**row.progress) if row.progress else None,
                   error=row.error, history=row.history, plan_id=row.plan_id)


def snapshot(database_url: str, job_id: int) -> JobOut:
    """The job as it is now, read in a session of its own (for a stream that polls)."""
    with session_factory(database_url)() as db:
        return JobOut.of(job_row(db, job_id))


def enqueue(db: Session, request: PlanRequest, actor: str, settings: Settings,
            replacement: dict[str, Any] | None = None) -> JobRow:
    """A job over the current state. ``replacement`` (see ``logic.replacements.replan``)
    pins its ``pinned`` sessions for this solve only; the plan's parameters keep it, so
    publishing can tell the state the plan was made from."""
    extra_pinned = replacement["pinned"] if replacement else []
    document = scenario_document(db, extra_pinned)
    scenario = parse_state(document)
    if not scenario.accepted:
        raise Conflict("no accepted association to plan")
    accepted = {a.id for a in scenario.accepted}
    chosen = {(s["association_id"], s["number"]) for s in extra_pinned}
    # The published sessions the re-plan should keep where it can (objective 6).
    keep = [row.data for row in db.scalars(
        select(SessionRow).where(SessionRow.state == "scheduled")
        .order_by(SessionRow.association_id, SessionRow.number))
        if row.association_id in accepted and (row.association_id, row.number) not in chosen
        and all(e in scenario.expert_by_id for e in row.data["expert_ids"])]
    options = request.model_dump() | ({"replacement": replacement} if replacement else {})
    job = JobRow(status="queued", options=options, scenario=document, keep=keep,
                 requested_by=actor, max_attempts=settings.job_max_attempts, history=[],
                 attempts=0)
    db.add(job)
    db.flush()
    audit.record(db, actor, "request_plan", "job", job.id, **request.model_dump())
    return job


def job_row(db: Session, job_id: int) -> JobRow:
    job = db.get(JobRow, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def listing(db: Session, limit: int = 50) -> list[JobRow]:
    return list(db.scalars(select(JobRow).order_by(JobRow.id.desc()).limit(limit)))


def cancel(db: Session, job_id: int, actor: str) -> JobRow:
    """Cancel a queued or running job at once; a running solve stops and writes nothing."""
    job = job_row(db, job_id)
    if job.status in FINISHED:
        raise Conflict(f"job {job_id} is already {job.status}")
    job.status = "cancelled"
    job.error = f"cancelled by {actor}"
    job.finished_at = utcnow()
    audit.record(db, actor, "cancel", "job", job_id)
    return job


# --- the worker's side: each call is its own short transaction -------------------------


def claim(url: str, worker_id: str) -> int | None:
    """Take the oldest queued job, or None. Two workers never take the same job."""
    now = utcnow()
    values: dict[str, Any] = {"status": "running", "worker_id": worker_id, "started_at": now,
                              "heartbeat_at": now, "attempts": JobRow.attempts + 1,
                              "progress": None}
    with transaction(url) as db:
        oldest = select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.id).limit(1)
        if db.get_bind().dialect.name == "postgresql":
            job_id = db.scalar(oldest.with_for_update(skip_locked=True))
            if job_id is None:
                return None
            db.execute(update(JobRow).where(JobRow.id == job_id).values(**values))
            return job_id
        # SQLite writes one at a time; the status condition makes a second claimer miss.
        return db.scalar(update(JobRow)
                         .where(JobRow.id == oldest.scalar_subquery(), JobRow.status == "queued")
                         .values(**values).returning(JobRow.id))


def heartbeat(url: str, job_id: int, worker_id: str, progress: dict[str, Any] | None) -> bool:
    """Record that the worker is alive; False when the job is no longer its own to finish."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if progress:
        values["progress"] = progress
    with transaction(url) as db:
        result = db.execute(update(JobRow).where(
            JobRow.id == job_id, JobRow.worker_id == worker_id, JobRow.status == "running",
        ).values(**values))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _mine(db: Session, job_id: int, worker_id: str) -> JobRow | None:
    query = select(JobRow).where(JobRow.id == job_id, JobRow.worker_id == worker_id,
                                 JobRow.status == "running")
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.scalar(query)


def finish_with_plan(url: str, job_id: int, worker_id: str, plan: PlanRow,
                     progress: dict[str, Any] | None) -> bool:
    """Write the plan and end the job together, or neither when the job is no longer ours."""
    with transaction(url) as db:
        job = _mine(db, job_id, worker_id)
        if job is None:
            return False
        db.add(plan)
        db.flush()
        job.status, job.plan_id, job.finished_at = "succeeded", plan.id, utcnow()
        if progress:
            job.progress = progress
        audit.record(db, f"worker {worker_id}", "plan", "plan", plan.id, job_id=job_id,
                     served=plan.document["stats"]["served"])
        return True


def finish_failed(url: str, job_id: int, worker_id: str, reason: str) -> bool:
    with transaction(url) as db:
        job = _mine(db, job_id, worker_id)
        if job is None:
            return False
        job.status, job.error, job.finished_at = "failed", reason, utcnow()
        return True


def release(url: str, job_id: int, worker_id: str, why: str) -> None:
    """A worker that stops on purpose hands its job back to the queue."""
    with transaction(url) as db:
        job = _mine(db, job_id, worker_id)
        if job is not None:
            job.history = [*job.history, {"attempt": job.attempts, "worker": worker_id,
                                          "outcome": why, "at": utcnow().isoformat()}]
            job.status, job.worker_id, job.heartbeat_at = "queued", None, None


def take_back_stale(url: str, settings: Settings) -> list[int]:
    """Jobs whose worker went silent: retried while attempts remain, else failed with why."""
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=settings.worker_stale_seconds)
    changed = []
    with transaction(url) as db:
        query = select(JobRow).where(JobRow.status == "running", JobRow.heartbeat_at < cutoff)
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for job in db.scalars(query):
            last = job.heartbeat_at.isoformat() if job.heartbeat_at else "never"
            why = f"worker {job.worker_id} stopped responding (last heartbeat {last})"
            job.history = [*job.history, {"attempt": job.attempts, "worker": job.worker_id,
                                          "outcome": why, "at": now.isoformat()}]
            if job.attempts < job.max_attempts:
                job.status, job.worker_id, job.heartbeat_at = "queued", None, None
            else:
                job.status, job.finished_at = "failed", now
                job.error = f"{why}; attempt {job.attempts} of {job.max_attempts}, not retried"
            changed.append(job.id)
    return changed
