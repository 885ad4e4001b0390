"""What the service tests share: databases, tokens per role, clients, a real server."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from service.config import Settings
from service.db import migrate
from service.db.engine import engine_for, transaction
from service.logic import tokens
from service.server_process import start_server, stop_server
from tests.paths import ROOT
from tests.scenarios import PROGRAMME, association, expert

EXAMPLE = ROOT / "examples" / "tokyo-2025.json"
POSTGRES_URL = os.environ.get("HAKEN_TEST_POSTGRES_URL")
ROLES = ("viewer", "staff", "admin")


@cache
def postgres_url_of_this_worker() -> str:
    """HAKEN_TEST_POSTGRES_URL, or under pytest-xdist a database of this worker's own next
    to it (``haken_test_gw0``, made on first use: the role needs CREATEDB), since every
    test starts by dropping the schema of the database it uses."""
    assert POSTGRES_URL is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return POSTGRES_URL
    base = make_url(POSTGRES_URL)
    own = base.set(database=f"{base.database}_{worker}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": own.database}).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        admin.dispose()
    return own.render_as_string(hide_password=False)

DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def example_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return document


def make_tokens(url: str) -> dict[str, str]:
    with transaction(url) as db:
        return {role: tokens.create(db, f"test-{role}", role, "test")[1] for role in ROLES}


@dataclass
class Api:
    """A client with one bearer token per role."""

    client: TestClient | httpx.Client
    tokens: dict[str, str]
    url: str
    server_log: Path | None = None

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    def get(self, path: str, role: str = "viewer", **kw: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers(role, **kw.pop("headers", {})), **kw)

    def send(self, method: str, path: str, role: str = "staff", body: Any = None,
             if_match: str | None = None) -> httpx.Response:
        headers = self.headers(role)
        if if_match is not None:
            headers["If-Match"] = if_match
        return self.client.request(method, path, headers=headers,
                                   json=body if body is not None else None)


def settings_for(url: str, **overrides: Any) -> Settings:
    """Settings of an app in process: reached at TestClient's address unless told otherwise."""
    return Settings(database_url=url, **{"public_base_url": "http://testserver", **overrides})


FAST_WORKER = {"HAKEN_WORKER_HEARTBEAT_SECONDS": "0.3", "HAKEN_WORKER_POLL_SECONDS": "0.2",
               "HAKEN_WORKER_STALE_SECONDS": "3"}


def fresh_database(kind: str, tmp_path: Path, revision: str = "head") -> str:
    """An empty database of each kind under test, migrated to ``revision``."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'haken.db'}"
    else:
        url = postgres_url_of_this_worker()
        with engine_for(url).begin() as connection:  # start from nothing
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(url, revision)
    return url


@contextmanager
def served_api(url: str, folder: Path, *options: str, tokens: dict[str, str] | None = None,
               **env: str) -> Iterator[Api]:
    """``haken serve [options]`` with its worker as a real process on a free loopback port,
    over the database at ``url``, with ``HAKEN_*`` settings in ``env``, stopped on leaving;
    with ``tokens`` the database has (made anew otherwise)."""
    running = start_server(url, folder, *options, **{**FAST_WORKER, **env})
    try:
        with httpx.Client(base_url=running.base, timeout=60) as client:
            yield Api(client, tokens or make_tokens(url), url, running.log)
    finally:
        stop_server(running)


def wait_for_job(api: Api, job_id: int, rounds: int = 1200) -> dict[str, Any]:
    """Poll a job until it is over (a generous bound, not a timing assertion)."""
    for _ in range(rounds):
        job: dict[str, Any] = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def checked_plan(api: Api, plan_id: int) -> dict[str, Any]:
    """The plan's document, checked against the scenario it was solved from."""
    from domain.checker import check_plan
    from domain.loading import parse_plan, parse_scenario

    document: dict[str, Any] = api.get(f"/api/v1/plans/{plan_id}/document").json()
    scenario = parse_scenario(api.get(f"/api/v1/plans/{plan_id}/scenario").json())
    assert check_plan(scenario, parse_plan(document)) == []
    return document


def pinned_session(number: int, day: str, experts: list[str]) -> dict[str, Any]:
    return {"association_id": "A1", "number": number,
            "phase": "action_plan" if number == 1 else "finalisation", "expert_ids": experts,
            "date": day, "start": "10:00", "end": "11:00", "mode": "online"}


def small_document() -> dict[str, Any]:
    """Seven experts and one association whose two sessions E1 leads (pinned)."""
    september = {"start": "2025-09-01", "end": "2025-09-30"}
    return {
        "programme": PROGRAMME,
        "experts": [
            expert("E1"),
            expert("E2", qualifications=["sharoushi", "industrial_counselor"],
                   base_area="千代田区"),
            expert("E3", industries=["food_service"]),
            expert("E4", qualifications=["industrial_counselor"]),  # cannot lead labour_law
            expert("E5", conflicts=["A1"]),
            expert("E6", availability={"blocked": [september]}),  # not free then
            expert("E7", modes=["onsite"]),  # A1 meets online
        ],
        "associations": [association("A1", needs=["labour_law", "mental_health"])],
        "pinned": [pinned_session(1, "2025-09-02", ["E1"]),
                   pinned_session(2, "2025-09-16", ["E1"])],
    }
