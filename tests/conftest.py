"""Fixtures of the service tests: each runs against SQLite, and against PostgreSQL too
when HAKEN_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service.server_process import start_server, stop_server
from tests.service_support import (
    DATABASES,
    FAST_WORKER,
    Api,
    fresh_database,
    make_tokens,
    settings_for,
)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request.param, tmp_path)


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    """The app in process (TestClient), with a token per role."""
    with TestClient(create_app(settings_for(database_url))) as client:
        yield Api(client, make_tokens(database_url), database_url)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """``haken serve`` as a real process on a free loopback port, with its worker."""
    running = start_server(database_url, tmp_path, **FAST_WORKER)
    try:
        with httpx.Client(base_url=running.base, timeout=60) as client:
            yield Api(client, make_tokens(database_url), database_url, running.log)
    finally:
        stop_server(running)
