"""The plan's calendars; and against a real server, the plan pages and the replacement form:
the re-plan form posted without the session's token, from another origin or by a viewer
queues nothing; with both it queues one job with the replacement pinned; every page sends
the console's headers."""

from __future__ import annotations

import datetime as dt
from contextlib import closing

import httpx
from hypothesis import given
from hypothesis import strategies as st

from service.console.pages_plans import _days
from tests.scenarios import PROGRAMME, association, expert
from tests.service.console.test_security import FORM_TOKEN
from tests.service_support import Api, checked_plan, wait_for_job


def _signed_in(api: Api, role: str) -> tuple[httpx.Client, str]:
    base = str(api.client.base_url).rstrip("/")
    client = httpx.Client(base_url=base, timeout=60, headers={"Origin": base})
    nonce = FORM_TOKEN.search(client.get("/signin").text)
    assert nonce is not None
    answer = client.post("/signin", data={"csrf_token": nonce[1], "token": api.tokens[role],
                                          "next": "/planning"})
    assert answer.status_code == 303, answer.text
    token = FORM_TOKEN.search(client.get("/planning").text)  # the sign-out form has it
    assert token is not None
    return client, token[1]


def _published(api: Api) -> int:
    document = {"programme": PROGRAMME,
                "experts": [expert("E1"), expert("E2"), expert("E3")],
                "associations": [association("A1"), association("A2", applied_day=2)],
                "pinned": []}
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    job = api.send("POST", "/api/v1/jobs", body={"time_limit": 2, "seed": 0, "workers": 1})
    plan_id: int = wait_for_job(api, job.json()["id"])["plan_id"]
    checked_plan(api, plan_id)
    assert api.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200
    return plan_id


def test_forged_replan_forms_queue_nothing(server: Api) -> None:
    plan_id = _published(server)
    session = server.get("/api/v1/sessions?association_id=A1").json()[0]
    leaving = session["expert_ids"][0]
    found = server.get(f"/api/v1/sessions/{session['id']}/replacements?expert_id={leaving}")
    joining = found.json()["candidates"][0]["expert_id"]
    path = f"/planning/replacements/{session['id']}/replan"
    form = {"expert_id": leaving, "by": joining, "time_limit": "2"}
    client, token = _signed_in(server, "staff")
    viewer, viewer_token = _signed_in(server, "viewer")
    with closing(client), closing(viewer):
        for page in (f"/planning/calendar?plan={plan_id}&subject=association:A1&view=month",
                     f"/planning/calendar?plan={plan_id}&subject=expert:{leaving}&view=week",
                     f"/planning/timeline?plan={plan_id}", f"/planning/changes?plan={plan_id}",
                     "/planning/replacements", f"/planning/replacements/{session['id']}"):
            shown = client.get(page)
            assert shown.status_code == 200, page
            assert "default-src 'self'" in shown.headers["content-security-policy"]
        assert client.get("/planning/calendar?date=not-a-date").status_code == 422
        assert client.get("/planning/calendar?subject=expert:E999").status_code == 404

        jobs_before = server.get("/api/v1/jobs").json()
        forged = [
            client.post(path, data=form),  # no token
            client.post(path, data={**form, "csrf_token": "x" + token}),
            client.post(path, data={**form, "csrf_token": token},
                        headers={"Origin": "https://attacker.example"}),
            httpx.post(str(client.base_url).rstrip("/") + path,
                       data={**form, "csrf_token": token}, cookies=client.cookies),
            viewer.post(path, data={**form, "csrf_token": viewer_token}),
        ]
        assert [answer.status_code for answer in forged] == [403] * 5
        # A viewer sees who could take over, without the form.
        seen = viewer.get(f"/planning/replacements/{session['id']}?expert_id={leaving}")
        assert joining in seen.text and 'id="replan"' not in seen.text
        # Nothing chosen: the error is beside the choice and nothing is queued.
        unchosen = client.post(path, data={**form, "by": "", "csrf_token": token})
        assert unchosen.status_code == 422 and 'id="by-error"' in unchosen.text
        assert server.get("/api/v1/jobs").json() == jobs_before
        assert not any(e["action"] == "replan_with_replacement"
                       for e in server.get("/api/v1/audit", role="admin").json())

        done = client.post(path, data={**form, "csrf_token": token})
        assert done.status_code == 303, done.text
        job_id = int(done.headers["location"].split("job=")[1].split("#")[0])
        job = wait_for_job(server, job_id)
        assert job["options"]["replacement"]["joining"] == joining
        draft = checked_plan(server, job["plan_id"])
        assert all(s["expert_ids"][0] == joining for s in draft["sessions"]
                   if s["association_id"] == "A1")
        # Still the published schedule until the draft is published.
        assert server.get(f"/api/v1/sessions/{session['id']}").json()["expert_ids"][0] \
            == leaving


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_month_view_shows_whole_weeks_around_the_whole_month(day: dt.date) -> None:
    days, previous, following = _days("month", day)
    assert days[0].weekday() == 0 and days[-1].weekday() == 6 and len(days) % 7 == 0
    assert days == [days[0] + dt.timedelta(days=i) for i in range(len(days))]
    in_month = [d for d in days if (d.year, d.month) == (day.year, day.month)]
    assert in_month[0].day == 1 and (in_month[-1] + dt.timedelta(days=1)).day == 1
    assert len(days) - len(in_month) < 14
    assert previous.day == following.day == 1 and previous < in_month[0] <= day < following
    assert following == in_month[-1] + dt.timedelta(days=1)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_week_view_is_the_days_monday_to_sunday(day: dt.date) -> None:
    days, previous, following = _days("week", day)
    assert day in days and len(days) == 7 and days[0].weekday() == 0
    assert following - days[0] == days[0] - previous == dt.timedelta(days=7)
