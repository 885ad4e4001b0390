"""Engines and sessions: SQLite in WAL mode with a busy timeout, or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, **pool: Any) -> Engine:
    if is_sqlite(url):
        # Several processes (server, workers) write one file: wait for the lock, not fail.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               **pool)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@lru_cache(maxsize=8)
def session_factory(url: str) -> sessionmaker[Session]:
    # One per database: each new sessionmaker sets up SQLAlchemy's event dispatch again,
    # which cost about a third of a cached feed fetch.
    return sessionmaker(engine_for(url), expire_on_commit=False)


@lru_cache(maxsize=8)
def event_loop_session_factory(url: str) -> sessionmaker[Session]:
    """Sessions for quick reads on the server's event loop, with a connection of their own:
    the loop runs one at a time, and must never wait for a connection a thread holds."""
    return sessionmaker(make_engine(url, pool_size=1, max_overflow=0), expire_on_commit=False)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """One unit of work: committed whole at the end, rolled back whole on any error."""
    with session_factory(url)() as db, db.begin():
        yield db
