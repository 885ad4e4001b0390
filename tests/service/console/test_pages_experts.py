"""The console's experts, calendar-feed and report pages, in process: edits go through the
API's rules (errors beside their fields, nothing saved on error, stale versions caught),
forged or foreign forms and roles without the right change nothing, downloads are real."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.console.pages_experts import weekly_windows
from service.console.pages_reports import nice_ceiling
from tests.service_support import Api, example_document

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ORIGIN = "http://testserver"


def sign_in(api: Api, role: str) -> tuple[TestClient, str]:
    """A second in-process client, signed in to the console; its session's form token."""
    assert isinstance(api.client, TestClient)
    client = TestClient(api.client.app, headers={"Origin": ORIGIN}, follow_redirects=False)
    page = client.get("/signin")
    nonce = FORM_TOKEN.search(page.text)
    assert nonce is not None
    answer = client.post("/signin", data={"csrf_token": nonce[1], "token": api.tokens[role]})
    assert answer.status_code == 303, answer.text
    token = FORM_TOKEN.search(client.get("/experts").text)
    assert token is not None
    return client, token[1]


@pytest.fixture
def imported(api: Api) -> Iterator[Api]:
    assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200
    yield api


def expert_form(api: Api, expert_id: str, **changes: Any) -> dict[str, Any]:
    """The expert page's form as a browser would send it, with ``changes`` applied."""
    answer = api.get(f"/api/v1/experts/{expert_id}")
    record = answer.json()
    weekly = (record.get("availability") or {}).get("weekly")
    slots = []
    for day, windows in (weekly or {}).items():
        for start, end in windows:
            minute = int(start[:2]) * 60 + int(start[3:])
            while minute < int(end[:2]) * 60 + int(end[3:]):
                slots.append(f"{day}-{minute // 60:02d}{minute % 60:02d}")
                minute += 30
    form: dict[str, Any] = {
        "version": answer.headers["ETag"].strip('"'),
        "qualifications": record["qualifications"], "industries": record["industries"],
        "modes": record["modes"], "conflicts": record["conflicts"],
        "max_associations": str(record["max_associations"]),
        "max_sessions_per_day": str(record["max_sessions_per_day"]),
        "max_sessions_per_week": str(record["max_sessions_per_week"]),
        "weekly": "grid" if weekly is not None else "business", "slot": slots,
        "dates": "", "blocked": "",
    }
    form.update(changes)
    return form


def test_weekly_slots_join_into_windows() -> None:
    slots = {"mon-0900", "mon-0930", "mon-1100", "fri-2330"}
    assert weekly_windows(slots) == {"mon": [["09:00", "10:00"], ["11:00", "11:30"]],
                                     "fri": [["23:30", "24:00"]]}
    with pytest.raises(ValueError, match="not a slot"):
        weekly_windows({"mon-2400"})
    with pytest.raises(ValueError, match="not a slot"):
        weekly_windows({"mon-0915"})
    assert nice_ceiling(0) == (1, 1)
    assert nice_ceiling(7) == (8, 2)
    assert nice_ceiling(23) == (30, 10)
    assert nice_ceiling(60) == (60, 20)


def test_an_expert_is_edited_with_the_apis_rules(imported: Api) -> None:
    api = imported
    client, token = sign_in(api, "staff")
    listing = client.get("/experts")
    assert listing.status_code == 200 and "E001" in listing.text and "野村 修" in listing.text
    assert "Content-Security-Policy" in listing.headers
    page = client.get("/experts/E001")
    assert 'id="slot-mon-0900"' in page.text and "checked" in page.text

    # A cap that is not a number and a dated exception that is not a date: both shown
    # beside their fields, nothing saved.
    before = api.get("/api/v1/experts/E001").json()
    bad = client.post("/experts/E001", data=expert_form(
        api, "E001", csrf_token=token, max_sessions_per_day="two", dates="12/40 10:00"))
    assert bad.status_code == 422
    assert 'id="max_sessions_per_day-error"' in bad.text
    assert 'id="dates-error"' in bad.text and "日付で始まっていません" in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert 'value="two"' in bad.text  # what was entered stays in the form
    assert api.get("/api/v1/experts/E001").json() == before

    # The state's own rules (a conflict with an unknown association) are named too.
    unknown = client.post("/experts/E001", data=expert_form(
        api, "E001", csrf_token=token, conflicts=["A999"]))
    assert unknown.status_code == 422 and 'id="conflicts-error"' in unknown.text
    assert "A999" in unknown.text
    assert api.get("/api/v1/experts/E001").json() == before

    # A real edit: Wednesday mornings, a blocked week, a conflict, a cap.
    form = expert_form(api, "E001", csrf_token=token, max_associations="3",
                       conflicts=["A003"], blocked="2025-08-11~2025-08-15",
                       dates="2025-12-18 09:00-12:30\n2025-12-24 不可")
    form["slot"] = [*form["slot"], "wed-0900", "wed-0930"]
    saved = client.post("/experts/E001", data=form)
    assert saved.status_code == 303, saved.text
    after = api.get("/api/v1/experts/E001").json()
    assert after["max_associations"] == 3 and after["conflicts"] == ["A003"]
    availability = after["availability"]
    assert availability["weekly"]["wed"] == [["09:00", "10:00"]]
    assert availability["weekly"]["mon"] == before["availability"]["weekly"]["mon"]
    assert availability["blocked"] == [{"start": "2025-08-11", "end": "2025-08-15"}]
    assert availability["dates"] == {"2025-12-18": [["09:00", "12:30"]], "2025-12-24": []}
    audit = api.get("/api/v1/audit", role="admin").json()
    assert any(e["action"] == "update" and e["entity_id"] == "E001"
               and e["actor"] == "test-staff" for e in audit)

    # The same form again, from the version before: someone else changed it first.
    stale = client.post("/experts/E001", data={**form, "max_associations": "4"})
    assert stale.status_code == 412 and "他の人が先に変更しました" in stale.text
    assert api.get("/api/v1/experts/E001").json()["max_associations"] == 3
    version = re.search(r'name="version" value="(\d+)"', stale.text)
    assert version is not None and 'value="4"' in stale.text
    # The page now carries the current version and what was entered: saving again works.
    again = client.post("/experts/E001", data={**form, "max_associations": "4",
                                               "version": version[1]})
    assert again.status_code == 303
    assert api.get("/api/v1/experts/E001").json()["max_associations"] == 4

    # "Not set" weekly hours: business hours on every business day (no weekly key).
    cleared = client.post("/experts/E001", data=expert_form(
        api, "E001", csrf_token=token, weekly="business"))
    assert cleared.status_code == 303
    assert "weekly" not in (api.get("/api/v1/experts/E001").json()["availability"] or {})


def test_forged_or_unpermitted_posts_change_nothing(imported: Api) -> None:
    api = imported
    client, token = sign_in(api, "staff")
    viewer, viewer_token = sign_in(api, "viewer")
    before = api.get("/api/v1/experts/E002").json()
    form = expert_form(api, "E002", max_associations="1")
    forged = [
        client.post("/experts/E002", data=form),  # no token
        client.post("/experts/E002", data={**form, "csrf_token": token + "x"}),
        client.post("/experts/E002", data={**form, "csrf_token": token},
                    headers={"Origin": "https://attacker.example"}),
        client.post("/feed-links/issue/expert/E002", data={"csrf_token": token},
                    headers={"Origin": "https://attacker.example"}),
        client.post("/feed-links/issue/expert/E002", data={}),
    ]
    for answer in forged:
        assert answer.status_code == 403, answer.text
        assert "別のサイトから送信されました" in answer.text
    # A viewer sees the expert but no form, may not post one, and may not see feed links.
    page = viewer.get("/experts/E002")
    assert page.status_code == 200 and 'action="/experts/E002"' not in page.text
    refused = [viewer.post("/experts/E002", data={**form, "csrf_token": viewer_token}),
               viewer.post("/feed-links/issue/expert/E002", data={"csrf_token": viewer_token}),
               viewer.get("/feed-links")]
    for answer in refused:
        assert answer.status_code == 403 and "権限がありません" in answer.text
    assert api.get("/api/v1/experts/E002").json() == before
    assert api.get("/api/v1/feeds", role="staff").json() == []
    # Signed out: the pages send to the sign-in page.
    anonymous = TestClient(api.client.app, follow_redirects=False)  # type: ignore[union-attr]
    for path in ("/experts", "/experts/E002", "/feed-links", "/reports",
                 "/reports/haken-report.xlsx"):
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_feed_links_are_shown_once_with_a_qr_code_and_revoked(imported: Api) -> None:
    api = imported
    client, token = sign_in(api, "staff")
    page = client.get("/feed-links")
    assert page.status_code == 200 and "E001" in page.text and "A001" in page.text
    issued = client.post("/feed-links/issue/expert/E001", data={"csrf_token": token})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    https = re.search(r'id="https-link" href="([^"]+)"', issued.text)
    webcal = re.search(r'id="webcal-link" href="([^"]+)"', issued.text)
    assert https is not None and webcal is not None
    assert https[1].startswith(f"{ORIGIN}/feeds/") and https[1].endswith(".ics")
    assert webcal[1] == "webcal://" + https[1].removeprefix("http://")
    assert 'id="feed-qr" src="data:image/svg+xml' in issued.text
    # The link works (fetched the way a calendar server would, over this app).
    path = "/feeds/" + https[1].rsplit("/feeds/", 1)[1]
    assert client.get(path).status_code == 200
    assert "BEGIN:VCALENDAR" in client.get(path).text
    # The list shows the feed as active, without the secret.
    listed = client.get("/feed-links")
    secret = path.removeprefix("/feeds/").removesuffix(".ics")
    assert secret not in listed.text
    feed = api.get("/api/v1/feeds", role="staff").json()[0]
    assert f'action="/feed-links/revoke/{feed["id"]}"' in listed.text
    # Rotation: a new link, and the old one stops.
    rotated = client.post("/feed-links/issue/expert/E001", data={"csrf_token": token})
    assert rotated.status_code == 200 and secret not in rotated.text
    assert client.get(path).status_code == 404
    newest = api.get("/api/v1/feeds", role="staff").json()[-1]
    revoked = client.post(f"/feed-links/revoke/{newest['id']}", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert all(f["revoked_at"] for f in api.get("/api/v1/feeds", role="staff").json())
    # Revoking twice is refused with the API's reason, as a page.
    twice = client.post(f"/feed-links/revoke/{newest['id']}", data={"csrf_token": token})
    assert twice.status_code == 409 and "already revoked" in twice.text
    missing = client.post("/feed-links/issue/expert/E999", data={"csrf_token": token})
    assert missing.status_code == 404 and "E999" in missing.text


def _workbook(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_report_page_charts_and_downloads(imported: Api) -> None:
    api = imported
    viewer, _ = sign_in(api, "viewer")
    report = api.get("/api/v1/reports").json()
    page = viewer.get("/reports")
    assert page.status_code == 200
    assert '<svg class="chart"' in page.text and 'id="chart-by_application_month"' in page.text
    assert "<script" not in page.text.split("</head>", 1)[1]  # no inline script
    first_month = report["tables"][1]["rows"][0]
    assert f"{first_month['label']} 申込件数: {first_month['values']['applications']}" \
        in page.text
    download = viewer.get("/reports/haken-report.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheets = _workbook(download.content)
    assert list(sheets)[:2] == ["合計", "状況別"]
    totals = dict(row for row in sheets["合計"][1:] if row[0])
    assert totals["申込件数"] == 60
    assert totals == {report["figure_labels"][key]["ja"]: value
                      for key, value in report["totals"].items()}
    english = _workbook(api.get("/api/v1/reports.xlsx?lang=en").content)
    assert "By industry" in english
    assert english["Totals"][0] == ("Item", "Count")
    csv = viewer.get("/reports/haken-report.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")


def test_the_pages_in_english(imported: Api) -> None:
    client, token = sign_in(api := imported, "staff")
    for path, title in (("/experts", "Experts"), ("/experts/E004", "E004 "),
                        ("/feed-links", "Calendar feeds"), ("/reports", "Reports: ")):
        page = client.get(path + "?lang=en")
        assert page.status_code == 200 and f"<h1>{title}" in page.text, path
        assert '<html lang="en">' in page.text
    issued = client.post("/feed-links/issue/association/A003", data={"csrf_token": token})
    assert "New subscription link: A003" in issued.text
    assert api.get("/api/v1/feeds", role="staff").json()[0]["subject_id"] == "A003"
    english = client.get("/reports/haken-report.xlsx")  # the language chosen in the console
    assert list(_workbook(english.content))[:2] == ["Totals", "By status"]
    # A viewer's menu has no feed link.
    viewer, _ = sign_in(api, "viewer")
    assert 'href="/feed-links"' not in viewer.get("/reports").text
    assert 'href="/feed-links"' in client.get("/reports").text


def test_pages_without_a_programme_say_so(api: Api) -> None:
    client, _ = sign_in(api, "staff")
    assert "専門家は登録されていません" in client.get("/experts").text
    answer = client.get("/reports")
    assert answer.status_code == 409 and "<h1>" in answer.text
    assert isinstance(client, httpx.Client)


def test_the_application_forms_stop_at_the_records_own_length(imported: Api) -> None:
    from domain.limits import NOTE_LENGTH

    client, _ = sign_in(imported, "staff")
    page = client.get("/applications/A001").text
    fields = re.findall(r'<(?:input|textarea) id="(?:field|note)-[^"]+" name="(\w+)"'
                        r'[^>]*?maxlength="(\d+)"', page)
    assert {name for name, _ in fields} >= {"note", "reason"}, page[:2000]
    assert {int(length) for _, length in fields} == {NOTE_LENGTH}
