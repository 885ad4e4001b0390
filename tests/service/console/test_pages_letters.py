"""The console's letters: the application page links its decision letter; admins change a
template's wording on /letters (errors beside the field, nothing saved on error), staff
and viewers cannot."""

from __future__ import annotations

import pytest

from tests.service.console.test_pages_experts import sign_in
from tests.service_support import Api, example_document


@pytest.fixture
def imported(api: Api) -> Api:
    assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200
    return api


def test_the_application_page_links_its_letter(imported: Api) -> None:
    client, _ = sign_in(imported, "viewer")
    page = client.get("/applications/A001")
    assert 'href="/applications/A001/letter.pdf"' in page.text and "実施決定通知書" in page.text
    letter = client.get("/applications/A001/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF-")
    assert letter.headers["content-type"] == "application/pdf"
    # Before a decision there is none.
    assert "letter.pdf" not in client.get("/applications/A056").text
    assert client.get("/applications/A056/letter.pdf").status_code == 409


def test_admins_change_the_wording_on_the_letters_page(imported: Api) -> None:
    api = imported
    client, token = sign_in(api, "admin")
    page = client.get("/letters")
    assert page.status_code == 200
    assert 'id="acceptance-body"' in page.text and "{association_name}" in page.text
    bad = client.post("/letters/acceptance", data={
        "csrf_token": token, "version": "0", "title": "実施決定通知書",
        "body": "{association_nmae} 御中"})
    assert bad.status_code == 422
    assert 'id="acceptance-body-error"' in bad.text and "{association_nmae}" in bad.text
    assert api.get("/api/v1/letter-templates/acceptance").json()["is_default"] is True
    good = client.post("/letters/acceptance", data={
        "csrf_token": token, "version": "0", "title": "実施決定のお知らせ",
        "body": "{association_name} 御中\r\n\r\n{decided_on}に決定しました。"})
    assert good.status_code == 303, good.text
    saved = api.get("/api/v1/letter-templates/acceptance").json()
    assert saved["title"] == "実施決定のお知らせ"
    assert saved["body"] == "{association_name} 御中\n\n{decided_on}に決定しました。"
    stale = client.post("/letters/acceptance", data={
        "csrf_token": token, "version": "0", "title": "別の表題", "body": "本文"})
    assert stale.status_code == 412
    assert api.get("/api/v1/letter-templates/acceptance").json()["title"] == "実施決定のお知らせ"
    reset = client.post("/letters/acceptance", data={
        "csrf_token": token, "version": "1", "title": "", "body": "", "reset": "yes"})
    assert reset.status_code == 303
    assert api.get("/api/v1/letter-templates/acceptance").json()["is_default"] is True


def test_staff_cannot_change_a_template(imported: Api) -> None:
    client, token = sign_in(imported, "staff")
    page = client.get("/letters")
    assert page.status_code == 200 and "管理者のみ" in page.text
    answer = client.post("/letters/rejection", data={
        "csrf_token": token, "version": "0", "title": "表題", "body": "本文"})
    assert answer.status_code == 403
    assert imported.get("/api/v1/letter-templates/rejection").json()["is_default"] is True
