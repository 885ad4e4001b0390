"""Reminders at the programme's lead times: a session two business days ahead to its
expert(s) and association, a pre-interview call due to the secretariat; each once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from domain.calendar import BusinessCalendar
from domain.loading import parse_scenario
from service.db.engine import transaction
from service.db.models import OutboxRow, SessionReportRow
from service.logic import mailer, reminders
from tests.greedy_plans import greedy_plan
from tests.service.logic.test_invitations import SECRETARIAT, document, publish
from tests.service_support import Api, settings_for
from tests.smtp_support import smtp_server, text_of


def first_day_due(api: Api, day: dt.date, lead: int) -> dt.date:
    """The first day on which something on ``day`` is within ``lead`` business days."""
    programme = parse_scenario(api.get("/api/v1/scenario").json()).programme
    calendar = BusinessCalendar(programme)
    candidate = day - dt.timedelta(days=1)
    while calendar.add_business_days(candidate - dt.timedelta(days=1), lead) >= day:
        candidate -= dt.timedelta(days=1)
    assert calendar.add_business_days(candidate, lead) >= day
    return candidate


def reminders_queued(api: Api) -> list[OutboxRow]:
    with transaction(api.url) as db:
        return list(db.scalars(select(OutboxRow).where(OutboxRow.kind == "reminder")
                               .order_by(OutboxRow.id)))


def test_a_session_is_recalled_two_business_days_ahead_once(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    plan = greedy_plan(parse_scenario(api.get("/api/v1/scenario").json()))
    publish(api, plan)
    first = min(plan.sessions, key=lambda s: (s.date, s.start))
    same_day = [s for s in plan.sessions if s.date == first.date]
    settings = settings_for(api.url)
    due = first_day_due(api, first.date, 2)
    assert reminders.queue_due(settings, today=due - dt.timedelta(days=1)) == 0
    count = reminders.queue_due(settings, today=due)
    people = {(e, s.association_id) for s in same_day for e in s.expert_ids}
    recipients = {row.recipient for row in reminders_queued(api)}
    with_address = {f"{e.lower()}@example.jp" for e, _ in people} | {
        {"A1": "sato@example.jp", "A2": "suzuki@example.jp"}[a]
        for _, a in people if a in ("A1", "A2")}
    assert recipients == with_address and count == len(with_address)
    assert reminders.queue_due(settings, today=due) == 0  # the scan again: nothing twice

    with smtp_server() as smtp:
        sending = settings_for(api.url, smtp_url=smtp.url)
        mailer.deliver_due(sending, "w:1")
        by_address = {str(m["To"].addresses[0].addr_spec): m for m in smtp.mailbox.messages()}
    reminder = next(m for a, m in by_address.items() if a in with_address
                    and "リマインダー" in str(m["Subject"]))
    text = text_of(reminder)
    assert text.index("相談セッションが近づいています") < text.index("A session of")
    assert f"{first.date.year}年{first.date.month}月{first.date.day}日" in text


def test_the_programme_sets_the_lead_time(api: Api) -> None:
    lead: dict[str, Any] = {"session_business_days": 4, "pre_interview_call_business_days": 0}
    scenario = document()
    scenario["programme"] = {**scenario["programme"], "reminders": lead}
    assert api.send("PUT", "/api/v1/scenario", body=scenario).status_code == 200
    plan = greedy_plan(parse_scenario(api.get("/api/v1/scenario").json()))
    publish(api, plan)
    first = min(plan.sessions, key=lambda s: (s.date, s.start))
    settings = settings_for(api.url)
    due = first_day_due(api, first.date, 4)
    assert reminders.queue_due(settings, today=due - dt.timedelta(days=1)) == 0
    assert reminders.queue_due(settings, today=due) > 0
    bad = api.send("PUT", "/api/v1/scenario", body={**scenario, "programme": {
        **scenario["programme"], "reminders": {"session_business_days": -1}}})
    assert bad.status_code == 422 and "session_business_days" in bad.text


def test_the_secretariat_is_reminded_of_calls_due(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    application = {**document()["associations"][0], "id": "A9", "name": "新規申込の組合",
                   "status": "received", "applied_at": "2025-09-01T10:00:00+09:00"}
    application.pop("decided_on")
    created = api.send("POST", "/api/v1/associations", body=application)
    assert created.status_code == 201, created.text
    due_on = dt.date.fromisoformat(
        api.get("/api/v1/associations/A9/application").json()["call_due_on"])
    settings = settings_for(api.url)
    remind_on = first_day_due(api, due_on, 1)
    assert reminders.queue_due(settings, today=remind_on - dt.timedelta(days=1)) == 0
    assert reminders.queue_due(settings, today=remind_on) == 1
    assert reminders.queue_due(settings, today=remind_on) == 0
    (row,) = reminders_queued(api)
    assert row.recipient == SECRETARIAT
    assert "A9 新規申込の組合" in row.text and "Pre-interview" in row.title
    # Once the call is recorded, no more reminders for it.
    read = api.get("/api/v1/associations/A9")
    called = api.send("POST", "/api/v1/associations/A9/transitions",
                      body={"to": "interviewed", "note": "電話済み"},
                      if_match=read.headers["ETag"])
    assert called.status_code == 200, called.text
    assert reminders.queue_due(settings, today=due_on) == 0


def _held_session(api: Api) -> tuple[dict[str, Any], dt.date]:
    """A1's first session of a published plan, recorded as held: (record, report due)."""
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    publish(api, greedy_plan(parse_scenario(api.get("/api/v1/scenario").json())))
    first = min(api.get("/api/v1/sessions?association_id=A1").json(),
                key=lambda s: s["number"])
    path = f"/api/v1/sessions/{first['id']}"
    held = api.send("POST", f"{path}/held", body={"record": "実施"},
                    if_match=api.get(path).headers["ETag"])
    assert held.status_code == 200, held.text
    return first, dt.date.fromisoformat(held.json()["report_due_on"])


def scan(api: Api, kind: reminders.Scan, day: dt.date) -> int:
    with transaction(api.url) as db:
        return kind(db, settings_for(api.url), day)


def test_the_lead_expert_is_reminded_of_the_report_due_then_late_once_each(api: Api) -> None:
    session, due_on = _held_session(api)
    lead = session["expert_ids"][0]
    remind_on = first_day_due(api, due_on, 1)
    assert scan(api, reminders.report_reminders, remind_on - dt.timedelta(days=1)) == 0
    assert scan(api, reminders.report_reminders, remind_on) == 1
    assert scan(api, reminders.report_reminders, due_on) == 0  # the same stage: once
    late_on = due_on + dt.timedelta(days=1)
    assert scan(api, reminders.report_reminders, late_on) == 1
    assert scan(api, reminders.report_reminders, late_on + dt.timedelta(days=3)) == 0
    rows = [row for row in reminders_queued(api) if row.key.startswith("reminder:report:")]
    assert [(row.recipient, row.key.rsplit(":", 1)[1]) for row in rows] == [
        (f"{lead.lower()}@example.jp", "due"), (f"{lead.lower()}@example.jp", "late")]
    due_text, late_text = rows[0].text, rows[1].text
    assert f"提出期限は{due_on.year}年{due_on.month}月{due_on.day}日" in due_text
    assert due_text.index("支援実施報告書") < due_text.index("The report of this session")
    assert "過ぎています" in late_text and "overdue" in rows[1].title
    # Filed: nothing more for it, whatever the day.
    path = f"/api/v1/sessions/{session['id']}"
    filed = api.send("POST", f"{path}/report", if_match=api.get(path).headers["ETag"], body={
        "expert_id": lead, "work_done": "検討", "manual_progress": "draft",
        "progress_note": "進行中", "next_tasks": "次回", "travel_claimed_yen": 0})
    assert filed.status_code == 200, filed.text
    assert scan(api, reminders.report_reminders, late_on + dt.timedelta(days=10)) == 0


def test_the_association_is_asked_to_confirm_a_reported_session(api: Api) -> None:
    session, _ = _held_session(api)
    path = f"/api/v1/sessions/{session['id']}"
    filed = api.send("POST", f"{path}/report", if_match=api.get(path).headers["ETag"], body={
        "expert_id": session["expert_ids"][0], "work_done": "検討", "manual_progress": "draft",
        "progress_note": "進行中", "next_tasks": "次回", "travel_claimed_yen": 0})
    assert filed.status_code == 200, filed.text
    filed_on = dt.date(2025, 9, 1)  # a Monday: the report filed then
    with transaction(api.url) as db:
        report = db.get(SessionReportRow, session["id"])
        assert report is not None
        report.filed_at = dt.datetime(2025, 9, 1, 1, 0, tzinfo=dt.UTC)  # 10:00 in Tokyo
    calendar = BusinessCalendar(parse_scenario(api.get("/api/v1/scenario").json()).programme)
    due = calendar.add_business_days(filed_on, 2)
    late = calendar.add_business_days(filed_on, 5)
    assert scan(api, reminders.confirmation_reminders, due - dt.timedelta(days=1)) == 0
    assert scan(api, reminders.confirmation_reminders, due) == 1
    assert scan(api, reminders.confirmation_reminders, late - dt.timedelta(days=1)) == 0
    assert scan(api, reminders.confirmation_reminders, late) == 1
    assert scan(api, reminders.confirmation_reminders, late + dt.timedelta(days=7)) == 0
    rows = [row for row in reminders_queued(api)
            if row.key.startswith("reminder:confirmation:")]
    assert [(row.recipient, row.key.rsplit(":", 1)[1]) for row in rows] == [
        ("sato@example.jp", "due"), ("sato@example.jp", "late")]
    assert "従事証明" in rows[0].text and "佐藤 一郎 様" in rows[0].text
    assert "確認がまだ届いておりません" in rows[1].text
    # Confirmed: no more.
    confirmed = api.send("POST", f"{path}/confirmation", if_match=api.get(path).headers["ETag"],
                         body={"as_reported": True, "rating": 5, "comment": "良かった"})
    assert confirmed.status_code == 200, confirmed.text
    assert scan(api, reminders.confirmation_reminders, late + dt.timedelta(days=20)) == 0
    # Every scan runs in the worker's round.
    assert reminders.report_reminders in reminders.SCANS
    assert reminders.confirmation_reminders in reminders.SCANS
