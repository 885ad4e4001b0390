"""Every answer carries the security headers that fit it: console pages, API, feeds, docs;
HSTS when the public address is https."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service_support import Api, make_tokens, settings_for, small_document

NOTHING = "default-src 'none'"


def test_each_kind_of_answer_has_its_headers(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
    link = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": "E1"})
    feed = "/feeds/" + link.json()["https"].rsplit("/feeds/", 1)[1]
    answers = {
        "api": [api.get("/api/v1/experts"), api.client.get("/api/v1/experts"),
                api.get("/api/v1/experts/E999"), api.get("/api/v1/applications/calls-due",
                                                         params={"as_of": "x"}),
                api.client.get("/openapi.json"), api.client.get("/no/such/path")],
        "feed": [api.client.get(feed), api.client.get("/feeds/wrong.ics")],
        "console": [api.client.get("/signin"), api.client.get("/static/console.css")],
        "docs": [api.client.get("/docs")],
    }
    assert [a.status_code for a in answers["api"]] == [200, 401, 404, 422, 200, 404]
    assert [a.status_code for a in answers["feed"]] == [200, 404]
    for kind, responses in answers.items():
        for answer in responses:
            where = (kind, answer.request.url.path, answer.status_code)
            assert answer.headers["x-content-type-options"] == "nosniff", where
            assert answer.headers["x-frame-options"] == "DENY", where
            assert "strict-transport-security" not in answer.headers, where
            policy = answer.headers.get("content-security-policy", "")
            if kind in ("api", "feed"):
                assert policy.startswith(NOTHING), where
                assert answer.headers["referrer-policy"] == "no-referrer", where
            elif kind == "console":
                assert "default-src 'self'" in policy, where
            else:  # Swagger UI comes from its CDN with inline script
                assert policy == "", where


@pytest.mark.parametrize("path", ["/api/v1/experts", "/signin", "/feeds/wrong.ics", "/docs"])
def test_behind_https_every_answer_asks_for_https_only(database_url: str, path: str) -> None:
    settings = settings_for(database_url, public_base_url="https://haken.example.org")
    make_tokens(database_url)
    with TestClient(create_app(settings)) as client:
        answer = client.get(path)
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
