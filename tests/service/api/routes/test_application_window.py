"""The application window through the API on SQLite and PostgreSQL: its state is the one
the public form and the home page show; staff close or extend it from the version read
(If-Match), viewers may not, bad input changes nothing, and each change is audited."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.service.working_day_support import imported, tokyo_today
from tests.service_support import Api

PATH = "/api/v1/application-window"


def test_no_programme_is_not_set(api: Api) -> None:
    answer = api.get(PATH)
    assert answer.status_code == 200 and answer.json()["phase"] == "not_set"
    refused = api.send("PUT", PATH, body={"closes_on": "2025-08-01", "reason": "x"},
                       if_match=answer.headers["ETag"])
    assert refused.status_code == 409 and "programme" in refused.json()["detail"]


def test_staff_close_and_extend_the_window_from_the_version_read(api: Api) -> None:
    imported(api)
    today = tokyo_today()
    read = api.get(PATH)
    assert read.status_code == 200 and read.headers["ETag"] == '"0"'
    state = read.json()
    assert state["phase"] == "open" and state["override"] is None
    assert state["closes_on"] == state["period_closes_on"] == (
        today + dt.timedelta(days=20)).isoformat()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    body = {"closes_on": yesterday, "reason": "予算の上限に到達"}
    assert api.send("PUT", PATH, "viewer", body, if_match='"0"').status_code == 403
    assert api.send("PUT", PATH, body=body).status_code == 428
    for bad, field in (({**body, "reason": "  "}, "reason"),
                       ({**body, "closes_on": "2000-01-01"}, "closes_on"),
                       ({"closes_on": yesterday}, "reason")):
        refused = api.send("PUT", PATH, body=bad, if_match='"0"')
        assert refused.status_code == 422, refused.text
        assert field in refused.text
    assert api.get(PATH).headers["ETag"] == '"0"'  # nothing changed

    closed = api.send("PUT", PATH, body=body, if_match='"0"')
    assert closed.status_code == 200, closed.text
    assert closed.headers["ETag"] == '"1"'
    assert closed.json()["phase"] == "closed" and closed.json()["closed_early"] is True
    assert closed.json()["override"]["reason"] == "予算の上限に到達"
    assert api.send("PUT", PATH, body=body, if_match='"0"').status_code == 412  # stale
    # The public form says the same.
    assert isinstance(api.client, TestClient)
    form = TestClient(api.client.app).get("/apply")
    assert 'data-state="closed"' in form.text and 'id="apply-form"' not in form.text

    later = (today + dt.timedelta(days=40)).isoformat()
    extended = api.send("PUT", PATH, body={"closes_on": later, "reason": "延長"},
                        if_match='"1"')
    assert extended.status_code == 200 and extended.json()["phase"] == "open"
    assert extended.json()["closes_on"] == later and extended.json()["closed_early"] is False
    audit = api.get("/api/v1/audit", "staff", params={"entity": "application_window"}).json()
    assert [(entry["action"], entry["actor"], entry["detail"]["closes_on"])
            for entry in audit] == [("extend", "test-staff", later),
                                    ("close", "test-staff", yesterday)]
