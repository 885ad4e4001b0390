"""Typed dependencies of the API: the caller's token and role (checked before any body is
read), If-Match, row ids, storable text, the failure limit."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from domain.limits import ID_LENGTH, STORABLE_PATTERN
from service.api.errors import responses
from service.db.engine import session_factory
from service.logic import auth_limits, tokens
from service.logic.tokens import Actor, Role
from service.web.dependencies import DbDep, client_address, failure_limit

bearer = HTTPBearer(auto_error=False, description="A token from `haken token create`.")


def authenticate(request: Request, db: Session, authorization: str | None) -> Actor:
    """The caller of an API request, from its bearer token; 401 otherwise, 429 once its
    address is past the failure limit."""
    scheme, _, secret = (authorization or "").partition(" ")
    # The token first: a valid one is never refused for failures from its address.
    actor = tokens.authenticate(db, secret) if scheme.lower() == "bearer" and secret else None
    if actor is not None:
        request.state.actor = actor
        return actor
    wait = auth_limits.failed(db, client_address(request), "api",
                              failure_limit(request.app.state.settings))
    if wait is not None:
        raise HTTPException(429, "too many failed authentications; try again later",
                            headers={"Retry-After": str(int(wait + 0.999))})
    raise HTTPException(401, "a valid bearer token is required",
                        headers={"WWW-Authenticate": "Bearer"})


def current_actor(
    request: Request,
    db: DbDep,
    # Read by authenticate(); declared so that the OpenAPI document states the scheme.
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    known: Actor | None = getattr(request.state, "actor", None)
    if known is not None:  # AuthenticatedRoute checked the token before reading the body
        return known
    return authenticate(request, db, request.headers.get("authorization"))


class AuthenticatedRoute(APIRoute):
    """An API route that checks the bearer token before it reads a request body.

    FastAPI reads and parses a body before it solves any dependency, so without this
    any client could make the server read a body (up to its limit) with no token. It
    also documents what every API operation can answer: 401, 403 and 429 for the token,
    413 where a body is read, 422 where a parameter or body can be malformed."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        parameters = self.dependant.path_params or self.dependant.query_params or (
            self.dependant.header_params)
        codes = [*([413] if self.body_field else []),
                 *([422] if self.body_field or parameters else [])]
        for code, entry in responses(*codes).items():
            self.responses.setdefault(code, entry)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        if self.body_field is None:
            return handle

        async def authenticated_first(request: Request) -> Response:
            await run_in_threadpool(_authenticate_in_own_session, request)
            return await handle(request)

        return authenticated_first


def _authenticate_in_own_session(request: Request) -> None:
    settings = request.app.state.settings
    with session_factory(settings.database_url)() as db:
        authenticate(request, db, request.headers.get("authorization"))


def require(role: Role) -> Callable[[Actor], Actor]:
    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if not actor.may(role):
            raise HTTPException(403, f"this needs the {role} role; token {actor.name!r} is "
                                     f"{actor.role}")
        return actor

    return check


async def reject_unstorable_text(request: Request,
                                 _: Annotated[Actor, Depends(current_actor)]) -> None:
    """Text that cannot be stored is refused everywhere alike, naming where it is.

    It runs once the caller is known; the body it reads is the one the route read."""
    places = [(("path",), request.url.path),
              *((("query", k), v) for k, v in request.query_params.multi_items())]
    bad: list[tuple[str | int, ...]] = [where for where, value in places
                                        if _UNSTORABLE.search(value)]
    # Uploaded files are binary (an .xlsx is a zip); the sheets' import checks its cells.
    if request.headers.get("content-type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):  # not JSON: the route has said so already
            bad += _unstorable(await request.json(), ("body",))
    if bad:
        raise RequestValidationError([{"loc": list(where), "msg": UNSTORABLE_MESSAGE,
                                       "type": "value_error"} for where in bad])


# NUL (PostgreSQL text cannot hold it) and lone surrogates (UTF-8 has no bytes for them).
_UNSTORABLE = re.compile("[\\x00\\ud800-\\udfff]")
UNSTORABLE_MESSAGE = "NUL characters and lone surrogates are not accepted"


def _unstorable(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Where a decoded JSON value holds text no database column can store."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if _UNSTORABLE.search(key):
                yield (*loc, key)
            yield from _unstorable(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable(item, (*loc, index))


# Record ids and keys in paths and queries, as the records themselves limit them.
ID_TEXT: dict[str, Any] = {"min_length": 1, "max_length": ID_LENGTH, "pattern": STORABLE_PATTERN}

# Ids of rows (jobs, plans, sessions, feeds, tokens): PostgreSQL's integer columns.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


Viewer = Annotated[Actor, Depends(require("viewer"))]
Staff = Annotated[Actor, Depends(require("staff"))]
Admin = Annotated[Actor, Depends(require("admin"))]

IfMatch = Annotated[
    str | None,
    Header(description="The ETag of the state you read; needed once there is a state to "
                       "overwrite (428 without it, 412 when stale)."),
]
# Where every call changes a record that exists: required, and a call without it is
# answered 428 Precondition Required (errors.install), not 422.
RequiredIfMatch = Annotated[
    str,
    Header(description="The ETag of the version you read (428 without it, 412 when stale).",
           max_length=200),
]
