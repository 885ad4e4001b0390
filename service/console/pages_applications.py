"""Applications: the list, one application's page, its eligibility checks and status changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from domain.scenario import Association
from domain.vocabulary import STATUS_LABELS
from service.console import sessions
from service.console.texts import text
from service.console.toolkit import (
    SignedInDep,
    StaffForm,
    form_text,
    language,
    redirect_to,
    render,
)
from service.logic import applications, intake, records, state
from service.logic.applications import TransitionIn
from service.logic.errors import Conflict, Invalid, PreconditionFailed, ServiceError
from service.logic.state import etag
from service.web.dependencies import DbDep

router = APIRouter(include_in_schema=False)


@router.get("/applications")
def application_list(request: Request, db: DbDep, who: SignedInDep,
                     status: str | None = None, q: str | None = None) -> HTMLResponse:
    chosen = status if status in STATUS_LABELS else None
    needle = (q or "").strip().casefold()
    rows = [Association.model_validate(row.data) for row in records.associations(db, chosen)]
    shown = [a for a in rows if not needle or needle in a.id.casefold()
             or needle in a.name.casefold()]
    try:
        calls, today = applications.calls_due(db), state.today(db)
    except Conflict:  # no programme yet: nothing is due
        calls, today = [], None
    return render(request, "applications.html", {
        "rows": shown, "status": chosen or "", "q": q or "", "statuses": list(STATUS_LABELS),
        "calls": calls, "today": today, "programme_missing": today is None,
    }, who)


def _application_context(db: DbDep, association_id: str) -> dict[str, Any]:
    row = records.association_row(db, association_id)
    association = Association.model_validate(row.data)
    found = applications.checks(db, association_id)
    return {
        "association": association, "row": row,
        "checks": [(item, item_label, found.get(item))
                   for item, item_label in applications.ELIGIBILITY.items()],
        "gaps": applications.screening_gaps(db, association_id),
        "next_statuses": applications.NEXT[row.status],
        "receipt": intake.receipt_of(db, association_id),
    }


@router.get("/applications/{association_id}")
def application_page(request: Request, db: DbDep, who: SignedInDep,
                     association_id: str, done: str | None = None) -> HTMLResponse:
    context = _application_context(db, association_id)
    return render(request, "application.html", {
        **context, "done": done == "saved", "errors": {}, "message": None,
        "entered": {}}, who)


@router.post("/applications/{association_id}/eligibility/{item}")
def check_eligibility(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                      association_id: str, item: str) -> Response:
    passed = form.get("passed")
    if passed not in ("yes", "no"):
        errors = {f"passed-{item}": text("not_checked", language(request))}
        return _application_error(request, db, who, association_id, errors, None, {}, 422)
    try:
        applications.check_item(db, association_id, item, passed == "yes",
                                form_text(form, "note"), who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _application_error(request, db, who, association_id, {}, error.message, {},
                                  error.status_code)
    return redirect_to(f"/applications/{association_id}?done=saved#eligibility")


@router.post("/applications/{association_id}/transition")
def change_status(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                  association_id: str) -> Response:
    entered = {name: form_text(form, name) for name in ("to", "reason", "note", "version")}
    try:
        body = TransitionIn.model_validate({k: entered[k] for k in ("to", "reason", "note")})
    except ValidationError as error:
        errors = {str(issue["loc"][0]): issue["msg"] for issue in error.errors()}
        return _application_error(request, db, who, association_id, errors, None, entered, 422)
    version = entered["version"] or ""
    try:
        applications.transition(
            db, association_id,
            applications.Transition(body.to, body.reason, body.note, body.decided_on),
            etag(int(version)) if version.isdigit() else None, who.actor.name)
        db.commit()
    except Invalid as error:
        db.rollback()
        fields = {"to", "reason", "note"}
        errors = {issue.path: issue.message for issue in error.issues if issue.path in fields}
        others = "; ".join(str(i) for i in error.issues if i.path not in fields) or None
        return _application_error(request, db, who, association_id, errors, others, entered,
                                  422)
    except PreconditionFailed:
        db.rollback()
        # Show the current record; the form then carries its version and what was entered.
        return _application_error(request, db, who, association_id, {},
                                  text("stale", language(request)),
                                  {**entered, "version": None}, 412)
    except ServiceError as error:
        db.rollback()
        return _application_error(request, db, who, association_id, {}, error.message, entered,
                                  error.status_code)
    return redirect_to(f"/applications/{association_id}?done=saved")


def _application_error(request: Request, db: DbDep, who: sessions.SignedIn, association_id: str,
                       errors: dict[str, str], message: str | None, entered: dict[str, Any],
                       status_code: int) -> HTMLResponse:
    context = _application_context(db, association_id)
    return render(request, "application.html", {
        **context, "done": False, "errors": errors, "message": message, "entered": entered,
    }, who, status_code=status_code)


# --- planning ------------------------------------------------------------------------------
