"""The public application form, in process on SQLite and PostgreSQL: a complete application
arrives as ``received`` with its receipt and call due date; an incomplete one shows every
error beside its field and stores nothing; outside the window, forged, or too often, it is
refused and nothing is stored."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from domain.calendar import BusinessCalendar
from domain.japanese_dates import seireki, wareki, with_weekday
from domain.scenario import Programme
from service.app import create_app
from service.db.engine import transaction
from service.db.models import ApplicationReceiptRow, AssociationRow
from service.logic import application_window, intake
from service.logic.applications import ELIGIBILITY
from tests.service.console.test_pages_experts import sign_in
from tests.service_support import Api, example_document, settings_for

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ORIGIN = "http://testserver"
ZONE = zoneinfo.ZoneInfo("Asia/Tokyo")


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def with_window(api: Api, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The example state, its application period from ``start`` to ``end``."""
    document = example_document()
    document["programme"]["application_period"] = {"start": start.isoformat(),
                                                   "end": end.isoformat()}
    current = api.get("/api/v1/scenario")
    answer = api.send("PUT", "/api/v1/scenario", body=document,
                      if_match=current.headers.get("ETag") if current.status_code == 200
                      else None)
    assert answer.status_code == 200, answer.text
    return document


@pytest.fixture
def open_window(api: Api) -> Api:
    with_window(api, today() - dt.timedelta(days=10), today() + dt.timedelta(days=30))
    return api


def applicant(api: Api) -> TestClient:
    """A visitor's browser: no sign-in, this server's origin, redirects not followed."""
    assert isinstance(api.client, TestClient)
    return TestClient(api.client.app, headers={"Origin": ORIGIN}, follow_redirects=False)


def complete_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "東京都テスト小売商業組合", "legal_form": "sme_cooperative",
        "prefecture": "東京都", "city": "千代田区", "address": "丸の内1-1-1 テストビル3階",
        "industry": "retail", "member_count": "240", "primary_need": "labour_law",
        "other_needs": ["mental_health", "labour_law"], "sessions_requested": "5",
        "session_minutes": "90", "mode": "either", "has_manual": "no",
        "availability": "grid", "slot": ["tue-13", "tue-14", "tue-15", "thu-10"],
        "contact_name": "佐藤 一郎", "contact_email": "sato@example.jp",
        "contact_phone": "03-1234-5678", "declaration": list(ELIGIBILITY),
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def post(client: TestClient, form: dict[str, Any], **headers: str) -> Any:
    page = client.get("/apply")
    assert page.status_code == 200, page.text
    nonce = FORM_TOKEN.search(page.text)
    assert nonce is not None, page.text
    return client.post("/apply", data={"csrf_token": nonce[1], **form}, headers=headers)


def stored(api: Api) -> tuple[int, int]:
    with transaction(api.url) as db:
        return (db.scalar(select(func.count()).select_from(AssociationRow)) or 0,
                db.scalar(select(func.count()).select_from(ApplicationReceiptRow)) or 0)


def test_a_complete_application_arrives_as_received(open_window: Api) -> None:
    api = open_window
    client = applicant(api)
    page = client.get("/apply")
    assert "専門家派遣のお申込み" in page.text and 'lang="ja"' in page.text
    for wording in ("中小企業団体の組織に関する法律", "都税の未納がありません",
                    "宗教活動や政治活動を主たる目的としていません"):
        assert wording in page.text
    answer = post(client, complete_form())
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    number = location.rsplit("/", 1)[1]
    assert re.fullmatch(r"HK-\d{8}-[0-9A-HJKMNP-TV-Z]{6}", number), number
    receipt = client.get(location)
    assert receipt.status_code == 200
    assert number in receipt.text and "東京都テスト小売商業組合" in receipt.text

    record = api.get("/api/v1/associations/A061").json()
    assert record["status"] == "received" and record["name"] == "東京都テスト小売商業組合"
    assert record["needs"] == ["labour_law", "mental_health"]  # the primary first, once
    assert record["contact"] == {"name": "佐藤 一郎", "email": "sato@example.jp",
                                 "phone": "03-1234-5678"}
    weekly = {day: windows for day, windows in record["availability"]["weekly"].items()
              if windows}
    assert weekly == {"tue": [["13:00", "16:00"]], "thu": [["10:00", "11:00"]]}
    assert (record["legal_form"], record["member_count"], record["sessions_requested"],
            record["session_minutes"], record["mode"], record["has_manual"]) == (
        "sme_cooperative", 240, 5, 90, "either", False)
    assert record.get("decided_on") is None

    # In the secretariat's list of calls due, five business days after applying.
    programme = Programme.model_validate(example_document()["programme"])
    applied = dt.datetime.fromisoformat(record["applied_at"]).astimezone(ZONE).date()
    due = BusinessCalendar(programme).add_business_days(applied, 5)
    calls = {c["association_id"]: c for c in api.get("/api/v1/applications/calls-due").json()}
    assert calls["A061"]["due_on"] == due.isoformat()
    assert with_weekday(due) in receipt.text
    with transaction(api.url) as db:
        row = db.get(ApplicationReceiptRow, number)
        assert row is not None and row.association_id == "A061"
    # The receipt is in the outbox, queued with the application, for the contact alone.
    messages = api.get("/api/v1/outbox", "staff").json()
    receipts = [m for m in messages["messages"]
                if m["kind"] == "receipt"]
    assert [(m["recipient"], number in m["title"]) for m in receipts] == [
        ("sato@example.jp", True)], receipts
    # The secretariat's page of the application shows its receipt number.
    staff, _ = sign_in(api, "staff")
    assert f'<dd id="receipt">{number} (オンライン申込み)</dd>' in staff.get(
        "/applications/A061").text
    # The audit log names the form as the actor.
    entries = api.get("/api/v1/audit", "staff", params={"entity_id": "A061"}).json()
    assert {(e["actor"], e["action"]) for e in entries} == {
        (intake.APPLICANT, "receive"), (intake.APPLICANT, "apply")}


def test_the_english_form_and_any_weekday_time(open_window: Api) -> None:
    client = applicant(open_window)
    page = client.get("/apply?lang=en")
    assert "Apply for expert dispatch" in page.text and 'lang="en"' in page.text
    answer = post(client, complete_form(availability="any", slot=None, other_needs=None,
                                        has_manual="yes"))
    assert answer.status_code == 303, answer.text
    record = open_window.get("/api/v1/associations/A061").json()
    assert record.get("availability") is None and record["has_manual"] is True
    assert record["needs"] == ["labour_law"]


REQUIRED = ("name", "legal_form", "city", "address", "industry", "member_count", "needs",
            "sessions_requested", "session_minutes", "mode", "has_manual", "weekly",
            "contact_name", "contact_email", "contact_phone")


def test_an_incomplete_application_shows_every_error_and_stores_nothing(
        open_window: Api) -> None:
    api = open_window
    before = stored(api)
    client = applicant(api)
    answer = post(client, {"prefecture": "東京都", "declaration": ["tokyo_address"]})
    assert answer.status_code == 422
    page = answer.text
    assert 'id="error-summary"' in page
    for field in REQUIRED:
        assert f'id="{field}-error"' in page, field
    for item in ELIGIBILITY:
        error = f'id="declaration-{item}-error"'
        assert (error in page) is (item != "tokyo_address"), item
    # Each control points at its error, and the summary links to each control.
    assert 'id="name" name="name" type="text" value="" autocomplete="organization" ' \
           'aria-invalid="true" aria-describedby="name-error"' in page
    for anchor in ("#name", "#legal_form-sme_cooperative", "#primary_need",
                   "#contact_email", "#declaration-no_tax_arrears"):
        assert f'href="{anchor}"' in page
    assert "入力してください" in page and "選択してください" in page
    assert stored(api) == before
    # What was entered is kept.
    assert 'value="tokyo_address" id="declaration-tokyo_address" checked' in page


def test_field_limits_are_the_apis(open_window: Api) -> None:
    api = open_window
    before = stored(api)
    answer = post(applicant(api), complete_form(
        name="組" * 201, contact_email="not-an-address", contact_phone="03 ABC",
        member_count="many", slot=["tue-13", "xyz-99"]))
    assert answer.status_code == 422
    errors = dict(re.findall(r'<p class="field-error" id="([a-z_-]+)-error">([^<]+)</p>',
                             answer.text))
    assert errors["name"] == "200文字以内で入力してください"
    assert "メールアドレス" in errors["contact_email"]
    assert "数字とハイフン" in errors["contact_phone"]
    assert errors["member_count"] == "半角数字で入力してください"
    assert "not a slot" in errors["weekly"]
    assert stored(api) == before


@pytest.mark.parametrize("when", ["before", "after", "closed_early"])
def test_outside_the_window_the_form_is_closed(api: Api, when: str) -> None:
    if when == "before":
        start, end = today() + dt.timedelta(days=3), today() + dt.timedelta(days=40)
    else:
        start, end = today() - dt.timedelta(days=40), today() - dt.timedelta(days=1)
    if when == "closed_early":
        end = today() + dt.timedelta(days=40)
    with_window(api, start, end)
    if when == "closed_early":  # closed from the home page: yesterday was the last day
        end = today() - dt.timedelta(days=1)
        with transaction(api.url) as db:
            application_window.change(db, end, "予算の上限に到達", "test")
    client = applicant(api)
    page = client.get("/apply")
    assert page.status_code == 200
    assert 'id="apply-form"' not in page.text
    expected = {"before": "お申込みの受付はまだ始まっていません。",
                "after": "お申込みの受付は終了しました。",
                "closed_early": "受付を締め切りました"}[when]
    assert expected in page.text
    assert f"{with_weekday(start)}〜{with_weekday(end)}" in page.text
    before = stored(api)
    # A form kept open from while the window was open is refused too.
    client.cookies.set("haken_apply", "kept-nonce")
    refused = client.post("/apply", data={"csrf_token": "kept-nonce", **complete_form()})
    assert refused.status_code == 409
    assert expected in refused.text
    assert stored(api) == before


def test_window_state_follows_programme_and_override(api: Api) -> None:
    start, end = today() - dt.timedelta(days=1), today() + dt.timedelta(days=1)
    with transaction(api.url) as db:
        assert application_window.state(db).phase == "not_set"  # no programme
    with_window(api, start, end)
    with transaction(api.url) as db:
        state = application_window.state(db)
        assert (state.phase, state.opens_on, state.closes_on, state.override) == (
            "open", start, end, None)
        assert application_window.state(db, end + dt.timedelta(days=1)).phase == "closed"
        assert application_window.state(db, start - dt.timedelta(days=1)).phase == \
            "not_open_yet"
        # Extended by staff: the override's end replaces the programme's.
        application_window.change(db, end + dt.timedelta(days=10), "申込が少ないため", "test")
        later = application_window.state(db, end + dt.timedelta(days=5))
        assert (later.phase, later.closes_on, later.period_closes_on) == (
            "open", end + dt.timedelta(days=10), end)
        assert not later.closed_early
        # Closed early from the home page: the form closes with it.
        application_window.change(db, today() - dt.timedelta(days=1), "定員に達したため", "test")
        closed = application_window.state(db)
        assert closed.phase == "closed" and closed.closed_early and closed.version == 2


def test_forged_or_foreign_forms_store_nothing(open_window: Api) -> None:
    api = open_window
    before = stored(api)
    client = applicant(api)
    page = client.get("/apply")
    nonce = FORM_TOKEN.search(page.text)
    assert nonce is not None
    form = complete_form()
    answers = [
        client.post("/apply", data=form),  # no token
        client.post("/apply", data={**form, "csrf_token": "x" + nonce[1]}),
        client.post("/apply", data={**form, "csrf_token": nonce[1]},
                    headers={"Origin": "https://attacker.example"}),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert stored(api) == before


def test_posts_are_rate_limited_per_address(database_url: str) -> None:
    settings = settings_for(database_url, apply_posts_allowed=2, apply_window_seconds=600)
    with TestClient(create_app(settings)) as app_client:
        from tests.service_support import make_tokens

        api = Api(app_client, make_tokens(database_url), database_url)
        with_window(api, today() - dt.timedelta(days=1), today() + dt.timedelta(days=1))
        client = applicant(api)
        assert post(client, {"name": "x"}).status_code == 422
        assert post(client, complete_form()).status_code == 303
        refused = post(client, complete_form(name="二つ目の団体"))
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert "しばらくしてから" in refused.text
        assert stored(api)[1] == 1


def test_weekly_slots_and_japanese_dates() -> None:
    assert intake.weekly_from_slots({"mon-09", "mon-10", "mon-12", "fri-17"}) == {
        "mon": [["09:00", "11:00"], ["12:00", "13:00"]], "fri": [["17:00", "18:00"]]}
    with pytest.raises(ValueError, match="not a slot"):
        intake.weekly_from_slots({"mon-24"})
    assert wareki(dt.date(2025, 7, 16)) == "令和7年7月16日"
    assert wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"
    assert seireki(dt.date(2026, 1, 9)) == "2026年1月9日"
    assert with_weekday(dt.date(2025, 6, 30)) == "2025年6月30日（月）"
    with pytest.raises(ValueError, match="Heisei"):
        wareki(dt.date(1988, 12, 31))


def test_every_eligibility_item_has_the_pages_wording() -> None:
    from service.console.texts_apply import DECLARATIONS

    assert list(DECLARATIONS) == list(ELIGIBILITY)
