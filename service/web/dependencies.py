"""Typed dependencies of every request, API or console: the settings and a database session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.config import Settings
from service.db.engine import session_factory
from service.logic.auth_limits import Limit


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_db(settings: SettingsDep) -> Iterator[Session]:
    """One session per request; routes commit once at the end, anything else rolls back."""
    with session_factory(settings.database_url)() as db:
        yield db


DbDep = Annotated[Session, Depends(get_db)]


def client_address(request: Request) -> str:
    """The client as uvicorn reports it: the peer, or what a trusted proxy forwarded for."""
    return request.client.host if request.client else "unknown"


def failure_limit(settings: Settings) -> Limit:
    return Limit(settings.auth_failures_allowed,
                 dt.timedelta(seconds=settings.auth_failure_window_seconds))
