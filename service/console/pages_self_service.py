"""The self-service pages of experts and associations, behind their private link (``/my``).

An expert sees their own sessions, files the report (支援実施報告書) of the sessions they
lead and travel claims for any they took part in, sees which reports are due or late,
and keeps their availability. An association sees its own sessions, confirms each
reported one (従事証明) with a rating, and answers the survey after the last one.

The link's secret is the only credential: a wrong or revoked one, or a session of
someone else, is the same 404. Forms carry the record's version (the If-Match of the
API) and are checked for their origin; every answer is kept out of caches and sends a
Referer to this server only, so the secret in the address goes nowhere else.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from domain.scenario import Availability, Expert
from domain.types import format_clock
from domain.vocabulary import MODE_LABELS, PHASE_LABELS, WEEKDAY_LABELS, WEEKDAYS
from service.console import pages_experts
from service.console.security import check_origin
from service.console.texts import label, text
from service.console.texts_session_life import (
    DISTRIBUTION_LABELS,
    MANUAL_PROGRESS_LABELS,
    STATE_LABELS,
)
from service.console.toolkit import language, read_form, redirect_to, render
from service.db.models import SessionRow
from service.logic import records, self_service, session_life
from service.logic.errors import NotFound, PreconditionFailed, ServiceError
from service.logic.self_service import Person
from service.logic.session_life import ConfirmationIn, ReportIn, SurveyIn, TravelIn
from service.logic.state import etag, programme
from service.web.dependencies import DbDep

router = APIRouter(prefix=self_service.PREFIX, include_in_schema=False)


def signed_in_person(db: DbDep, secret: str) -> Person:
    who = self_service.person(db, secret)
    if who is None:
        raise NotFound("このリンクは無効です / this link is not valid")
    return who


PersonDep = Annotated[Person, Depends(signed_in_person)]


async def own_form(request: Request, who: PersonDep) -> FormData:
    """A form post from a page of this service (the secret in the path is the rest)."""
    check_origin(request)
    return await read_form(request)


OwnForm = Annotated[FormData, Depends(own_form)]


def _page(request: Request, db: DbDep, who: Person, secret: str, name: str,
          context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    zone = zoneinfo.ZoneInfo(programme(db).timezone)
    if who.subject == "expert":
        display = records.expert_row(db, who.subject_id).data["name"]
    else:
        display = records.association_row(db, who.subject_id).data["name"]
    response = render(request, name, {
        **context, "person": who, "display_name": display, "home": f"/my/{secret}",
        "state_label": lambda state: label(STATE_LABELS[state], lang),
        "phase_label": lambda phase: label(PHASE_LABELS[phase], lang),
        "progress_label": lambda key: label(MANUAL_PROGRESS_LABELS[key], lang),
        "distribution_label": lambda key: label(DISTRIBUTION_LABELS[key], lang),
        "local_time": lambda at: at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "clock": format_clock,
    }, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    # Not no-referrer: browsers then send "Origin: null" with the forms, which the origin
    # check refuses. same-origin sends the address (and its secret) to this server only.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _names(db: DbDep) -> dict[str, str]:
    names = {row.id: row.data["name"] for row in records.experts(db)}
    names.update({row.id: row.data["name"] for row in records.associations(db)})
    return names


def _own_rows(db: DbDep, who: Person) -> list[SessionRow]:
    if who.subject == "expert":
        return session_life.sessions(db, expert_id=who.subject_id)
    return session_life.sessions(db, association_id=who.subject_id)


@router.get("/{secret}")
def home(request: Request, db: DbDep, who: PersonDep, secret: str) -> HTMLResponse:
    rows = _own_rows(db, who)
    due = (session_life.reports_due(db, who.subject_id) if who.subject == "expert" else [])
    survey = None
    survey_open = False
    if who.subject == "association":
        survey = session_life.survey_of(db, who.subject_id)
        last = [row for row in rows if session_life.is_last(db, row)]
        survey_open = survey is None and bool(last) and last[0].state in (
            "confirmed", "approved", "paid")
    return _page(request, db, who, secret, "my_home.html", {
        "rows": rows, "due": due, "names": _names(db), "survey": survey,
        "survey_open": survey_open})


# --- one session -----------------------------------------------------------------------


def _session_page(request: Request, db: DbDep, who: Person, secret: str, row: SessionRow,
                  done: str | None = None, errors: list[str] | None = None,
                  entered: dict[str, Any] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    lead = row.data["expert_ids"][0]
    mine = who.subject == "expert"
    claims = session_life.travel_claims_of(db, row.id)
    if mine:  # an expert sees their own claim only
        claims = [c for c in claims if c.expert_id == who.subject_id]
    return _page(request, db, who, secret, "my_session.html", {
        "row": row, "session": session_life.planned(row), "names": _names(db),
        "report": session_life.report_of(db, row.id),
        "confirmation": session_life.confirmation_of(db, row.id), "claims": claims,
        "may_report": mine and who.subject_id == lead and row.state == "held",
        "may_claim": mine and row.state in session_life.CLAIMABLE_STATES
        and row.held_mode == "onsite" and who.subject_id != lead,
        "may_confirm": not mine and row.state == "reported",
        "phases": [(key, label(value, language(request))) for key, value in PHASE_LABELS.items()],
        "progress_options": list(MANUAL_PROGRESS_LABELS),
        "mode_text": lambda mode: label(MODE_LABELS[mode], language(request)),
        "done": done, "errors": errors or [], "entered": entered or {},
    }, status_code=status_code)


@router.get("/{secret}/sessions/{session_id}")
def session_page(request: Request, db: DbDep, who: PersonDep, secret: str, session_id: int,
                 done: str | None = None) -> HTMLResponse:
    row = self_service.own_session(db, who, session_id)
    return _session_page(request, db, who, secret, row, done=done)


def _fields(form: FormData) -> dict[str, str]:
    return {key: value.strip() for key, value in form.multi_items() if isinstance(value, str)}


def _problems(error: ValidationError, lang: str) -> list[str]:
    found = []
    for issue in error.errors():
        where = ".".join(str(part) for part in issue["loc"]) or "form"
        found.append(f"{where}: {issue['msg']}")
    return found


def _parsed(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    return model.model_validate(data)


def _version(form: FormData) -> str | None:
    value = form.get("version")
    return etag(int(value)) if isinstance(value, str) and value.isdigit() else None


def _act(request: Request, db: DbDep, who: Person, secret: str, row: SessionRow,
         form: FormData, model: type[BaseModel], data: dict[str, Any], done: str,
         action: Any) -> Response:
    """Parse, act, commit; or show the same page with what is wrong and nothing saved."""
    lang = language(request)
    entered = _fields(form)
    try:
        parsed = _parsed(model, data)
        action(parsed)
        db.commit()
    except ValidationError as error:
        db.rollback()
        return _session_page(request, db, who, secret, row, errors=_problems(error, lang),
                             entered=entered, status_code=422)
    except PreconditionFailed:
        db.rollback()
        row = self_service.own_session(db, who, row.id)
        return _session_page(request, db, who, secret, row, errors=[text("stale_msg", lang)],
                             entered=entered, status_code=412)
    except ServiceError as error:
        db.rollback()
        row = self_service.own_session(db, who, row.id)
        return _session_page(request, db, who, secret, row, errors=[error.message],
                             entered=entered, status_code=error.status_code)
    return redirect_to(f"/my/{secret}/sessions/{row.id}?done={done}")


def _yen(value: str) -> str | int:
    return int(value) if value.isdigit() else value or 0


@router.post("/{secret}/sessions/{session_id}/report")
def file_report(request: Request, db: DbDep, who: PersonDep, form: OwnForm, secret: str,
                session_id: int) -> Response:
    row = self_service.own_session(db, who, session_id)
    if who.subject != "expert":
        raise NotFound(f"no report of session {session_id} to file here")
    fields = _fields(form)
    data: dict[str, Any] = {key: fields.get(key, "") for key in (
        "work_done", "manual_progress", "progress_note", "next_tasks", "receipt_note")}
    data["phase"] = fields.get("phase") or None
    data["travel_claimed_yen"] = _yen(fields.get("travel_claimed_yen", ""))
    version = _version(form)
    return _act(request, db, who, secret, row, form, ReportIn, data, "reported",
                lambda report: session_life.file_report(db, session_id, who.subject_id, report,
                                                        version, who.actor))


@router.post("/{secret}/sessions/{session_id}/travel")
def claim_travel(request: Request, db: DbDep, who: PersonDep, form: OwnForm, secret: str,
                 session_id: int) -> Response:
    row = self_service.own_session(db, who, session_id)
    if who.subject != "expert":
        raise NotFound(f"no travel of session {session_id} to claim here")
    fields = _fields(form)
    data = {"travel_claimed_yen": _yen(fields.get("travel_claimed_yen", "")),
            "receipt_note": fields.get("receipt_note", "")}
    version = _version(form)
    return _act(request, db, who, secret, row, form, TravelIn, data, "claimed",
                lambda claim: session_life.claim_travel(db, session_id, who.subject_id, claim,
                                                        version, who.actor))


@router.post("/{secret}/sessions/{session_id}/confirmation")
def confirm(request: Request, db: DbDep, who: PersonDep, form: OwnForm, secret: str,
            session_id: int) -> Response:
    row = self_service.own_session(db, who, session_id)
    if who.subject != "association":
        raise NotFound(f"no confirmation of session {session_id} to give here")
    fields = _fields(form)
    rating = fields.get("rating", "")
    data = {"as_reported": fields.get("as_reported") == "yes",
            "rating": int(rating) if rating.isdigit() else rating,
            "comment": fields.get("comment", "")}
    version = _version(form)
    return _act(request, db, who, secret, row, form, ConfirmationIn, data, "confirmed",
                lambda confirmation: session_life.confirm(
                    db, session_id, who.subject_id, confirmation, version, who.actor))


# --- the association's survey -------------------------------------------------------------


@router.post("/{secret}/survey")
def answer_survey(request: Request, db: DbDep, who: PersonDep, form: OwnForm,
                  secret: str) -> Response:
    if who.subject != "association":
        raise NotFound("no survey to answer here")
    lang = language(request)
    fields = _fields(form)
    data = {"manual_completed": fields.get("manual_completed") == "yes",
            "completed_on": fields.get("completed_on") or None,
            "distribution": [v for v in form.getlist("distribution") if isinstance(v, str)],
            "comment": fields.get("comment", "")}
    try:
        session_life.answer_survey(db, who.subject_id, SurveyIn.model_validate(data),
                                   who.actor)
        db.commit()
    except ValidationError as error:
        db.rollback()
        return _survey_error(request, db, who, secret, _problems(error, lang), 422)
    except ServiceError as error:
        db.rollback()
        return _survey_error(request, db, who, secret, [error.message], error.status_code)
    return redirect_to(f"/my/{secret}?done=survey#survey")


def _survey_error(request: Request, db: DbDep, who: Person, secret: str, errors: list[str],
                  status_code: int) -> HTMLResponse:
    rows = _own_rows(db, who)
    return _page(request, db, who, secret, "my_home.html", {
        "rows": rows, "due": [], "names": _names(db), "survey": None, "survey_open": True,
        "survey_errors": errors}, status_code=status_code)


# --- the expert's availability -------------------------------------------------------------


def _availability_page(request: Request, db: DbDep, who: Person, secret: str,
                       draft: pages_experts.Draft, done: bool = False,
                       errors: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    try:
        prog = programme(db)
    except ServiceError:
        prog = None
    return _page(request, db, who, secret, "my_availability.html", {
        "draft": draft, "grid": pages_experts._grid(prog, draft),
        "days": [(day, label(WEEKDAY_LABELS[day], lang)) for day in WEEKDAYS],
        "slot_key": pages_experts.slot_key, "slot_minutes": pages_experts.SLOT_MINUTES,
        "done": done, "errors": errors or [], "field_errors": draft.errors,
    }, status_code=status_code)


@router.get("/{secret}/availability")
def availability_page(request: Request, db: DbDep, who: PersonDep, secret: str,
                      done: str | None = None) -> HTMLResponse:
    if who.subject != "expert":
        raise NotFound("no availability to keep here")
    row = records.expert_row(db, who.subject_id)
    draft = pages_experts.draft_of(Expert.model_validate(row.data), row.version)
    return _availability_page(request, db, who, secret, draft, done=done == "saved")


@router.post("/{secret}/availability")
def save_availability(request: Request, db: DbDep, who: PersonDep, form: OwnForm,
                      secret: str) -> Response:
    if who.subject != "expert":
        raise NotFound("no availability to keep here")
    lang = language(request)
    row = records.expert_row(db, who.subject_id)
    draft = pages_experts.draft_from_form(form)
    # Only availability is the expert's to change: the rest of the form is the saved record.
    saved = pages_experts.draft_of(Expert.model_validate(row.data), row.version)
    draft.qualifications, draft.industries, draft.modes = (
        saved.qualifications, saved.industries, saved.modes)
    draft.caps, draft.conflicts = saved.caps, saved.conflicts
    expert = pages_experts.record_from(draft, row.data, lang)
    if expert is None:
        return _availability_page(request, db, who, secret, draft, status_code=422)
    if draft.version != str(row.version):
        draft.version = str(row.version)
        return _availability_page(request, db, who, secret, draft,
                                  errors=[text("stale_msg", lang)], status_code=412)
    try:
        session_life.update_availability(db, who.subject_id,
                                         expert.availability or Availability(), who.actor)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _availability_page(request, db, who, secret, draft, errors=[error.message],
                                  status_code=error.status_code)
    return redirect_to(f"/my/{secret}/availability?done=saved")
