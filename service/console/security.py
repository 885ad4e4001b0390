"""The console's paths, and the checks every console form passes."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from service.config import Settings

# The console's own paths (service/web/headers.py gives them their own headers).
CONSOLE_PATHS = ("/signin", "/signout", "/applications", "/planning", "/static/",
                 "/experts", "/feed-links", "/reports", "/contacts/", "/outbox", "/window",
                 "/print/", "/sessions", "/payments", "/apply", "/letters",
                 "/my/")  # the self-service pages of experts and associations


def is_console_path(path: str) -> bool:
    return path == "/" or path.startswith(CONSOLE_PATHS)


class CrossSiteRequest(Exception):
    """A form without the session's token, or sent from another origin."""


def own_origin(request: Request) -> str:
    """The public address's origin, as configured: never the request's Host, which the
    client chooses (a page of another name pointed at this server sends its own)."""
    settings: Settings = request.app.state.settings
    return settings.public_origin


def check_origin(request: Request) -> None:
    """The form must come from a page of this service: Origin (or, without it, Referer)."""
    origin = request.headers.get("origin")
    if origin is None and (referer := request.headers.get("referer")):
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin is None or origin.lower() != own_origin(request):
        raise CrossSiteRequest(f"origin {origin!r} is not {own_origin(request)!r}")
