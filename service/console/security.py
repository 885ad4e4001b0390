"""Headers every console response carries, and the checks every console form passes."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Everything from this server only: no inline script or style, no framing, forms post home.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# The console's own paths; the API and its interactive docs keep their own headers.
CONSOLE_PATHS = ("/signin", "/signout", "/applications", "/planning", "/static/",
                 "/experts", "/feed-links", "/reports")


def is_console_path(path: str) -> bool:
    return path == "/" or path.startswith(CONSOLE_PATHS)


class SecurityHeaders:
    """Adds the console's headers to its responses (an ASGI wrapper, so streams pass through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_console_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrossSiteRequest(Exception):
    """A form without the session's token, or sent from another origin."""


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def check_origin(request: Request) -> None:
    """The form must come from a page of this server: Origin (or, without it, Referer)."""
    origin = request.headers.get("origin")
    if origin is None and (referer := request.headers.get("referer")):
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin != own_origin(request):
        raise CrossSiteRequest(f"origin {origin!r} is not {own_origin(request)!r}")
