"""Typed dependencies of the API: the caller's token and role, If-Match, the failure limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.logic import auth_limits, tokens
from service.logic.tokens import Actor, Role
from service.web.dependencies import DbDep, SettingsDep, client_address, failure_limit


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
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    # The token first: a valid one is never refused for failures from its address.
    actor = tokens.authenticate(db, credentials.credentials) if credentials else None
    if actor is not None:
        return actor
    wait = auth_limits.failed(db, client_address(request), "api", failure_limit(settings))
    if wait is not None:
        raise HTTPException(429, "too many failed authentications; try again later",
                            headers={"Retry-After": str(int(wait + 0.999))})
    raise HTTPException(401, "a valid bearer token is required",
                        headers={"WWW-Authenticate": "Bearer"})


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
