"""A body past its limit is answered like every other API error: JSON naming the limit.

Starlette's body limit answers a request that declares too long a body with a plain-text
413 before the application sees it; this puts the API's own answer in its place."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_detail(limit: object) -> str:
    return (f"the request body is larger than this request may be ({limit} bytes); "
            "nothing was read past that")


class TooLargeAsJson:
    def __init__(self, app: ASGIApp, is_console_path: Callable[[str], bool]) -> None:
        self.app, self.is_console_path = app, is_console_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.is_console_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_as_json(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413 and any(
                    name == b"content-type" and value.startswith(b"text/plain")
                    for name, value in message.get("headers", [])):
                replaced = True
                body = json.dumps({"detail": too_large_detail(
                    scope.get(MAX_BODY_SIZE_SCOPE_KEY, "its limit"))}).encode()
                await send({"type": "http.response.start", "status": 413, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            if replaced:  # the plain text's body: already answered
                return
            await send(message)

        await self.app(scope, receive, send_as_json)
