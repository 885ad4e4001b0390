"""Typed dependencies of every request, API or console: the settings and a database session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.config import Settings
from service.db.engine import session_factory


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_db(settings: SettingsDep) -> Iterator[Session]:
    """One session per request; routes commit once at the end, anything else rolls back."""
    with session_factory(settings.database_url)() as db:
        yield db


DbDep = Annotated[Session, Depends(get_db)]
