"""Tokens and roles: each role tries what it may not; failed logins are rate-limited;
two staff editing one record never overwrite each other unseen."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from service.api import examples
from service.app import create_app
from service.config import get_settings
from tests.service_support import Api, example_document, make_tokens, settings_for


def test_each_role_is_refused_what_it_may_not_do(api: Api) -> None:
    assert api.client.get("/api/v1/experts").status_code == 401
    assert api.client.get("/api/v1/experts",
                          headers={"Authorization": "Bearer nope"}).status_code == 401
    assert api.send("PUT", "/api/v1/scenario", role="admin",
                    body=example_document()).status_code == 200
    expert = {**examples.EXPERT, "id": "E777"}
    assert api.get("/api/v1/experts/E001", role="viewer").status_code == 200
    for method, path, body in (("POST", "/api/v1/experts", expert),
                               ("POST", "/api/v1/jobs", {"time_limit": 1}),
                               ("PUT", "/api/v1/scenario", example_document())):
        refused = api.send(method, path, role="viewer", body=body)
        assert refused.status_code == 403, (method, path, refused.text)
    assert api.get("/api/v1/audit", role="viewer").status_code == 403
    assert api.get("/api/v1/tokens", role="staff").status_code == 403
    assert api.send("POST", "/api/v1/tokens", role="staff",
                    body={"name": "x", "role": "admin"}).status_code == 403
    assert api.send("POST", "/api/v1/experts", role="staff", body=expert).status_code == 201

    created = api.send("POST", "/api/v1/tokens", role="admin",
                       body={"name": "temp", "role": "viewer"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert "token" not in api.get("/api/v1/tokens", role="admin").json()[0]
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/experts", headers=headers).status_code == 200
    revoked = api.send("DELETE", f"/api/v1/tokens/{created.json()['id']}", role="admin")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api.client.get("/api/v1/experts", headers=headers).status_code == 401


def test_failed_authentication_is_rate_limited(database_url: str) -> None:
    settings = settings_for(database_url, auth_failures_allowed=3)
    good = make_tokens(database_url)["viewer"]
    with TestClient(create_app(settings)) as client:
        bad = {"Authorization": "Bearer wrong"}
        assert [client.get("/api/v1/experts", headers=bad).status_code
                for _ in range(3)] == [401, 401, 401]
        limited = client.get("/api/v1/experts", headers={"Authorization": f"Bearer {good}"})
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1


def test_token_commands(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAKEN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        created = runner.invoke(cli, ["token", "create", "--name", "ops", "--role", "admin"])
        assert created.exit_code == 0, created.output
        secret = created.output.strip()
        assert secret.startswith("hk_") and len(secret) > 40
        duplicate = runner.invoke(cli, ["token", "create", "--name", "ops", "--role", "admin"])
        assert duplicate.exit_code == 2
        wrong_role = runner.invoke(cli, ["token", "create", "--name", "x", "--role", "root"])
        assert wrong_role.exit_code == 2
        listed = runner.invoke(cli, ["token", "list"])
        assert "ops\tadmin" in listed.output and secret not in listed.output
        with TestClient(create_app(settings_for(database_url))) as client:
            headers = {"Authorization": f"Bearer {secret}"}
            assert client.get("/api/v1/tokens", headers=headers).status_code == 200
            assert runner.invoke(cli, ["token", "revoke", "--name", "ops"]).exit_code == 0
            assert client.get("/api/v1/tokens", headers=headers).status_code == 401
    finally:
        get_settings.cache_clear()


def test_two_concurrent_edits_of_one_record(server: Api) -> None:
    api = server
    assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200
    read = api.get("/api/v1/experts/E001")
    etag, record = read.headers["ETag"], read.json()
    start = threading.Barrier(6)
    results: list[tuple[int, int]] = []

    def edit(cap: int) -> None:
        start.wait()
        response = api.send("PUT", "/api/v1/experts/E001", if_match=etag,
                            body={**record, "max_associations": cap})
        results.append((response.status_code, cap))

    # Every edit changes the record (an identical PUT would write nothing).
    caps = [record["max_associations"] + step for step in range(1, 7)]
    threads = [threading.Thread(target=edit, args=(cap,)) for cap in caps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(status for status, _ in results) == {200: 1, 412: 5}
    winner = next(cap for status, cap in results if status == 200)
    assert api.get("/api/v1/experts/E001").json()["max_associations"] == winner
    updates = [e for e in api.get("/api/v1/audit?entity=expert&entity_id=E001",
                                  role="staff").json() if e["action"] == "update"]
    assert len(updates) == 1
