"""The console's pages and form actions. Each action calls the same logic as the API."""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.scenario import Association, Expert
from domain.vocabulary import MODE_LABELS, STATUS_LABELS, UNSERVED_REASON_LABELS
from service.api.deps import DbDep, SettingsDep
from service.api.routes import jobs as job_routes
from service.api.routes.applications import TransitionIn
from service.console import sessions
from service.console.security import (
    CrossSiteRequest,
    SecurityHeaders,
    check_origin,
    is_console_path,
)
from service.console.texts import LANGS, Lang, label, text
from service.logic import applications, jobs, plans, records, state
from service.logic.errors import Conflict, Invalid, PreconditionFailed, ServiceError
from service.logic.jobs import PlanRequest
from service.logic.state import etag

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

SESSION_COOKIE = "haken_session"
SIGNIN_COOKIE = "haken_signin"
LANG_COOKIE = "haken_lang"


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class Forbidden(Exception):
    pass


def language(request: Request) -> Lang:
    for chosen in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen in LANGS:
            return chosen
    return "ja"


def signed_in(request: Request, db: DbDep) -> sessions.SignedIn:
    who = sessions.lookup(db, request.cookies.get(SESSION_COOKIE))
    if who is None:
        raise SignInRequired(request.url.path)
    return who


SignedInDep = Annotated[sessions.SignedIn, Depends(signed_in)]


async def _form(request: Request) -> FormData:
    form = await request.form()
    if any("\x00" in str(value) for _, value in form.multi_items()):
        raise ServiceError("NUL characters are not accepted in a form")
    return form


async def staff_form(request: Request, who: SignedInDep) -> FormData:
    """A form post from a staff member, from this server, carrying the session's token."""
    check_origin(request)
    form = await _form(request)
    offered = form.get("csrf_token")
    if not sessions.same_secret(offered if isinstance(offered, str) else None, who.csrf_token):
        raise CrossSiteRequest("the form's token is missing or not this session's")
    if not who.actor.may("staff"):
        raise Forbidden
    return form


StaffForm = Annotated[FormData, Depends(staff_form)]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def render(request: Request, name: str, context: dict[str, Any],
           who: sessions.SignedIn | None = None, status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(request, name, {
        **context, "lang": lang, "who": who, "path": request.url.path,
        "t": lambda key: text(key, lang), "label": lambda value: label(value, lang),
        "status_label": lambda status: label(STATUS_LABELS[status], lang),
        "mode_label": lambda mode: label(MODE_LABELS[mode], lang),
        "may_edit": who is not None and who.actor.may("staff"),
    }, status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True,
                            samesite="strict", secure=_secure(request))
    return response


def redirect_to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def form_text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return (value.strip() or None) if isinstance(value, str) else None


# --- sign-in -------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    """Only a path of this server (no open redirect to another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/applications"


@router.get("/signin")
def signin_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _signin_form(request, _safe_next(next), error=None, status_code=200)


def _signin_form(request: Request, next_path: str, error: str | None,
                 status_code: int) -> HTMLResponse:
    # Before a session exists, a cookie and the same value in the form guard the sign-in.
    nonce = secrets.token_urlsafe(32)
    response = render(request, "signin.html", {"next": next_path, "csrf_token": nonce,
                                               "error": error}, status_code=status_code)
    response.set_cookie(SIGNIN_COOKIE, nonce, httponly=True, samesite="strict",
                        secure=_secure(request), path="/signin")
    return response


@router.post("/signin")
async def signin(request: Request, db: DbDep) -> Response:
    check_origin(request)
    form = await _form(request)
    offered = form.get("csrf_token")
    if not sessions.same_secret(offered if isinstance(offered, str) else None,
                                request.cookies.get(SIGNIN_COOKIE) or "\x00"):
        raise CrossSiteRequest("sign-in form without its token")
    next_path = _safe_next(form_text(form, "next"))
    limiter = request.app.state.auth_failures
    client = request.client.host if request.client else "unknown"
    if limiter.retry_after(client) is not None:
        return _signin_form(request, next_path, text("too_many", language(request)), 429)
    token = form_text(form, "token")
    opened = sessions.open_session(db, token) if token else None
    if opened is None:
        limiter.failed(client)
        return _signin_form(request, next_path, text("bad_token", language(request)), 401)
    db.commit()
    response = redirect_to(next_path)
    response.set_cookie(SESSION_COOKIE, opened[0], max_age=int(sessions.LIFETIME.total_seconds()),
                        httponly=True, samesite="strict", secure=_secure(request))
    response.delete_cookie(SIGNIN_COOKIE, path="/signin", httponly=True, samesite="strict",
                           secure=_secure(request))
    return response


@router.post("/signout")
async def signout(request: Request, db: DbDep, who: SignedInDep) -> Response:
    check_origin(request)
    form = await _form(request)
    offered = form.get("csrf_token")
    if not sessions.same_secret(offered if isinstance(offered, str) else None, who.csrf_token):
        raise CrossSiteRequest("sign-out form without its token")
    sessions.close_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response = redirect_to("/signin")
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict",
                           secure=_secure(request))
    return response


@router.get("/")
def home() -> RedirectResponse:
    return redirect_to("/applications")


# --- applications --------------------------------------------------------------------------


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


def _gap(progress: dict[str, Any] | None) -> float | None:
    if not progress:
        return None
    bound, objective = progress["bound"], progress["objective"]
    return abs(bound - objective) / max(1.0, abs(bound))


def _planning_context(request: Request, db: DbDep, job: int | None = None,
                      plan: int | None = None) -> dict[str, Any]:
    job_rows = jobs.listing(db, limit=10)
    watched = next((row for row in job_rows if row.id == job), None) if job else next(
        (row for row in job_rows if row.status not in jobs.FINISHED), None)
    plan_rows = plans.listing(db, limit=10)
    shown = next((row for row in plan_rows if row.id == plan), None) if plan else (
        plan_rows[0] if plan_rows else None)
    if plan and shown is None:
        shown = plans.plan_row(db, plan)
    changes = plans.shown_changes(db, shown) if shown else None
    experts = [Expert.model_validate(row.data) for row in records.experts(db)]
    return {
        "jobs": job_rows, "watched": watched, "gap": _gap(watched.progress if watched else None),
        "plans": plan_rows, "plan": shown, "changes": changes, "experts": experts,
        "reason_label": lambda reason: label(UNSERVED_REASON_LABELS[reason], language(request)),
    }


@router.get("/planning")
def planning(request: Request, db: DbDep, who: SignedInDep, job: int | None = None,
             plan: int | None = None, done: str | None = None) -> HTMLResponse:
    return render(request, "planning.html", {
        **_planning_context(request, db, job, plan), "done": done, "errors": {},
        "message": None}, who)


@router.post("/planning/jobs")
def start_plan(request: Request, db: DbDep, settings: SettingsDep, who: SignedInDep,
               form: StaffForm) -> Response:
    try:
        wanted = PlanRequest.model_validate({"time_limit": form_text(form, "time_limit"),
                                             "seed": form_text(form, "seed") or 0,
                                             "workers": 1})
        job = jobs.enqueue(db, wanted, who.actor.name, settings)
        db.commit()
    except ValidationError as error:
        errors = {str(issue["loc"][0]): issue["msg"] for issue in error.errors()}
        return _planning_error(request, db, who, errors, None, 422)
    except ServiceError as error:
        db.rollback()
        return _planning_error(request, db, who, {}, error.message, error.status_code)
    return redirect_to(f"/planning?job={job.id}#progress")


def _planning_error(request: Request, db: DbDep, who: sessions.SignedIn, errors: dict[str, str],
                    message: str | None, status_code: int) -> HTMLResponse:
    return render(request, "planning.html", {
        **_planning_context(request, db), "done": None, "errors": errors, "message": message,
    }, who, status_code=status_code)


@router.get("/planning/jobs/{job_id}/events", response_class=EventSourceResponse)
def job_events(db: DbDep, settings: SettingsDep, who: SignedInDep,
               job_id: int) -> Iterator[ServerSentEvent]:
    """The API's own progress stream, for a console session (EventSource sends the cookie)."""
    jobs.job_row(db, job_id)
    db.close()  # the stream opens its own sessions; do not hold this one while it runs
    yield from job_routes.job_events(who.actor, settings, job_id)


@router.post("/planning/jobs/{job_id}/cancel")
def cancel_plan(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                job_id: int) -> Response:
    try:
        jobs.cancel(db, job_id, who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _planning_error(request, db, who, {}, error.message, error.status_code)
    return redirect_to(f"/planning?job={job_id}")


@router.post("/planning/plans/{plan_id}/publish")
def publish(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
            plan_id: int) -> Response:
    try:
        plans.publish(db, plan_id, who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _planning_error(request, db, who, {}, error.message, error.status_code)
    return redirect_to(f"/planning?plan={plan_id}&done=published")


# --- wiring --------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Mount the console at ``/``: pages, static files, security headers, error pages."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired) -> Response:
        return redirect_to(f"/signin?next={error.next_path}")

    @app.exception_handler(CrossSiteRequest)
    async def _cross_site(request: Request, _: CrossSiteRequest) -> Response:
        return _message_page(request, "csrf", 403)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _: Forbidden) -> Response:
        return _message_page(request, "forbidden", 403)

    api_answer = app.exception_handlers[ServiceError]

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, error: Exception) -> Response:
        # A page asked for something missing (404) or not possible now: say so as a page.
        if is_console_path(request.url.path) and isinstance(error, ServiceError):
            return render(request, "message.html", {"message": error.message},
                          status_code=error.status_code)
        answer = api_answer(request, error)
        return await answer if inspect.isawaitable(answer) else answer

    app.include_router(router)
    # Imported here: these modules build on this one's helpers (render, SignedInDep).
    from service.console import (
        pages_experts,
        pages_feeds,
        pages_plans,
        pages_replacements,
        pages_reports,
    )

    for more in (pages_experts, pages_feeds, pages_reports, pages_plans, pages_replacements):
        app.include_router(more.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_middleware(SecurityHeaders)


def _message_page(request: Request, key: str, status_code: int) -> HTMLResponse:
    return render(request, "message.html", {"message": text(key, language(request))},
                  status_code=status_code)

