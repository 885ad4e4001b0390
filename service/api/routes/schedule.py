"""The current schedule: published, pinned and held sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import Field

from domain.limits import Note
from service.api.deps import ID_TEXT, AuthenticatedRoute, RequiredIfMatch, RowId, Staff, Viewer
from service.api.errors import responses
from service.api.schemas import ScheduledSession
from service.logic import plans, state
from service.logic.bodies import RequestBody
from service.web.dependencies import DbDep

router = APIRouter(prefix="/sessions", tags=["schedule"], route_class=AuthenticatedRoute)

SessionId = Annotated[RowId, Path(description="The session's id (stable across re-plans).")]


class HeldIn(RequestBody):
    record: Note = Field(min_length=1,
                        description="A short record of what was done.",
                        examples=["過去事例のヒアリングを実施し、マニュアル骨子案を提示"])


@router.get("", response_model=list[ScheduledSession])
def list_sessions(_: Viewer, db: DbDep,
                  association_id: Annotated[str | None, Query(**ID_TEXT)] = None,
                  expert_id: Annotated[str | None, Query(**ID_TEXT)] = None,
                  ) -> list[ScheduledSession]:
    """The current schedule; filter by association or expert."""
    return [ScheduledSession.of(row) for row in plans.schedule(db, association_id, expert_id)]


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
    """Record that the session took place; from now on every re-plan keeps it as it is."""
    row = plans.mark_held(db, session_id, body.record, if_match, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    return ScheduledSession.of(row)
