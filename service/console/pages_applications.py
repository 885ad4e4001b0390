"""Applications: the list, one application's page, its eligibility checks and status changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from domain.scenario import Association
from domain.vocabulary import STATUS_LABELS, Status
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
from service.logic import application_list as application_list_logic
from service.logic import applications, intake, records, state
from service.logic.application_list import BulkOutcome, SortKey
from service.logic.applications import TransitionIn
from service.logic.errors import Conflict, Invalid, PreconditionFailed, ServiceError
from service.logic.state import etag
from service.web.dependencies import DbDep

router = APIRouter(include_in_schema=False)


@router.get("/applications")
def application_list(request: Request, db: DbDep, who: SignedInDep,
                     status: str | None = None, q: str | None = None,
                     lead: str | None = None, late: str | None = None,
                     sort: str | None = None, order: str | None = None) -> HTMLResponse:
    return _list_page(request, db, who, {"status": status, "q": q, "lead": lead,
                                         "late": late, "sort": sort, "order": order})


def _list_page(request: Request, db: DbDep, who: sessions.SignedIn,
               asked: dict[str, str | None], outcomes: list[BulkOutcome] | None = None,
               bulk_errors: dict[str, str] | None = None,
               bulk_entered: dict[str, Any] | None = None,
               status_code: int = 200) -> HTMLResponse:
    chosen = asked["status"] if asked["status"] in STATUS_LABELS else None
    sort: SortKey = next((key for key in application_list_logic.SORT_KEYS
                          if key == asked["sort"]), "call_due_on")
    descending = asked["order"] == "desc"
    try:
        calls, today = applications.calls_due(db), state.today(db)
    except Conflict:  # no programme yet: nothing is due
        calls, today = [], None
    rows = application_list_logic.list_rows(
        db, today, chosen, asked["q"], asked["lead"] or None, asked["late"] == "1",
        sort, descending)
    experts = [row.id for row in records.experts(db)]
    return render(request, "applications.html", {
        "rows": rows, "status": chosen or "", "q": asked["q"] or "",
        "lead": asked["lead"] or "", "late": asked["late"] == "1", "experts": experts,
        "sort": sort, "descending": descending, "sort_keys": application_list_logic.SORT_KEYS,
        "statuses": list(STATUS_LABELS), "calls": calls, "today": today,
        "programme_missing": today is None, "outcomes": outcomes,
        "bulk_errors": bulk_errors or {}, "bulk_entered": bulk_entered or {},
    }, who, status_code=status_code)


@router.post("/applications/bulk")
def bulk_decision(request: Request, db: DbDep, who: SignedInDep, form: StaffForm) -> Response:
    """Accept or reject the chosen applications with one reason, each through the same
    rules and version check as on its own page; the page then says what happened to each."""
    lang = language(request)
    asked = {name: form_text(form, f"keep_{name}")
             for name in ("status", "q", "lead", "late", "sort", "order")}
    picked = [value for value in form.getlist("chosen") if isinstance(value, str)]
    chosen: list[tuple[str, int | None]] = []
    for value in picked:
        association_id, _, version = value.rpartition(":")
        chosen.append((association_id, int(version)) if association_id and version.isdigit()
                      else (value, None))
    to, reason = form_text(form, "to"), form_text(form, "reason")
    entered = {"to": to, "reason": reason, "chosen": picked}
    errors = {}
    if to not in ("accepted", "rejected"):
        errors["bulk-to"] = text("bulk_choose_decision", lang)
    if not reason:
        errors["bulk-reason"] = text("bulk_reason_needed", lang)
    if not chosen:
        errors["bulk-chosen"] = text("bulk_none_chosen", lang)
    if errors:
        return _list_page(request, db, who, asked, None, errors, entered, 422)
    decision: Status = "accepted" if to == "accepted" else "rejected"
    outcomes = application_list_logic.bulk_decide(db, chosen, decision, reason, who.actor.name)
    return _list_page(request, db, who, asked, outcomes, {}, {})


def _application_context(db: DbDep, association_id: str) -> dict[str, Any]:
    row = records.association_row(db, association_id)
    association = Association.model_validate(row.data)
    found = applications.checks(db, association_id)
    zone = zoneinfo.ZoneInfo(state.programme(db).timezone)
    return {
        "local_time": lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "association": association, "row": row,
        "checks": [(item, item_label, found.get(item))
                   for item, item_label in applications.ELIGIBILITY.items()],
        "gaps": applications.open_items(db, association_id),
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
        # The rule that fails here is the missing reason: say it in the page's language.
        errors = {issue.path: text("reason_required", language(request))
                  if issue.path == "reason" else issue.message
                  for issue in error.issues if issue.path in fields}
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
        message = error.message
        if body.to == "accepted" and applications.open_items(db, association_id):
            # The API's English list of open items; the page lists them in its language.
            message = text("accept_checklist_open", language(request))
        return _application_error(request, db, who, association_id, {}, message, entered,
                                  error.status_code)
    return redirect_to(f"/applications/{association_id}?done=saved")


@router.post("/applications/{association_id}/call")
def record_call(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                association_id: str) -> Response:
    """The pre-interview call as it took place: the day and time entered (in the
    programme's time zone), who called, the notes; the application becomes interviewed."""
    names = ("call_date", "call_time", "called_by", "note", "version")
    entered = {name: form_text(form, name) for name in names}
    lang = language(request)
    errors = {}
    called_at = None
    try:
        zone = zoneinfo.ZoneInfo(state.programme(db).timezone)
        day = dt.date.fromisoformat(entered["call_date"] or "")
        clock = dt.time.fromisoformat(entered["call_time"] or "")
        called_at = dt.datetime.combine(day, clock, tzinfo=zone)
    except ValueError:
        errors["call_date"] = text("call_when_needed", lang)
    if called_at is not None and called_at > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
        errors["call_date"] = text("call_in_future", lang)
    if errors:
        return _application_error(request, db, who, association_id, errors, None, entered, 422)
    version = entered["version"] or ""
    try:
        applications.transition(
            db, association_id,
            applications.Transition("interviewed", note=entered["note"], called_at=called_at,
                                    called_by=entered["called_by"]),
            etag(int(version)) if version.isdigit() else None, who.actor.name)
        db.commit()
    except Invalid as error:
        db.rollback()
        about_time = [issue for issue in error.issues if issue.path == "called_at"]
        errors = {"call_date": text("call_in_future" if "future" in about_time[0].message
                                    else "call_before_applying", lang)} if about_time else {}
        others = "; ".join(str(i) for i in error.issues if i.path != "called_at") or None
        return _application_error(request, db, who, association_id, errors, others, entered,
                                  422)
    except PreconditionFailed:
        db.rollback()
        return _application_error(request, db, who, association_id, {},
                                  text("stale", language(request)),
                                  {**entered, "version": None}, 412)
    except ServiceError as error:
        db.rollback()
        return _application_error(request, db, who, association_id, {}, error.message, entered,
                                  error.status_code)
    return redirect_to(f"/applications/{association_id}?done=saved#call")


def _application_error(request: Request, db: DbDep, who: sessions.SignedIn, association_id: str,
                       errors: dict[str, str], message: str | None, entered: dict[str, Any],
                       status_code: int) -> HTMLResponse:
    context = _application_context(db, association_id)
    return render(request, "application.html", {
        **context, "done": False, "errors": errors, "message": message, "entered": entered,
    }, who, status_code=status_code)


# --- planning ------------------------------------------------------------------------------
