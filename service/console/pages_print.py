"""Print views of the current schedule (A4, Japanese first): one expert's sessions, one
association's, and the whole week's, printed from the browser's own print dialog."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from domain.errors import Issue
from domain.scenario import Association, Expert
from domain.vocabulary import PHASE_LABELS, WEEKDAY_LABELS, Weekday
from service.console.texts import label, text
from service.console.toolkit import SignedInDep, language, render
from service.logic import records, state, working_day
from service.logic.errors import Conflict, Invalid
from service.web.dependencies import DbDep

router = APIRouter(include_in_schema=False)
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _names(db: DbDep) -> tuple[dict[str, str], dict[str, str]]:
    experts = {row.id: Expert.model_validate(row.data).name for row in records.experts(db)}
    associations = {row.id: Association.model_validate(row.data).name
                    for row in records.associations(db)}
    return experts, associations


def _page(request: Request, db: DbDep, who: SignedInDep, title: str,
          sessions: list[working_day.WeekSession], subtitle: str | None = None,
          address: str | None = None) -> HTMLResponse:
    experts, associations = _names(db)
    try:
        printed_on: dt.date | None = state.today(db)
    except Conflict:
        printed_on = None
    lang = language(request)
    return render(request, "print_schedule.html", {
        "title": title, "subtitle": subtitle, "address": address, "sessions": sessions,
        "expert_names": experts, "association_names": associations, "printed_on": printed_on,
        "phase_label": lambda phase: label(PHASE_LABELS[phase], lang),
        "weekday": lambda day: label(WEEKDAY_LABELS[WEEKDAYS[day.weekday()]], lang),
    }, who)


def _all_sessions(db: DbDep) -> list[working_day.WeekSession]:
    return working_day.week_sessions(db, dt.date.min, dt.date.max)


@router.get("/print/expert/{expert_id}")
def print_expert(request: Request, db: DbDep, who: SignedInDep,
                 expert_id: str) -> HTMLResponse:
    """Every session of the schedule the expert leads or joins."""
    expert = Expert.model_validate(records.expert_row(db, expert_id).data)
    sessions = [s for s in _all_sessions(db) if expert_id in s.expert_ids]
    return _page(request, db, who, f"{expert.id} {expert.name}", sessions,
                 text("print_expert_schedule", language(request)))


@router.get("/print/association/{association_id}")
def print_association(request: Request, db: DbDep, who: SignedInDep,
                      association_id: str) -> HTMLResponse:
    """The association's sessions, with where they take place."""
    association = Association.model_validate(records.association_row(db, association_id).data)
    sessions = [s for s in _all_sessions(db) if s.association_id == association_id]
    place = " ".join(part for part in (association.prefecture, association.city,
                                       association.address or "") if part)
    return _page(request, db, who, f"{association.id} {association.name}", sessions,
                 text("print_association_schedule", language(request)), place)


@router.get("/print/week")
def print_week(request: Request, db: DbDep, who: SignedInDep,
               date: Annotated[str | None, Query()] = None) -> HTMLResponse:
    """Every session of the week (Monday to Sunday) that holds ``date`` (default today)."""
    try:
        day = dt.date.fromisoformat(date) if date else state.today(db)
    except ValueError:
        raise Invalid([Issue("date", f"{date!r} is not a date (YYYY-MM-DD)")],
                      prefix=("query",)) from None
    monday, sunday = working_day.week_of(day)
    lang = language(request)
    return _page(request, db, who,
                 f"{text('print_week_title', lang)} {monday.isoformat()} – {sunday.isoformat()}",
                 working_day.week_sessions(db, monday, sunday))
