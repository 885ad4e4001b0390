"""Security headers on every answer: the console's pages, the API, feeds, the docs.

Each kind gets what fits it. Pages: a Content-Security-Policy allowing only this
server's stylesheet and script. The API and feeds: a policy allowing nothing (JSON and
iCalendar are never rendered as documents) and no Referer, so a feed's secret link never
leaks through one. The interactive docs load Swagger UI from its CDN with inline script,
so they get no policy, only the rest. Behind https, all of them carry HSTS.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Everything from this server only: no inline script or style, no framing, forms post home.
CONSOLE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                  "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                  "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
NOTHING_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
EVERY_ANSWER = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
CONSOLE = {**EVERY_ANSWER, "Content-Security-Policy": CONSOLE_POLICY,
           "Referrer-Policy": "same-origin"}
API = {**EVERY_ANSWER, "Content-Security-Policy": NOTHING_POLICY,
       "Referrer-Policy": "no-referrer"}
DOCS = {**EVERY_ANSWER, "Referrer-Policy": "same-origin"}
DOCS_PATHS = ("/docs", "/redoc")
# A year; browsers then go to the public address over https only.
HSTS = {"Strict-Transport-Security": "max-age=31536000"}


class SecurityHeaders:
    """Adds the headers of each kind of answer (an ASGI wrapper, so streams pass through)."""

    def __init__(self, app: ASGIApp, is_console_path: Callable[[str], bool],
                 behind_https: bool) -> None:
        self.app, self.is_console_path = app, is_console_path
        extra = HSTS if behind_https else {}
        self.console, self.api, self.docs = ({**kind, **extra} for kind in (CONSOLE, API, DOCS))

    def headers_for(self, path: str) -> dict[str, str]:
        if self.is_console_path(path):
            return self.console
        if path.startswith(DOCS_PATHS):
            return self.docs
        return self.api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
