"""A programme running today, for the working-day tests: applications in every state the
home page and the list show, a session pinned this week, and (on request) a published
plan solved by a real worker in this process."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from fastapi.testclient import TestClient

from domain.calendar import BusinessCalendar
from domain.scenario import Programme
from service.logic.applications import ELIGIBILITY
from service.logic.worker import Worker
from tests.scenarios import PROGRAMME, association, expert
from tests.service_support import Api, checked_plan, settings_for

ORIGIN = "http://testserver"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def tokyo_today() -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date()


def _programme(today: dt.date) -> dict[str, Any]:
    return {**PROGRAMME,
            "application_period": {"start": (today - dt.timedelta(days=60)).isoformat(),
                                   "end": (today + dt.timedelta(days=20)).isoformat()},
            "implementation_period": {"start": (today - dt.timedelta(days=40)).isoformat(),
                                      "end": (today + dt.timedelta(days=90)).isoformat()}}


def _at(day: dt.date) -> str:
    return f"{day.isoformat()}T10:00:00+09:00"


def business_day_this_week(today: dt.date) -> dt.date:
    """A business day of today's week (Monday to Sunday) for the session pinned in it."""
    calendar = BusinessCalendar(Programme.model_validate(_programme(today)))
    monday = today - dt.timedelta(days=today.weekday())
    return next(day for day in (monday + dt.timedelta(days=i) for i in range(7))
                if calendar.is_business_day(day))


def working_day_document() -> dict[str, Any]:
    """A1, A2 accepted (A1 with a session this week); A3 received, its call late; A4
    interviewed and screened; A5 interviewed, not screened; A6 withdrawn; A7 received
    today; A8 accepted but needing an expert nobody is (left out of any plan)."""
    today = tokyo_today()
    decided = (today - dt.timedelta(days=30)).isoformat()
    session_day = business_day_this_week(today)
    old = today - dt.timedelta(days=45)
    return {
        "programme": _programme(today),
        "experts": [expert("E1"), expert("E2"), expert("E3", qualifications=["sme_consultant"])],
        "associations": [
            association("A1", applied_at=_at(old), decided_on=decided),
            association("A2", applied_at=_at(old + dt.timedelta(days=1)), decided_on=decided),
            association("A3", applied_at=_at(today - dt.timedelta(days=20)), status="received",
                        decided_on=None),
            association("A4", applied_at=_at(today - dt.timedelta(days=15)),
                        status="interviewed", decided_on=None),
            association("A5", applied_at=_at(today - dt.timedelta(days=14)),
                        status="interviewed", decided_on=None),
            association("A6", applied_at=_at(today - dt.timedelta(days=13)),
                        status="withdrawn", decided_on=None),
            association("A7", applied_at=_at(today), status="received", decided_on=None),
            association("A8", applied_at=_at(old + dt.timedelta(days=2)), decided_on=decided,
                        needs=["mental_health"]),
        ],
        "pinned": [{"association_id": "A1", "number": 1, "phase": "action_plan",
                    "expert_ids": ["E1"], "date": session_day.isoformat(),
                    "start": "10:00", "end": "11:00", "mode": "online"}],
    }


def imported(api: Api) -> None:
    answer = api.send("PUT", "/api/v1/scenario", body=working_day_document())
    assert answer.status_code == 200, answer.text
    for item in ELIGIBILITY:  # A4 screened in full
        answer = api.send("PUT", f"/api/v1/associations/A4/eligibility/{item}",
                          body={"passed": True})
        assert answer.status_code == 200, answer.text


def published_plan(api: Api) -> int:
    """A plan of the current state, solved by a worker in this process, and published."""
    job = api.send("POST", "/api/v1/jobs", body={"time_limit": 2, "seed": 0, "workers": 1})
    assert job.status_code == 202, job.text
    Worker(settings_for(api.url)).run(once=True)
    finished = api.get(f"/api/v1/jobs/{job.json()['id']}").json()
    assert finished["status"] == "succeeded", finished
    plan_id: int = finished["plan_id"]
    checked_plan(api, plan_id)
    assert api.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200
    return plan_id


def console(api: Api, role: str = "staff") -> tuple[TestClient, str]:
    """An in-process browser-like client signed in to the console, and its form token."""
    assert isinstance(api.client, TestClient)
    client = TestClient(api.client.app, headers={"Origin": ORIGIN}, follow_redirects=False)
    nonce = FORM_TOKEN.search(client.get("/signin").text)
    assert nonce is not None
    answer = client.post("/signin", data={"csrf_token": nonce[1], "token": api.tokens[role]})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    token = FORM_TOKEN.search(client.get("/").text)
    assert token is not None
    return client, token[1]
