"""Plans and the schedule: publish a draft, replay a plan's making (a session's life after
it is published is in ``session_life``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.checker import Violation, check_plan
from domain.loading import parse_scenario, scenario_sha256
from domain.plan import Plan
from domain.plan import Session as PlanSession
from service.config import Settings
from service.db.models import JobRow, PlanRow, SessionRow, utcnow
from service.logic import audit
from service.logic.changes import schedule_changes
from service.logic.errors import Conflict, NotFound
from service.logic.jobs import PlanRequest
from service.logic.records import dump
from service.logic.state import CALLED_OFF_STATES, HELD_STATES, current_scenario


def plan_row(db: Session, plan_id: int) -> PlanRow:
    row = db.get(PlanRow, plan_id)
    if row is None:
        raise NotFound(f"no plan {plan_id}")
    return row


def listing(db: Session, limit: int = 50) -> list[PlanRow]:
    return list(db.scalars(select(PlanRow).order_by(PlanRow.id.desc()).limit(limit)))


def schedule(db: Session, association_id: str | None = None,
             expert_id: str | None = None) -> list[SessionRow]:
    query = select(SessionRow).order_by(SessionRow.association_id, SessionRow.number)
    if association_id is not None:
        query = query.where(SessionRow.association_id == association_id)
    rows = list(db.scalars(query))
    if expert_id is not None:
        rows = [row for row in rows if expert_id in row.data["expert_ids"]]
    return rows


def session_row(db: Session, session_id: int) -> SessionRow:
    row = db.get(SessionRow, session_id)
    if row is None:
        raise NotFound(f"no session {session_id} in the schedule")
    return row


def changes_against_schedule(db: Session, plan: Plan) -> dict[str, Any]:
    """What publishing ``plan`` would change in the current schedule, session by session."""
    rows = {(s.association_id, s.number): s for s in db.scalars(select(SessionRow))}
    planned = {(s.association_id, s.number) for s in plan.sessions}
    # A held session outside the plan (its association withdrew) stays as a record.
    kept_held = [s for key, s in rows.items() if s.state in HELD_STATES and key not in planned]
    before = [PlanSession.model_validate(s.data) for s in rows.values()]
    after = [*plan.sessions, *(PlanSession.model_validate(s.data) for s in kept_held)]
    return schedule_changes(before, after)


def publish(db: Session, plan_id: int, actor: str) -> dict[str, Any]:
    """Make a draft plan the schedule; held sessions stay. Returns exactly what changed."""
    row = plan_row(db, plan_id)
    if row.status != "draft":
        raise Conflict(f"plan {plan_id} is {row.status}; only a draft can be published")
    # A re-plan with a replacement pinned was solved with those sessions pinned; a taken
    # recommendation (service.logic.recommendations) pins its option's sessions.
    chosen = [*(row.parameters.get("replacement") or {}).get("pinned", []),
              *(row.parameters.get("recommendation") or {}).get("pinned", [])]
    current = scenario_sha256(current_scenario(db, chosen))
    if current != row.scenario_sha256:
        raise Conflict(f"the data changed since plan {plan_id} was asked for (scenario "
                       f"{row.scenario_sha256[:12]}, now {current[:12]}); request a new plan")
    plan = Plan.model_validate(row.document)
    changes = changes_against_schedule(db, plan)
    rows = {(s.association_id, s.number): s for s in db.scalars(select(SessionRow))}
    planned = {(s.association_id, s.number): s for s in plan.sessions}
    for key, session in planned.items():
        existing = rows.get(key)
        if existing is None:
            db.add(SessionRow(association_id=key[0], number=key[1], data=dump(session),
                              state="scheduled", plan_id=plan_id))
        elif existing.state in CALLED_OFF_STATES:
            # Planned again after it was called off: it starts over (the cancellation
            # stays in session_cancellations).
            existing.data, existing.plan_id, existing.state = dump(session), plan_id, "scheduled"
        elif existing.state == "scheduled" or existing.data != dump(session):
            # Pinned and held sessions come out of the planner unchanged (rule 9).
            existing.data, existing.plan_id = dump(session), plan_id
    for key, existing in rows.items():
        if key not in planned and existing.state not in HELD_STATES:
            db.delete(existing)
    for other in db.scalars(select(PlanRow).where(PlanRow.status == "published")):
        other.status = "superseded"
    row.status, row.published_at, row.published_by = "published", utcnow(), actor
    row.changes = changes  # from now on: what publishing it did
    db.flush()
    audit.record(db, actor, "publish", "plan", plan_id, moved=len(changes["moved"]),
                 added=len(changes["added"]), removed=len(changes["removed"]),
                 kept=changes["kept"])
    return changes


def shown_changes(db: Session, row: PlanRow) -> dict[str, Any]:
    """A draft: what publishing it now would change; else what its publishing changed."""
    if row.status == "draft":
        return changes_against_schedule(db, Plan.model_validate(row.document))
    return row.changes


def replay_check(row: PlanRow) -> list[Violation]:
    """Check the stored plan against the stored scenario it was solved from."""
    scenario = parse_scenario(row.scenario, f"plan {row.id} scenario")
    return check_plan(scenario, Plan.model_validate(row.document))


def replay(db: Session, plan_id: int, actor: str, settings: Settings) -> JobRow:
    """Solve the stored scenario again with the same parameters, seed and kept sessions."""
    row = plan_row(db, plan_id)
    job_of = db.scalar(select(JobRow).where(JobRow.plan_id == plan_id))
    # A re-plan with a replacement pinned, or a taken recommendation, replays with its
    # pins (they are in the stored scenario) and says so, so its draft can be published.
    replayed = ("time_limit", "seed", "workers", "replacement", "recommendation")
    options: dict[str, Any] = {key: row.parameters[key] for key in replayed
                               if key in row.parameters}
    keep = job_of.keep if job_of is not None else []
    taken = row.parameters.get("recommendation")
    if taken is not None and job_of is None:
        # A taken option was never solved: the request's defaults, and the draft's other
        # sessions kept where the solver can (as a re-plan keeps the published ones).
        options = PlanRequest().model_dump() | options
        pinned = {(s["association_id"], s["number"]) for s in taken["pinned"]}
        keep = [s for s in row.document["sessions"]
                if (s["association_id"], s["number"]) not in pinned]
    job = JobRow(status="queued", options=options, scenario=row.scenario,
                 keep=keep, requested_by=actor,
                 max_attempts=settings.job_max_attempts, history=[], attempts=0)
    db.add(job)
    db.flush()
    audit.record(db, actor, "replay", "plan", plan_id, job_id=job.id)
    return job
