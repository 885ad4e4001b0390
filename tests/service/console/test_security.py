"""The console's guards against a real server: a form without the session's token, or
sent from another origin than the public address, changes nothing; cookies and headers are
as strict as intended."""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

import httpx

from service.db.engine import is_sqlite
from tests.service_support import Api, example_document, fresh_database, served_api

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(api: Api, role: str = "staff",
            next_path: str = "/applications") -> tuple[httpx.Client, str]:
    """A browser-like client signed in to the console, and its session's form token."""
    base = str(api.client.base_url).rstrip("/")
    client = httpx.Client(base_url=base, timeout=60, headers={"Origin": base})
    page = client.get("/signin")
    nonce = FORM_TOKEN.search(page.text)
    assert nonce is not None
    answer = client.post("/signin", data={"csrf_token": nonce[1], "token": api.tokens[role],
                                          "next": next_path})
    assert answer.status_code == 303, answer.text
    # Only a path of this server is followed after signing in (no open redirect).
    # Anything else: the home page.
    assert answer.headers["location"] == (
        next_path if next_path.startswith(("/planning", "/applications")) else "/")
    page = client.get("/applications/A056")
    token = FORM_TOKEN.search(page.text)
    assert token is not None
    return client, token[1]


def status(api: Api) -> str:
    value: str = api.get("/api/v1/associations/A056").json()["status"]
    return value


def test_forged_forms_change_nothing(server: Api) -> None:
    assert server.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200
    client, token = sign_in(server)
    version = server.get("/api/v1/associations/A056").headers["ETag"].strip('"')
    form = {"to": "interviewed", "note": "偽の記録", "version": version}
    own = str(client.base_url).rstrip("/")
    path = "/applications/A056/transition"
    with closing(client), closing(sign_in(server, "viewer")[0]) as viewer:
        forged = [
            client.post(path, data=form),  # no token
            client.post(path, data={**form, "csrf_token": "x" + token}),  # a wrong token
            client.post(path, data={**form, "csrf_token": token},
                        headers={"Origin": "https://attacker.example"}),
            client.post(path, data={**form, "csrf_token": token},
                        headers={"Origin": "null"}),
        ]
        for answer in forged:
            assert answer.status_code == 403, answer.text
            assert "別のサイトから送信されました" in answer.text
        no_origin = httpx.post(own + path, data={**form, "csrf_token": token},
                               cookies=client.cookies)
        assert no_origin.status_code == 403
        assert status(server) == "received"
        assert not any(e["action"] == "transition"
                       for e in server.get("/api/v1/audit", role="admin").json())

        # A missing record is a page in the console (and stays JSON in the API).
        missing = client.get("/applications/A999")
        assert missing.status_code == 404 and "<h1>" in missing.text and "A999" in missing.text
        assert "A999" in server.get("/api/v1/associations/A999").json()["detail"]

        # A viewer sees no forms, and a viewer's post with its own token changes nothing.
        page = viewer.get("/applications/A056")
        assert "/transition" not in page.text and "/eligibility/" not in page.text
        viewer_token = FORM_TOKEN.search(page.text)
        assert viewer_token is not None
        refused = viewer.post(path, data={**form, "csrf_token": viewer_token[1]})
        assert refused.status_code == 403 and "権限がありません" in refused.text
        assert status(server) == "received"

        # The same form, from this origin and with the staff session's token, changes it.
        done = client.post(path, data={**form, "csrf_token": token})
        assert done.status_code == 303, done.text
        assert status(server) == "interviewed"


def test_sign_in_cookie_headers_and_sign_out(server: Api) -> None:
    base = str(server.client.base_url).rstrip("/")
    page = httpx.get(base + "/signin")
    for header, value in (("content-security-policy", "default-src 'self'"),
                          ("x-frame-options", "DENY"), ("x-content-type-options", "nosniff")):
        assert value in page.headers[header]
    nonce = FORM_TOKEN.search(page.text)
    assert nonce is not None
    # A sign-in posted from another site opens no session.
    foreign = httpx.post(base + "/signin", cookies=page.cookies,
                         headers={"Origin": "https://attacker.example"},
                         data={"csrf_token": nonce[1], "token": server.tokens["staff"]})
    assert foreign.status_code == 403 and "haken_session" not in foreign.cookies

    assert server.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200
    client, token = sign_in(server, next_path="//attacker.example/x")
    client.close()
    client, token = sign_in(server, next_path="/planning")
    with closing(client):
        cookie = next(c for c in client.cookies.jar if c.name == "haken_session")
        assert cookie.has_nonstandard_attr("HttpOnly")
        assert (cookie.get_nonstandard_attr("SameSite") or "").lower() == "strict"
        assert client.get("/planning").status_code == 200
        assert "Content-Security-Policy" in client.get("/planning").headers
        # A plan started from the console can be cancelled from it; no plan is written.
        bad = client.post("/planning/jobs", data={"csrf_token": token, "time_limit": "0"})
        assert bad.status_code == 422 and 'id="time_limit-error"' in bad.text
        assert server.get("/api/v1/jobs").json() == []
        started = client.post("/planning/jobs", data={"csrf_token": token, "time_limit": "60"})
        assert started.status_code == 303, started.text
        job_id = int(started.headers["location"].split("job=")[1].split("#")[0])
        assert client.post(f"/planning/jobs/{job_id}/cancel",
                           data={"csrf_token": token}).status_code == 303
        job = server.get(f"/api/v1/jobs/{job_id}").json()
        assert job["status"] == "cancelled" and job["plan_id"] is None
        assert client.post("/signout", data={"csrf_token": token}).status_code == 303
        after = client.get("/planning")
        assert after.status_code == 303 and after.headers["location"].startswith("/signin")



def signin_post(base: str, host: str | None, origin: str, token: str) -> httpx.Response:
    """A sign-in as a browser sends it, with the Host and Origin it would send."""
    headers = {"Host": host} if host else {}
    page = httpx.get(base + "/signin", headers=headers)
    nonce = FORM_TOKEN.search(page.text)
    assert nonce is not None
    # Sent by hand: over plain http, a client keeps a Secure cookie to itself.
    cookie = f"haken_signin={page.cookies['haken_signin']}"
    return httpx.post(base + "/signin", headers={**headers, "Origin": origin, "Cookie": cookie},
                      data={"csrf_token": nonce[1], "token": token})


def test_forms_must_come_from_the_public_address(database_url: str, tmp_path: Path) -> None:
    # Unset, the public address is where the server listens; a page of another name that
    # points at it (DNS rebinding) names itself in both Host and Origin, and is refused.
    with served_api(database_url, tmp_path) as api:
        base = str(api.client.base_url).rstrip("/")
        port = base.rsplit(":", 1)[1]
        rebound = signin_post(base, f"attacker.example:{port}",
                              f"http://attacker.example:{port}", api.tokens["staff"])
        assert rebound.status_code == 403 and "haken_session" not in rebound.cookies
        assert signin_post(base, None, base, api.tokens["staff"]).status_code == 303
    # Behind a TLS proxy, the browser's Origin is the public address, not the server's own.
    public = "https://haken.example.org"
    behind = tmp_path / "behind-a-proxy"
    behind.mkdir()
    database_url = fresh_database("sqlite" if is_sqlite(database_url) else "postgresql", behind)
    with served_api(database_url, behind, HAKEN_PUBLIC_BASE_URL=public) as api:
        base = str(api.client.base_url).rstrip("/")
        assert signin_post(base, None, base, api.tokens["staff"]).status_code == 403
        signed_in = signin_post(base, None, public, api.tokens["staff"])
        assert signed_in.status_code == 303
        assert "secure" in signed_in.headers["set-cookie"].lower()
        assert signed_in.headers["strict-transport-security"].startswith("max-age=")
