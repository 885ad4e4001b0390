"""The current schedule: published, pinned and held sessions (their later steps are in
``session_life``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from service.api.deps import ID_TEXT, AuthenticatedRoute, RequiredIfMatch, RowId, Staff, Viewer
from service.api.errors import responses
from service.api.schemas import ScheduledSession
from service.logic import plans, session_life, state
from service.logic.session_life import HeldIn, SessionState
from service.web.dependencies import DbDep

router = APIRouter(prefix="/sessions", tags=["schedule"], route_class=AuthenticatedRoute)

SessionId = Annotated[RowId, Path(description="The session's id (stable across re-plans).")]


@router.get("", response_model=list[ScheduledSession])
def list_sessions(_: Viewer, db: DbDep,
                  association_id: Annotated[str | None, Query(**ID_TEXT)] = None,
                  expert_id: Annotated[str | None, Query(**ID_TEXT)] = None,
                  state: Annotated[list[SessionState] | None, Query(
                      description="Only sessions in these states.")] = None,
                  ) -> list[ScheduledSession]:
    """The current schedule; filter by association, expert or state."""
    return [ScheduledSession.of(row) for row in session_life.sessions(
        db, tuple(state or ()), association_id, expert_id)]


@router.get("/{session_id}", response_model=ScheduledSession, responses=responses(404))
def read_session(_: Viewer, db: DbDep, response: Response,
                 session_id: SessionId) -> ScheduledSession:
    """One session; the ETag is the version to send back in If-Match."""
    row = plans.session_row(db, session_id)
    response.headers["ETag"] = state.etag(row.version)
    return ScheduledSession.of(row)


@router.post("/{session_id}/held", response_model=ScheduledSession,
             responses=responses(404, 409, 412, 422, 428))
def mark_held(actor: Staff, db: DbDep, response: Response, session_id: SessionId,
              body: Annotated[HeldIn, Body()], if_match: RequiredIfMatch) -> ScheduledSession:
    """Record that the session took place (date, times and mode default to the plan's);
    from now on every re-plan keeps it as it is, and the expert's report is due."""
    row = session_life.record_held(db, session_id, body, if_match, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    return ScheduledSession.of(row)
