"""The working day's logic through the API and the app: the call's time as entered, the
window override beside the programme's period, the reports line left out until the
session flow provides it."""

from __future__ import annotations

import datetime as dt

from service.db.engine import transaction
from service.logic import application_window, working_day
from tests.service.working_day_support import console, imported, tokyo_today
from tests.service_support import Api


def test_the_call_takes_the_time_entered_and_refuses_a_future_one(api: Api) -> None:
    imported(api)
    etag = api.get("/api/v1/associations/A3").headers["ETag"]
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    refused = api.send("POST", "/api/v1/associations/A3/transitions", if_match=etag,
                       body={"to": "interviewed", "called_at": future})
    assert refused.status_code == 422 and "called_at" in refused.text
    assert api.get("/api/v1/associations/A3").headers["ETag"] == etag  # nothing changed
    wrong_step = api.send("POST", "/api/v1/associations/A4/transitions",
                          if_match=api.get("/api/v1/associations/A4").headers["ETag"],
                          body={"to": "accepted", "reason": "ok", "called_by": "佐藤"})
    assert wrong_step.status_code == 422
    applied = dt.datetime.fromisoformat(api.get("/api/v1/associations/A3").json()["applied_at"])
    when = (applied + dt.timedelta(days=1, hours=4, minutes=15)).isoformat()  # days later
    done = api.send("POST", "/api/v1/associations/A3/transitions", if_match=etag,
                    body={"to": "interviewed", "called_at": when, "called_by": "佐藤",
                          "note": "会員80社"})
    assert done.status_code == 200, done.text
    application = api.get("/api/v1/associations/A3/application").json()
    assert dt.datetime.fromisoformat(application["called_at"]) == dt.datetime.fromisoformat(
        when)
    assert application["called_by"] == "佐藤"
    audit = api.get("/api/v1/audit?entity=association&entity_id=A3", role="admin").json()
    assert audit[0]["detail"]["called_by"] == "佐藤"


def test_the_window_override_stands_beside_the_programmes_period(api: Api) -> None:
    imported(api)
    today = tokyo_today()
    with transaction(api.url) as db:
        assert application_window.current_override(db) is None
        state = application_window.state(db, today)
        assert state.phase == "open" and state.closes_on == state.period_closes_on
        application_window.change(db, today - dt.timedelta(days=1), "予算到達", "test")
    with transaction(api.url) as db:
        override = application_window.current_override(db)
        assert override is not None and override.reason == "予算到達"
        state = application_window.state(db, today)
        assert state.phase == "closed" and state.closes_on == today - dt.timedelta(days=1)
        assert state.period_closes_on == today + dt.timedelta(days=20)  # the period stays
        assert application_window.state(db, state.opens_on - dt.timedelta(days=1)).phase \
            == "not_open_yet"
    # The programme document itself is untouched by the override.
    period = api.get("/api/v1/programme").json()["application_period"]
    assert period["end"] == (today + dt.timedelta(days=20)).isoformat()


def test_the_reports_line_lists_reports_and_confirmations_due(api: Api) -> None:
    imported(api)
    with transaction(api.url) as db:
        day = working_day.working_day(db)
    assert day.reports_due == []  # nothing held yet: nothing to report


def test_a_viewer_sees_the_home_page_without_its_forms(api: Api) -> None:
    imported(api)
    viewer, _ = console(api, "viewer")
    page = viewer.get("/").text
    assert 'id="window-state"' in page and 'action="/window"' not in page
    assert "(閲覧)" in page
