"""The console mounted at ``/``: its pages in order, static files and error pages."""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from service.console import (
    pages_applications,
    pages_apply,
    pages_experts,
    pages_feeds,
    pages_home,
    pages_letters,
    pages_mail,
    pages_payments,
    pages_planning,
    pages_plans,
    pages_print,
    pages_recommendations,
    pages_replacements,
    pages_reports,
    pages_self_service,
    pages_sessions,
    pages_signin,
)
from service.console.security import CrossSiteRequest, is_console_path
from service.console.texts import text
from service.console.toolkit import (
    HERE,
    Forbidden,
    SignInRequired,
    language,
    redirect_to,
    render,
)
from service.logic.errors import ServiceError


def install(app: FastAPI) -> None:
    """Mount the console at ``/``: pages, static files, error pages."""

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

    # In this order: a path is matched against the pages of the first router that has it.
    for pages in (pages_signin, pages_apply, pages_letters, pages_home, pages_applications,
                  pages_planning, pages_experts, pages_feeds, pages_reports, pages_plans,
                  pages_replacements, pages_mail, pages_recommendations, pages_print,
                  pages_sessions, pages_self_service, pages_payments):
        app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="console-static")


def _message_page(request: Request, key: str, status_code: int) -> HTMLResponse:
    return render(request, "message.html", {"message": text(key, language(request))},
                  status_code=status_code)
