"""Tokens and roles: each role tries what it may not; failed authentications are limited per
client address (from a trusted proxy's X-Forwarded-For only), in the database so every
server process counts alike, and never refuse a valid token; two staff editing one record
never overwrite each other unseen."""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from service.api import examples
from service.app import create_app
from service.config import get_settings
from tests.service_support import Api, example_document, served_api, settings_for

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


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


BAD_TOKEN = {"Authorization": "Bearer wrong"}
LIMIT = {"HAKEN_AUTH_FAILURES_ALLOWED": "3"}


def attempts(api: Api, count: int, **headers: str) -> list[int]:
    """``count`` failed authentications, each on a new connection, as an attacker sends them."""
    codes = []
    for _ in range(count):
        with httpx.Client(base_url=str(api.client.base_url), timeout=60) as fresh:
            codes.append(fresh.get("/api/v1/experts", headers={**BAD_TOKEN, **headers})
                         .status_code)
    return codes


def console_sign_in(api: Api, token: str, **headers: str) -> httpx.Response:
    base = str(api.client.base_url).rstrip("/")
    with httpx.Client(base_url=base, timeout=60, headers={"Origin": base, **headers}) as browser:
        nonce = FORM_TOKEN.search(browser.get("/signin").text)
        assert nonce is not None
        return browser.post("/signin", data={"csrf_token": nonce[1], "token": token})


def audit_of_clients(api: Api) -> list[tuple[str, str, str]]:
    entries = api.get("/api/v1/audit?entity=client&limit=1000", role="admin").json()
    return [(e["action"], e["entity_id"], e["detail"]["channel"]) for e in reversed(entries)]


def test_failures_lock_an_address_but_never_a_valid_token(database_url: str,
                                                          tmp_path: Path) -> None:
    with served_api(database_url, tmp_path, **LIMIT) as api:
        locked = attempts(api, 4)
        assert locked == [401, 401, 401, 429]
        refused = api.client.get("/api/v1/experts", headers=BAD_TOKEN)
        assert int(refused.headers["Retry-After"]) >= 1
        # The address is locked for unknown tokens; a valid one still gets in, API or console.
        assert api.get("/api/v1/experts").status_code == 200
        assert console_sign_in(api, api.tokens["staff"]).status_code == 303
        refused_page = console_sign_in(api, "wrong")
        assert refused_page.status_code == 429 and int(refused_page.headers["Retry-After"]) >= 1
        # Without trusted proxies, X-Forwarded-For is the client's own word and not believed:
        # a new address per try gets no new tries.
        spoofed = [attempts(api, 1, **{"X-Forwarded-For": f"198.51.100.{n}"})[0]
                   for n in range(1, 6)]
        assert spoofed == [429] * 5
        assert audit_of_clients(api) == [
            ("auth_failure", "127.0.0.1", "api"), ("auth_failure", "127.0.0.1", "api"),
            ("auth_failure", "127.0.0.1", "api"), ("auth_lockout", "127.0.0.1", "api")]


def test_behind_a_trusted_proxy_each_client_counts_alone(database_url: str,
                                                        tmp_path: Path) -> None:
    # The proxy (here: this test, from loopback) appends the address it saw to whatever
    # X-Forwarded-For the client sent; only that last entry is believed.
    with served_api(database_url, tmp_path, HAKEN_TRUSTED_PROXIES="127.0.0.1,::1",
                    **LIMIT) as api:
        attacker = [attempts(api, 1, **{"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.5"})[0]
                    for n in range(1, 6)]
        assert attacker == [401, 401, 401, 429, 429]
        assert attempts(api, 1, **{"X-Forwarded-For": "203.0.113.6"}) == [401]
        victim = {"X-Forwarded-For": "203.0.113.5"}
        assert api.get("/api/v1/experts", headers=victim).status_code == 200
        assert console_sign_in(api, api.tokens["viewer"], **victim).status_code == 303
        assert console_sign_in(api, "wrong", **{"X-Forwarded-For": "203.0.113.7"}
                               ).status_code == 401
        assert audit_of_clients(api) == [
            *[("auth_failure", "203.0.113.5", "api")] * 3, ("auth_lockout", "203.0.113.5", "api"),
            ("auth_failure", "203.0.113.6", "api"), ("auth_failure", "203.0.113.7", "console")]


def test_every_server_process_counts_the_same_failures(database_url: str,
                                                       tmp_path: Path) -> None:
    with served_api(database_url, tmp_path, "--workers", "2", **LIMIT) as api:
        codes = attempts(api, 20)
    assert codes == [401] * 3 + [429] * 17


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
