"""The home page (ホーム): what needs doing today and this week, each line linking to where
it is handled; and the staff control that closes or extends the application window."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.console.texts import text
from service.console.toolkit import (
    SignedInDep,
    StaffForm,
    form_text,
    language,
    redirect_to,
    render,
)
from service.logic import application_window, working_day
from service.logic.errors import Conflict, Invalid, ServiceError
from service.web.dependencies import DbDep

router = APIRouter(include_in_schema=False)


def _home(request: Request, db: DbDep, who: SignedInDep, errors: dict[str, str],
          message: str | None, entered: dict[str, str | None], done: bool,
          status_code: int = 200) -> HTMLResponse:
    try:
        day = working_day.working_day(db)
    except Conflict:  # no programme yet: nothing is due, say what to do first
        day = None
    return render(request, "home.html", {
        "day": day, "errors": errors, "message": message, "entered": entered, "done": done,
    }, who, status_code=status_code)


@router.get("/")
def home(request: Request, db: DbDep, who: SignedInDep, done: str | None = None
         ) -> HTMLResponse:
    return _home(request, db, who, {}, None, {}, done == "window")


@router.post("/window")
def set_window(request: Request, db: DbDep, who: SignedInDep, form: StaffForm) -> Response:
    """Close the application window early or extend it, with a reason (audit-logged)."""
    entered = {name: form_text(form, name) for name in ("closes_on", "reason")}
    lang = language(request)
    try:
        closes_on = dt.date.fromisoformat(entered["closes_on"] or "")
    except ValueError:
        return _home(request, db, who, {"closes_on": text("window_date_needed", lang)}, None,
                     entered, False, 422)
    try:
        application_window.change(db, closes_on, entered["reason"], who.actor.name)
        db.commit()
    except Invalid as error:
        db.rollback()
        errors = {issue.path: text(f"window_error_{issue.path}", lang)
                  for issue in error.issues}
        return _home(request, db, who, errors, None, entered, False, 422)
    except ServiceError as error:
        db.rollback()
        return _home(request, db, who, {}, error.message, entered, False, error.status_code)
    return redirect_to("/?done=window#window")
