"""The home page, the applications list with its bulk decisions, the call recorded as it
happened, the application window's override and the print views, through the app in
process: each line links where it is handled, a bad or stale form changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.service.working_day_support import (
    business_day_this_week,
    console,
    imported,
    published_plan,
    tokyo_today,
)
from tests.service_support import Api


@pytest.fixture
def day(api: Api) -> Iterator[Api]:
    imported(api)
    yield api


def visible(html: str) -> str:
    """The page's text as read, tags dropped and spaces joined."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def listed(html: str) -> list[str]:
    """The ids of the applications table, in its order (not the calls-due table above)."""
    table = html[html.index('id="applications"'):]
    return re.findall(r'<td><a href="/applications/(A\d)">', table)


def version(api: Api, association_id: str) -> int:
    return int(api.get(f"/api/v1/associations/{association_id}").headers["ETag"].strip('"'))


def test_home_lists_the_day_and_links_where_each_is_handled(day: Api) -> None:
    plan_id = published_plan(day)
    client, _ = console(day)
    page = client.get("/")
    assert page.status_code == 200
    html, text = page.text, visible(page.text)
    # The late call (A3) and today's applicant (A7, due in five business days: this week
    # or later), each linking to the application's call form.
    calls = html[html.index('id="home-calls"'):html.index('id="home-decisions"')]
    assert 'href="/applications/A3#call"' in calls and "期限超過" in calls
    # Decisions to send: the two interviewed, not A3.
    decisions = html[html.index('id="home-decisions"'):html.index('id="home-sessions"')]
    assert 'href="/applications/A4#status-heading"' in decisions
    assert 'href="/applications/A5#status-heading"' in decisions
    assert "A3" not in decisions
    # The session pinned this week, linking to the association's week calendar.
    sessions = html[html.index('id="home-sessions"'):html.index('id="home-unserved"')]
    session_day = business_day_this_week(tokyo_today()).isoformat()
    assert session_day in sessions and "subject=association:A1" in sessions
    assert 'href="/print/week?date=' in sessions
    # A8 needs an expert nobody is: left out of the published plan, with its reason.
    unserved = html[html.index('id="home-unserved"'):html.index('id="home-jobs"')]
    assert 'href="/applications/A8"' in unserved and "対応できる専門家がいない" in unserved
    assert f"/planning?plan={plan_id}" in unserved
    assert "A6" not in unserved  # withdrawn: not counted among the unserved accepted
    assert "実行中のジョブはありません" in text
    assert "受付中" in html[html.index('id="window"'):]
    # Nothing held yet: the reports line says there is nothing to file.
    reports = html[html.index('id="home-reports"'):]
    assert "期限の近い報告・確認はありません" in reports[:400]


def test_the_plan_page_says_what_each_unserved_count_counts(day: Api) -> None:
    plan_id = published_plan(day)
    client, _ = console(day)
    html = client.get(f"/planning?plan={plan_id}").text
    counts = html[html.index('id="unserved-counts"'):]
    numbers = re.findall(r"<dd>(\d+)</dd>", counts)[:3]
    document = day.get(f"/api/v1/plans/{plan_id}/document").json()
    report = day.get("/api/v1/reports").json()
    # accepted-but-unplanned (the report's figure), not accepted, and the plan's total.
    assert numbers == [str(report["totals"]["unserved"]),
                       str(sum(u["reason"] == "not_accepted" for u in document["unserved"])),
                       str(document["stats"]["unserved"])]
    assert numbers[0] != numbers[2]


def test_window_closed_early_and_extended_is_audited(day: Api) -> None:
    client, token = console(day)
    today = tokyo_today()
    no_reason = client.post("/window", data={"csrf_token": token,
                                             "closes_on": today.isoformat(), "reason": ""})
    assert no_reason.status_code == 422 and "変更の理由を入力してください" in no_reason.text
    assert 'id="window-override"' not in no_reason.text
    viewer, viewer_token = console(day, "viewer")
    refused = viewer.post("/window", data={"csrf_token": viewer_token,
                                           "closes_on": today.isoformat(), "reason": "x"})
    assert refused.status_code == 403
    yesterday = today - dt.timedelta(days=1)
    closed = client.post("/window", data={"csrf_token": token, "reason": "予算の上限に到達",
                                          "closes_on": yesterday.isoformat()})
    assert closed.status_code == 303
    page = client.get(closed.headers["location"]).text
    state = page[page.index('id="window-state"'):]
    assert "受付終了" in state and yesterday.isoformat() in state and "予算の上限に到達" in page
    later = today + dt.timedelta(days=40)
    extended = client.post("/window", data={"csrf_token": token, "reason": "申込が少ないため延長",
                                            "closes_on": later.isoformat()})
    assert extended.status_code == 303
    state = client.get("/").text
    assert "受付中" in state and later.isoformat() in state
    audit = day.get("/api/v1/audit?entity=application_window", role="admin").json()
    assert [entry["detail"]["reason"] for entry in audit] == ["申込が少ないため延長",
                                                             "予算の上限に到達"]


def test_list_columns_sort_and_filter(day: Api) -> None:
    client, _ = console(day)
    html = client.get("/applications?sort=call_due_on").text
    ids = listed(html)
    # Calls still to make first, the most urgent first; the others after, by id.
    assert ids[:2] == ["A3", "A7"] and sorted(ids) == [f"A{i}" for i in range(1, 9)]
    row = html[html.index('id="choose-A1"'):]
    row = row[:row.index("</tr>")]
    assert "0/1" in row and ">E1<" in row  # held of planned, the lead
    newest = listed(client.get("/applications?sort=applied_at&order=desc").text)
    assert newest[0] == "A7"
    assert 'aria-sort="descending"' in client.get("/applications?sort=id&order=desc").text
    late = listed(client.get("/applications?late=1").text)
    assert late == ["A3"]
    led = listed(client.get("/applications?lead=E1").text)
    assert led == ["A1"]


def test_bulk_decisions_say_what_happened_to_each(day: Api) -> None:
    client, token = console(day)
    stale_version = version(day, "A2") - 1
    form = {"csrf_token": token, "to": "accepted", "reason": "要件を満たす",
            "chosen": [f"A4:{version(day, 'A4')}", f"A5:{version(day, 'A5')}",
                       f"A3:{version(day, 'A3')}", f"A2:{stale_version}"]}
    answer = client.post("/applications/bulk", data=form)
    assert answer.status_code == 200, answer.text
    outcomes = answer.text[answer.text.index('id="bulk-outcomes"'):]
    outcome = {i: visible(outcomes[outcomes.index(f'id="outcome-{i}"'):].split("</li>")[0])
               for i in ("A4", "A5", "A3", "A2")}
    assert "変更しました" in outcome["A4"] and "実施決定" in outcome["A4"]
    assert "要件の確認が終わっていません" in outcome["A5"]
    assert "都内に住所" in outcomes  # A5's open items, in Japanese
    assert "現在の状況からはこの決定に進めません" in outcome["A3"]
    assert "他の人が変更しました" in outcome["A2"]
    assert "1 件を変更しました。3 件は変更していません。" in visible(outcomes)
    statuses = {i: day.get(f"/api/v1/associations/{i}").json()["status"]
                for i in ("A2", "A3", "A4", "A5")}
    assert statuses == {"A2": "accepted", "A3": "received", "A4": "accepted",
                        "A5": "interviewed"}
    # A form without a reason changes nothing at all.
    before = version(day, "A5")
    refused = client.post("/applications/bulk", data={
        "csrf_token": token, "to": "rejected", "reason": "", "chosen": [f"A5:{before}"]})
    assert refused.status_code == 422 and "理由を入力してください" in refused.text
    assert version(day, "A5") == before


def test_the_call_is_recorded_as_it_happened(day: Api) -> None:
    client, token = console(day)
    path = "/applications/A3/call"
    when = tokyo_today() - dt.timedelta(days=2)
    current = version(day, "A3")
    future = client.post(path, data={"csrf_token": token, "version": str(current),
                                     "call_date": (tokyo_today() + dt.timedelta(days=2))
                                     .isoformat(), "call_time": "10:00", "note": "x"})
    assert future.status_code == 422 and "未来の日時は記録できません" in future.text
    before = client.post(path, data={"csrf_token": token, "version": str(current),
                                     "call_date": "2020-01-01", "call_time": "10:00"})
    assert before.status_code == 422 and "申請日時より前" in before.text
    missing = client.post(path, data={"csrf_token": token, "version": str(current),
                                      "call_date": "", "call_time": ""})
    assert missing.status_code == 422
    assert day.get("/api/v1/associations/A3").json()["status"] == "received"
    done = client.post(path, data={"csrf_token": token, "version": str(current),
                                   "call_date": when.isoformat(), "call_time": "14:30",
                                   "called_by": "佐藤", "note": "会員80社"})
    assert done.status_code == 303, done.text
    application = day.get("/api/v1/associations/A3/application").json()
    assert application["status"] == "interviewed"
    assert application["called_by"] == "佐藤" and application["call_note"] == "会員80社"
    called = dt.datetime.fromisoformat(application["called_at"])
    assert called == dt.datetime(when.year, when.month, when.day, 5, 30, tzinfo=dt.UTC)
    page = client.get("/applications/A3").text
    assert f"{when.isoformat()} 14:30 佐藤" in visible(page)
    stale = client.post(path, data={"csrf_token": token, "version": str(current),
                                    "call_date": when.isoformat(), "call_time": "10:00"})
    assert stale.status_code in (409, 412)


def test_print_views_are_a4_pages_of_the_schedule(day: Api) -> None:
    client, _ = console(day)
    session_day = business_day_this_week(tokyo_today()).isoformat()
    for path in ("/print/expert/E1", "/print/association/A1",
                 f"/print/week?date={session_day}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'href="/static/print.css"' in page.text
        table = page.text[page.text.index('id="print-sessions"'):]
        assert session_day in table and "取組計画の策定" in table, path
    assert "千代田区" in client.get("/print/association/A1").text
    assert "予定された派遣はありません" in client.get("/print/expert/E2").text
    assert client.get("/print/week?date=someday").status_code == 422
    assert client.get("/print/expert/E99").status_code == 404
    css = client.get("/static/print.css").text
    assert "size: A4" in css and "@media print" in css


def test_home_without_a_programme_says_what_to_do(api: Api) -> None:
    client, _ = console(api)
    assert "プログラムが未登録です" in client.get("/").text
    client.close()


def test_signing_in_opens_the_home_page(day: Api) -> None:
    assert isinstance(day.client, TestClient)
    client, _ = console(day)  # asserts the redirect goes to /
    assert 'aria-current="page">ホーム' in client.get("/").text
