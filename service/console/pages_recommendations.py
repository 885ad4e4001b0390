"""Options on the phone: for an application (the pre-interview) or an accepted
association the schedule does not serve, and other dates for a session; side by side,
each with its figures and why it ranks there (``logic.recommendations``). Taking one
makes a draft, compared and published on the planning pages."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from domain.plan import Session
from scheduler.recommend import Recommendation
from service.console.texts import label, text
from service.console.texts_plans import PLAN_TEXTS
from service.console.toolkit import SignedInDep, StaffForm, form_text, language, redirect_to, render
from service.logic import plans, recommendations, records
from service.logic.errors import ServiceError
from service.web.dependencies import DbDep

router = APIRouter(include_in_schema=False)


def _page(request: Request, db: DbDep, who: SignedInDep, association_id: str,
          found: Recommendation | None, back: str, message: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    row = records.association_row(db, association_id)
    return render(request, "recommendations.html", {
        "association": row.data, "status": row.status, "found": found, "back": back,
        "message": message,
        "expert_names": {r.id: r.data["name"] for r in records.experts(db)},
        "options_json": [json.dumps([s.model_dump(mode="json") for s in o.sessions],
                                    ensure_ascii=False) for o in (found.options if found
                                                                  else ())],
    }, who, status_code=status_code)


@router.get("/applications/{association_id}/options")
def association_options(request: Request, db: DbDep, who: SignedInDep,
                        association_id: str) -> HTMLResponse:
    """Who could serve it and when, every other session where it is."""
    found = recommendations.for_association(db, association_id, 3)
    return _page(request, db, who, association_id, found, f"/applications/{association_id}")


@router.get("/planning/sessions/{session_id}/options")
def session_options(request: Request, db: DbDep, who: SignedInDep,
                    session_id: int) -> HTMLResponse:
    """Other dates and times for one session of the schedule."""
    row = plans.session_row(db, session_id)
    found = recommendations.for_session(db, session_id, 3)
    return _page(request, db, who, row.association_id, found,
                 f"/planning/replacements/{session_id}")


@router.post("/applications/{association_id}/options/take")
def take(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
         association_id: str) -> Response:
    """Make a draft of the schedule with the chosen option, then compare it."""
    lang = language(request)
    back = form_text(form, "back") or f"/applications/{association_id}"
    if not back.startswith("/") or back.startswith("//"):
        back = f"/applications/{association_id}"
    try:
        chosen = [Session.model_validate(s) for s in json.loads(form_text(form, "option")
                                                                   or "[]")]
        rank_text = form_text(form, "rank")
        rank = int(rank_text) if rank_text and rank_text.isdigit() else None
    except (ValueError, ValidationError):
        return _page(request, db, who, association_id, None, back,
                     f"{text('not_saved', lang)} {label(PLAN_TEXTS['option_unreadable'], lang)}",
                     422)
    try:
        row = recommendations.take(db, association_id, chosen, who.actor.name, rank)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _page(request, db, who, association_id, None, back,
                     f"{text('not_saved', lang)} {error.message}", error.status_code)
    return redirect_to(f"/planning/changes?plan={row.id}")

