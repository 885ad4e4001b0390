"""Typed dependencies of the API: the caller's token and role, If-Match, the failure limit."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.logic import tokens
from service.logic.tokens import Actor, Role
from service.web.dependencies import DbDep


class FailureLimiter:
    """Failed authentications per client address in a sliding window (429 past the limit)."""

    def __init__(self, allowed: int, window: float) -> None:
        self.allowed, self.window = allowed, window
        self.failures: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self.failures.setdefault(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, client: str) -> float | None:
        now = time.monotonic()
        with self.lock:
            times = self._recent(client, now)
            if len(times) >= self.allowed:
                return max(1.0, times[0] + self.window - now)
            if not times:  # forget clients with nothing recent, so the table stays small
                del self.failures[client]
            return None

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self.lock:
            self._recent(client, now).append(now)


async def reject_nul(request: Request) -> None:
    """NUL characters are refused everywhere alike (PostgreSQL text cannot hold them)."""
    places = [("path", request.url.path),
              *((f"query.{k}", v) for k, v in request.query_params.multi_items())]
    bad = [where for where, value in places if "\x00" in value]
    # Uploaded files are binary (an .xlsx is a zip), and FastAPI has read the form already;
    # the sheets' import refuses NUL in what it stores.
    uploaded = request.headers.get("content-type", "").startswith("multipart/form-data")
    body = b"" if uploaded else await request.body()  # cached: the route still reads it
    if b"\x00" in body or b"\\u0000" in body:
        bad.append("body")
    if bad:
        raise RequestValidationError([{"loc": [where], "msg": "NUL characters are not accepted",
                                       "type": "value_error"} for where in bad])


bearer = HTTPBearer(auto_error=False, description="A token from `haken token create`.")


def current_actor(
    request: Request,
    db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    limiter: FailureLimiter = request.app.state.auth_failures
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait is not None:
        raise HTTPException(429, "too many failed authentications; try again later",
                            headers={"Retry-After": str(int(wait + 0.999))})
    actor = tokens.authenticate(db, credentials.credentials) if credentials else None
    if actor is None:
        limiter.failed(client)
        raise HTTPException(401, "a valid bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    return actor


def require(role: Role) -> Callable[[Actor], Actor]:
    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if not actor.may(role):
            raise HTTPException(403, f"this needs the {role} role; token {actor.name!r} is "
                                     f"{actor.role}")
        return actor

    return check


Viewer = Annotated[Actor, Depends(require("viewer"))]
Staff = Annotated[Actor, Depends(require("staff"))]
Admin = Annotated[Actor, Depends(require("admin"))]

IfMatch = Annotated[
    str | None,
    Header(description="The ETag of the version you read; required for every change "
                       "(428 without it, 412 when stale)."),
]
