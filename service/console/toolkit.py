"""The console's toolkit: templates and rendering, the signed-in dependency, staff forms,
redirects. It imports none of the pages that use it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from domain.limits import NOTE_LENGTH
from domain.vocabulary import MODE_LABELS, STATUS_LABELS, UNSERVED_REASON_LABELS
from service.config import Settings
from service.console import sessions
from service.console.security import CrossSiteRequest, check_origin
from service.console.texts import LANGS, Lang, label, text
from service.console.texts_working_day import JOB_STATUS_LABELS, ROLE_LABELS
from service.logic.errors import ServiceError
from service.web.dependencies import DbDep

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# The forms' maxlength is the records' own limit, so the browser stops where the API would.
templates.env.globals["NOTE_LENGTH"] = NOTE_LENGTH

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


async def read_form(request: Request) -> FormData:
    form = await request.form()
    if any("\x00" in str(value) for _, value in form.multi_items()):
        raise ServiceError("NUL characters are not accepted in a form")
    return form


async def staff_form(request: Request, who: SignedInDep) -> FormData:
    """A form post from a staff member, from this server, carrying the session's token."""
    check_origin(request)
    form = await read_form(request)
    offered = form.get("csrf_token")
    if not sessions.same_secret(offered if isinstance(offered, str) else None, who.csrf_token):
        raise CrossSiteRequest("the form's token is missing or not this session's")
    if not who.actor.may("staff"):
        raise Forbidden
    return form


StaffForm = Annotated[FormData, Depends(staff_form)]


def is_https(request: Request) -> bool:
    """Whether users reach the console over https (the public address's scheme): then
    cookies are Secure, whatever scheme the proxy in front speaks to this server."""
    settings: Settings = request.app.state.settings
    return settings.behind_https


def render(request: Request, name: str, context: dict[str, Any],
           who: sessions.SignedIn | None = None, status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(request, name, {
        **context, "lang": lang, "who": who, "path": request.url.path,
        "t": lambda key: text(key, lang), "label": lambda value: label(value, lang),
        "status_label": lambda status: label(STATUS_LABELS[status], lang),
        "mode_label": lambda mode: label(MODE_LABELS[mode], lang),
        "job_status_label": lambda status: label(JOB_STATUS_LABELS[status], lang),
        "job_status_labels": {k: label(v, lang) for k, v in JOB_STATUS_LABELS.items()},
        "role_label": lambda role: label(ROLE_LABELS[role], lang),
        "reason_label": lambda reason: label(UNSERVED_REASON_LABELS[reason], lang),
        "may_edit": who is not None and who.actor.may("staff"),
    }, status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True,
                            samesite="strict", secure=is_https(request))
    return response


def redirect_to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def form_text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return (value.strip() or None) if isinstance(value, str) else None


def form_number(text: str | None) -> int | float | str | None:
    """A form's number as JSON would write it; other text goes on to the model as typed,
    which refuses it naming the field (the models take numbers only as numbers)."""
    if text is None or not text.strip():
        return None
    for parse in (int, float):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return text
