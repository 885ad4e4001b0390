"""The console's options pages: on an application's page (the pre-interview) and on a
session's page, options side by side; taking one makes a draft to compare."""

from __future__ import annotations

import html
import re

from service.config import Settings
from service.logic.worker import Worker
from tests.scenarios import PROGRAMME, association, expert
from tests.service.console.test_pages_experts import sign_in
from tests.service_support import Api, checked_plan, wait_for_job

PLAN = {"time_limit": 2, "seed": 0, "workers": 1}


def _published(api: Api) -> None:
    document = {"programme": PROGRAMME,
                "experts": [expert("E1"), expert("E3")],
                "associations": [association("A1"),
                                 # Under screening; the decision date the call expects.
                                 association("A2", applied_day=2, status="interviewed"),
                                 association("A3", applied_day=3, status="withdrawn"),
                                 # Accepted, but nobody covers its need when planned.
                                 association("A4", applied_day=4, needs=["mental_health"])],
                "pinned": []}
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    job = api.send("POST", "/api/v1/jobs", body=PLAN).json()
    Worker(Settings(database_url=api.url)).run(once=True)
    plan_id = wait_for_job(api, job["id"])["plan_id"]
    checked_plan(api, plan_id)
    assert api.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200


def test_pre_interview_options_then_accepted_take_and_compare(api: Api) -> None:
    _published(api)
    client, token = sign_in(api, "staff")
    none = client.get("/applications/A4/options")
    assert 'id="no-options"' in none.text and 'id="unserved-reason"' in none.text
    application = client.get("/applications/A2")
    assert 'href="/applications/A2/options"' in application.text
    page = client.get("/applications/A2/options")
    assert page.status_code == 200, page.text
    assert page.text.count('class="option"') >= 2  # side by side
    assert "第1候補" in page.text
    assert 'id="accept-first"' in page.text and "take-1" not in page.text
    english = client.get("/applications/A2/options?lang=en")
    assert "first choice" in english.text

    # A psychologist registers: the accepted A4 can now be served, and taken as a draft.
    added = api.send("POST", "/api/v1/experts", body=expert(
        "E2", qualifications=["psychologist"]))
    assert added.status_code == 201, added.text
    page = client.get("/applications/A4/options")
    form = re.search(r'<form method="post" action="/applications/A4/options/take" '
                     r'id="take-1">(.*?)</form>', page.text, re.S)
    assert form, page.text
    fields = {k: html.unescape(v)
              for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', form[1])}
    fields["csrf_token"] = token
    before = api.get("/api/v1/sessions").json()
    taken = client.post("/applications/A4/options/take", data=fields)
    assert taken.status_code == 303, taken.text
    assert taken.headers["location"].startswith("/planning/changes?plan=")
    plan_id = int(taken.headers["location"].rsplit("=", 1)[1])
    checked_plan(api, plan_id)
    assert api.get("/api/v1/sessions").json() == before  # nothing published yet
    compare = client.get(taken.headers["location"])
    assert compare.status_code == 200

    # A tampered option is refused with the checker's words, and no draft is made.
    drafts = len(api.get("/api/v1/plans").json())
    bad = client.post("/applications/A4/options/take",
                      data={**fields, "option": fields["option"].replace('"E', '"X')})
    assert bad.status_code in (409, 422)
    nonsense = client.post("/applications/A4/options/take", data={**fields, "option": "{"})
    assert nonsense.status_code == 422
    assert len(api.get("/api/v1/plans").json()) == drafts
    # Without the form token nothing is made either.
    forged = client.post("/applications/A4/options/take",
                         data={k: v for k, v in fields.items() if k != "csrf_token"})
    assert forged.status_code in (400, 403)


def test_a_sessions_page_links_to_other_dates(api: Api) -> None:
    _published(api)
    client, _ = sign_in(api, "viewer")
    session = next(s for s in api.get("/api/v1/sessions").json() if s["number"] == 1)
    page = client.get(f"/planning/replacements/{session['id']}")
    assert f'href="/planning/sessions/{session["id"]}/options"' in page.text
    options = client.get(f"/planning/sessions/{session['id']}/options")
    assert options.status_code == 200, options.text
    assert 'class="option"' in options.text
    assert "take-1" not in options.text  # a viewer sees the options, takes none
