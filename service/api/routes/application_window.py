"""The application window: its state (the programme's period and the staff override in
force), and closing it early or extending it, each change in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, Field

from domain.limits import Note
from service.api.deps import AuthenticatedRoute, RequiredIfMatch, Staff, Viewer
from service.api.errors import responses
from service.logic import application_window
from service.logic.application_window import Phase
from service.logic.bodies import RequestBody
from service.logic.state import etag
from service.web.dependencies import DbDep

router = APIRouter(tags=["application window"], route_class=AuthenticatedRoute)


class WindowChangeIn(RequestBody):
    closes_on: dt.date = Field(
        description="The last day applications are taken: before the period's end closes "
                    "the window early (yesterday: closed now), after it extends it. Not "
                    "earlier than the day before the period opens.")
    reason: Note = Field(min_length=1, description="Why (kept in the audit log).")


class OverrideOut(BaseModel):
    closes_on: dt.date
    reason: str
    created_by: str
    created_at: dt.datetime


class WindowOut(BaseModel):
    phase: Phase = Field(description="not_set (no programme or no application_period), "
                                     "not_open_yet, open or closed, on `today`.")
    today: dt.date | None
    opens_on: dt.date | None
    closes_on: dt.date | None = Field(description="The last day in force (the override's "
                                                  "when there is one).")
    period_closes_on: dt.date | None = Field(description="The programme's own end.")
    closed_early: bool
    override: OverrideOut | None


def _out(db: DbDep, response: Response) -> WindowOut:
    window = application_window.state(db)
    response.headers["ETag"] = etag(window.version)
    override = window.override
    return WindowOut(
        phase=window.phase, today=window.today, opens_on=window.opens_on,
        closes_on=window.closes_on, period_closes_on=window.period_closes_on,
        closed_early=window.closed_early,
        override=None if override is None else OverrideOut(
            closes_on=override.closes_on, reason=override.reason,
            created_by=override.created_by, created_at=override.created_at))


@router.get("/application-window", response_model=WindowOut, responses=responses())
def window_state(_: Viewer, db: DbDep, response: Response) -> WindowOut:
    """Whether applications are taken today (the public form at /apply says the same)."""
    return _out(db, response)


@router.put("/application-window", response_model=WindowOut,
            responses=responses(409, 412, 422, 428))
def change_window(
    actor: Staff, db: DbDep, response: Response, if_match: RequiredIfMatch,
    body: Annotated[WindowChangeIn, Body(openapi_examples={
        "close": {"summary": "Close early (the budget is reached)",
                  "value": {"closes_on": "2025-08-20", "reason": "予算の上限に到達"}},
        "extend": {"summary": "Extend", "value": {"closes_on": "2025-10-31",
                                                  "reason": "申込が少ないため延長"}}})],
) -> WindowOut:
    """Close the window early or extend it, from the version read (If-Match)."""
    application_window.change(db, body.closes_on, body.reason, actor.name, if_match,
                              check_version=True)
    db.commit()
    return _out(db, response)
