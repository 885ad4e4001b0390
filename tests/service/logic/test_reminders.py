"""Reminders at the programme's lead times: a session two business days ahead to its
expert(s) and association, a pre-interview call due to the secretariat; each once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from domain.calendar import BusinessCalendar
from domain.loading import parse_scenario
from service.db.engine import transaction
from service.db.models import OutboxRow
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
