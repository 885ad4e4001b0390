"""The public application form (/apply): no sign-in, open only inside the application
window, guarded like the sign-in form (same-origin check, a cookie and the same value in
the form, a limit on posts per client address)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from domain.japanese_dates import with_weekday
from domain.scenario import Programme
from domain.types import format_clock
from domain.vocabulary import INDUSTRY_LABELS, MODE_LABELS, WEEKDAY_LABELS, WEEKDAYS
from service.console import sessions
from service.console.security import CrossSiteRequest, check_origin
from service.console.texts import Lang, label, text
from service.console.texts_apply import DECLARATIONS, LEGAL_FORM_WORDING
from service.console.toolkit import is_https, language, read_form, redirect_to, render
from service.db.models import ApplicationReceiptRow
from service.logic import application_window, intake, records
from service.logic.application_window import WindowState
from service.logic.applications import ELIGIBILITY
from service.logic.auth_limits import Limit
from service.logic.errors import NotFound
from service.logic.intake import ApplicationRefused
from service.logic.state import programme
from service.web.dependencies import DbDep, SettingsDep, client_address

router = APIRouter(include_in_schema=False)

APPLY_COOKIE = "haken_apply"
# The form's fields in the order the error summary lists them, each with the id of the
# control its link goes to.
FIELDS: dict[str, str] = {
    "name": "name", "legal_form": "legal_form-sme_cooperative", "prefecture": "prefecture",
    "city": "city", "address": "address", "industry": "industry",
    "member_count": "member_count", "needs": "primary_need",
    "sessions_requested": "sessions_requested", "session_minutes": "session_minutes",
    "mode": "mode-onsite", "has_manual": "has_manual-no", "weekly": "availability-any",
    "contact_name": "contact_name", "contact_email": "contact_email",
    "contact_phone": "contact_phone",
    **{f"declaration-{item}": f"declaration-{item}" for item in ELIGIBILITY},
}
INDUSTRY_OTHER = "other"
# The weekly grid's days: sessions are held on business days.
GRID_DAYS = WEEKDAYS[:5]


def field_of(path: str) -> str:
    """The form field a problem's path names: contact.email -> contact_email."""
    parts = path.split(".")
    if parts[0] == "contact" and len(parts) > 1:
        return f"contact_{parts[1]}"
    if parts[0] == "declarations":
        return f"declaration-{parts[1]}" if len(parts) > 1 else "declaration-legal_form"
    if parts[0] in ("weekly", "availability"):
        return "weekly"
    return parts[0] if parts[0] in FIELDS else "name"


def raw_application(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as the application's fields (missing ones left out, so that they are
    reported missing), and a problem the grid itself has (a forged slot)."""
    def typed(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def chosen(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str) and v]

    raw: dict[str, Any] = {}
    for name in ("name", "legal_form", "prefecture", "city", "address", "industry",
                 "member_count", "sessions_requested", "session_minutes", "mode",
                 "has_manual"):
        if typed(name):
            raw[name] = typed(name)
    primary = typed("primary_need")
    raw["needs"] = ([primary] if primary else []) + [
        need for need in dict.fromkeys(chosen("other_needs")) if need != primary]
    raw["contact"] = {key: typed(f"contact_{key}") for key in ("name", "email", "phone")}
    raw["declarations"] = chosen("declaration")
    grid_problem: dict[str, str] = {}
    if typed("availability") == "grid":
        try:
            raw["weekly"] = intake.weekly_from_slots(set(chosen("slot")))
        except ValueError as error:
            grid_problem["weekly"] = str(error)
        if not raw.get("weekly") and not grid_problem:
            grid_problem["weekly"] = "empty"
    elif typed("availability") != "any":
        grid_problem["weekly"] = "missing"
    return raw, grid_problem


def _grid_rows(prog: Programme) -> list[int]:
    """The grid's rows: the programme's business hours by the hour."""
    start = prog.business_hours.start - prog.business_hours.start % intake.SLOT_MINUTES
    return list(range(start, prog.business_hours.end - intake.SLOT_MINUTES + 1,
                      intake.SLOT_MINUTES))


def _form_page(request: Request, prog: Programme, window: WindowState,
               entered: dict[str, Any], errors: dict[str, str],
               message: str | None = None, status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    # Before a session exists, a cookie and the same value in the form guard the post.
    nonce = secrets.token_urlsafe(32)
    words = prog.words
    response = render(request, "apply.html", {
        "csrf_token": nonce, "window": window, "entered": entered, "errors": errors,
        "message": message, "fields": FIELDS, "programme_name": prog.name,
        "period": _period_text(window),
        "legal_forms": {k: label(v, lang) for k, v in LEGAL_FORM_WORDING.items()},
        "industries": {**{k: label(v, lang) for k, v in INDUSTRY_LABELS.items()},
                       INDUSTRY_OTHER: text("apply_industry_other", lang)},
        "needs": {k: (v.ja if lang == "ja" else v.en) for k, v in words.needs.items()},
        "modes": {k: label(v, lang) for k, v in MODE_LABELS.items()},
        "sessions": list(range(1, prog.max_sessions + 1)),
        "lengths": intake.session_lengths(prog),
        "declarations": {k: label(DECLARATIONS[k], lang) for k in ELIGIBILITY},
        "days": [(day, label(WEEKDAY_LABELS[day], lang)) for day in GRID_DAYS],
        "grid": _grid_rows(prog), "clock": format_clock,
        "slot_minutes": intake.SLOT_MINUTES,
    }, status_code=status_code)
    response.set_cookie(APPLY_COOKIE, nonce, httponly=True, samesite="strict",
                        secure=is_https(request), path="/apply")
    return response


def _period_text(window: WindowState) -> str | None:
    if window.opens_on is None or window.closes_on is None:
        return None
    return f"{with_weekday(window.opens_on)}〜{with_weekday(window.closes_on)}"


def _closed_page(request: Request, window: WindowState, status_code: int) -> HTMLResponse:
    lang = language(request)
    if window.closed_early:
        key = "window_closed_early"
    elif window.phase == "not_set":
        key = "window_none"
    else:
        key = "window_not_yet" if window.phase == "not_open_yet" else "apply_window_closed"
    return render(request, "apply_closed.html", {
        "window": window, "notice": text(key, lang), "period": _period_text(window),
    }, status_code=status_code)


def _entered(form: FormData) -> dict[str, Any]:
    """What was entered, to show again beside the errors."""
    single = {name: (form.get(name) or "") for name in (
        "name", "legal_form", "prefecture", "city", "address", "industry", "member_count",
        "primary_need", "sessions_requested", "session_minutes", "mode", "has_manual",
        "availability", "contact_name", "contact_email", "contact_phone")}
    return {**single, "other_needs": form.getlist("other_needs"),
            "slot": set(form.getlist("slot")), "declaration": form.getlist("declaration")}


DEFAULTS: dict[str, Any] = {"prefecture": "東京都", "availability": "any",
                            "other_needs": [], "slot": set(), "declaration": []}


@router.get("/apply")
def apply_page(request: Request, db: DbDep) -> HTMLResponse:
    window = application_window.state(db)
    if not window.is_open:
        return _closed_page(request, window, 200)
    return _form_page(request, programme(db), window, DEFAULTS, {})


def _messages(problems: list[intake.Problem], grid: dict[str, str],
              lang: Lang) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(field_of(problem.path), problem.ja if lang == "ja" else problem.en)
    if "weekly" in grid:
        errors["weekly"] = {
            "missing": "選択してください" if lang == "ja" else "Choose one",
            "empty": ("ご都合のよい時間帯を1つ以上選んでください" if lang == "ja"
                      else "Tick at least one hour"),
        }.get(grid["weekly"], grid["weekly"])
    return errors


@router.post("/apply")
async def send_application(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    check_origin(request)
    form = await read_form(request)
    offered = form.get("csrf_token")
    if not sessions.same_secret(offered if isinstance(offered, str) else None,
                                request.cookies.get(APPLY_COOKIE) or "\x00"):
        raise CrossSiteRequest("application form without its token")
    lang = language(request)
    window = application_window.state(db)
    if not window.is_open:
        return _closed_page(request, window, 409)
    prog = programme(db)
    limit = Limit(settings.apply_posts_allowed,
                  dt.timedelta(seconds=settings.apply_window_seconds))
    wait = intake.too_many_posts(db, client_address(request), limit)
    if wait is not None:
        refused = _form_page(request, prog, window, _entered(form), {},
                             text("apply_too_many", lang), 429)
        refused.headers["Retry-After"] = str(int(wait + 0.999))
        return refused
    raw, grid = raw_application(form)
    try:
        entered = intake.read_application(raw, prog)
        if grid:
            raise ApplicationRefused([])
    except ApplicationRefused as refused:
        errors = _messages(refused.problems, grid, lang)
        return _form_page(request, prog, window, _entered(form), errors, status_code=422)
    receipt = intake.submit(db, entered, client_address(request))
    db.commit()
    response = redirect_to(f"/apply/received/{receipt.number}")
    response.delete_cookie(APPLY_COOKIE, path="/apply", httponly=True, samesite="strict",
                           secure=is_https(request))
    return response


@router.get("/apply/received/{number}")
def received_page(request: Request, db: DbDep, number: str) -> HTMLResponse:
    receipt = db.get(ApplicationReceiptRow, number[:32])
    if receipt is None:
        raise NotFound(text("not_found", language(request)))
    row = records.association_row(db, receipt.association_id)
    return render(request, "apply_received.html", {
        "receipt": receipt, "name": row.data["name"],
        "received_at": intake.local_time(db, receipt.received_at),
        "call_due_on": with_weekday(row.call_due_on),
    })
