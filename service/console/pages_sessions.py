"""The staff's session pages: sessions past their date to record as held (or called off),
reports due and late, confirmed sessions to approve, experts' own availability changes,
and the self-service links of experts and associations (shown once, when issued)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from domain.vocabulary import MODE_LABELS, PHASE_LABELS, SESSION_MODES
from service.console import sessions
from service.console.pages_feeds import StaffReader, qr_code
from service.console.texts import label, text
from service.console.texts_session_life import STATE_LABELS
from service.console.toolkit import (
    SignedInDep,
    StaffForm,
    form_text,
    language,
    redirect_to,
    render,
)
from service.logic import records, self_service, session_life
from service.logic.errors import ServiceError
from service.logic.session_life import CancelIn, HeldIn
from service.logic.state import etag, today
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(include_in_schema=False)


def _context(request: Request, db: DbDep) -> dict[str, Any]:
    lang = language(request)
    now = today(db)
    waiting = [row for row in session_life.sessions(db, ("scheduled", "pinned"))
               if row.data["date"] <= now.isoformat()]
    names = {row.id: row.data["name"] for row in records.experts(db)}
    names.update({row.id: row.data["name"] for row in records.associations(db)})
    return {
        "waiting": waiting, "due": session_life.reports_due(db),
        "to_approve": session_life.sessions(db, ("confirmed",)),
        "changes": session_life.availability_changes(db, limit=20),
        "names": names, "modes": [(m, label(MODE_LABELS[m], lang)) for m in SESSION_MODES],
        "state_label": lambda state: label(STATE_LABELS[state], lang),
        "phase_label": lambda phase: label(PHASE_LABELS[phase], lang),
        "confirmation_of": lambda row: session_life.confirmation_of(db, row.id),
        "experts": [(row.id, row.data["name"]) for row in records.experts(db)],
        "associations": [(row.id, row.data["name"]) for row in records.associations(db)
                         if row.status in ("accepted", "completed")],
    }


def _page(request: Request, db: DbDep, who: sessions.SignedIn, *, done: str | None = None,
          message: str | None = None, new_link: dict[str, str] | None = None,
          status_code: int = 200) -> HTMLResponse:
    response = render(request, "sessions.html", {
        **_context(request, db), "done": done, "message": message, "new_link": new_link},
        who, status_code=status_code)
    if new_link is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/sessions")
def sessions_page(request: Request, db: DbDep, who: SignedInDep,
                  done: str | None = None) -> HTMLResponse:
    return _page(request, db, who, done=done)


def _version(form: Any) -> str | None:
    value = form_text(form, "version") or ""
    return etag(int(value)) if value.isdigit() else None


def _failed(request: Request, db: DbDep, who: sessions.SignedIn, message: str,
            status_code: int) -> HTMLResponse:
    db.rollback()
    return _page(request, db, who, message=message, status_code=status_code)


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in issue['loc']) or 'form'}: {issue['msg']}"
                     for issue in error.errors())


@router.post("/sessions/{session_id}/held")
def record_held(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                session_id: int) -> Response:
    attendees = [line.strip() for line in (form_text(form, "attendees") or "").splitlines()
                 if line.strip()]
    data = {"record": form_text(form, "record") or "", "date": form_text(form, "date"),
            "start": form_text(form, "start"), "end": form_text(form, "end"),
            "mode": form_text(form, "mode"), "attendees": attendees}
    try:
        held = HeldIn.model_validate({k: v for k, v in data.items() if v is not None})
        session_life.record_held(db, session_id, held, _version(form), who.actor.name)
        db.commit()
    except ValidationError as error:
        return _failed(request, db, who, _problems(error), 422)
    except ServiceError as error:
        return _failed(request, db, who, error.message, error.status_code)
    return redirect_to("/sessions?done=held")


@router.post("/sessions/{session_id}/call-off")
def call_off(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
             session_id: int) -> Response:
    try:
        called = CancelIn.model_validate({"kind": form_text(form, "kind"),
                                          "reason": form_text(form, "reason") or ""})
        session_life.call_off(db, session_id, called, _version(form), who.actor.name)
        db.commit()
    except ValidationError as error:
        return _failed(request, db, who, _problems(error), 422)
    except ServiceError as error:
        return _failed(request, db, who, error.message, error.status_code)
    return redirect_to("/sessions?done=called_off")


@router.post("/sessions/{session_id}/approve")
def approve(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
            session_id: int) -> Response:
    try:
        session_life.approve(db, session_id, _version(form), who.actor.name)
        db.commit()
    except ServiceError as error:
        return _failed(request, db, who, error.message, error.status_code)
    return redirect_to("/sessions?done=approved")


@router.post("/sessions/links/{subject}/{subject_id}")
def issue_link(request: Request, db: DbDep, settings: SettingsDep, who: StaffReader,
               form: StaffForm, subject: str, subject_id: str) -> Response:
    """A new self-service link for the person (the previous one stops), shown this once."""
    if subject not in ("expert", "association"):
        return _failed(request, db, who, f"no links for {subject!r}", 404)
    try:
        row, secret = self_service.create(
            db, "expert" if subject == "expert" else "association", subject_id,
            who.actor.name)
        db.commit()
    except ServiceError as error:
        return _failed(request, db, who, error.message, error.status_code)
    link = self_service.link(settings.public_base, secret)
    return _page(request, db, who, new_link={
        "subject_id": row.subject_id, "link": link, "qr": qr_code(link),
        "label": text("self_service_links", language(request))})
