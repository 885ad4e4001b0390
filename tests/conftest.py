"""Fixtures of the service tests: each runs against SQLite, and against PostgreSQL too
when HAKEN_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service_support import (
    DATABASES,
    Api,
    fresh_database,
    make_tokens,
    served_api,
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
    with served_api(database_url, tmp_path) as api:
        yield api
