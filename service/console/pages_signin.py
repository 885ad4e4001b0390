"""Signing in and out."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.console import sessions
from service.console.security import CrossSiteRequest, check_origin
from service.console.texts import text
from service.console.toolkit import (
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    SignedInDep,
    form_text,
    is_https,
    language,
    read_form,
    redirect_to,
    render,
)
from service.logic import auth_limits
from service.web.dependencies import DbDep, SettingsDep, client_address, failure_limit

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    """Only a path of this server (no open redirect to another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"  # the home page: what needs doing today


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
                        secure=is_https(request), path="/signin")
    return response


@router.post("/signin")
async def signin(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    check_origin(request)
    form = await read_form(request)
    offered = form.get("csrf_token")
    if not sessions.same_secret(offered if isinstance(offered, str) else None,
                                request.cookies.get(SIGNIN_COOKIE) or "\x00"):
        raise CrossSiteRequest("sign-in form without its token")
    next_path = _safe_next(form_text(form, "next"))
    token = form_text(form, "token")
    # The token first: a valid one is never refused for failures from its address.
    opened = sessions.open_session(db, token) if token else None
    if opened is None:
        wait = auth_limits.failed(db, client_address(request), "console",
                                  failure_limit(settings))
        if wait is not None:
            refused = _signin_form(request, next_path, text("too_many", language(request)), 429)
            refused.headers["Retry-After"] = str(int(wait + 0.999))
            return refused
        return _signin_form(request, next_path, text("bad_token", language(request)), 401)
    db.commit()
    response = redirect_to(next_path)
    response.set_cookie(SESSION_COOKIE, opened[0], max_age=int(sessions.LIFETIME.total_seconds()),
                        httponly=True, samesite="strict", secure=is_https(request))
    response.delete_cookie(SIGNIN_COOKIE, path="/signin", httponly=True, samesite="strict",
                           secure=is_https(request))
    return response


@router.post("/signout")
async def signout(request: Request, db: DbDep, who: SignedInDep) -> Response:
    check_origin(request)
    form = await read_form(request)
    offered = form.get("csrf_token")
    if not sessions.same_secret(offered if isinstance(offered, str) else None, who.csrf_token):
        raise CrossSiteRequest("sign-out form without its token")
    sessions.close_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response = redirect_to("/signin")
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict",
                           secure=is_https(request))
    return response

