"""Decision letters on SQLite and PostgreSQL: the PDF's text read back with pdftotext shows
the association, the decision and the date in Japanese, with every font embedded; the
templates change only by admins, with known placeholders and the version read."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.letters import FONT_SETTING
from tests.service_support import Api, example_document

PDFTOTEXT = shutil.which("pdftotext")
PDFFONTS = shutil.which("pdffonts")
pytestmark = pytest.mark.skipif(
    PDFTOTEXT is None or PDFFONTS is None,
    reason="Debian's poppler-utils (pdftotext, pdffonts) is not installed (.ci/run installs it)")


def pdf_text(data: bytes, folder: Path) -> str:
    """The PDF's text as pdftotext reads it, with runs of spaces made one."""
    assert data.startswith(b"%PDF-")
    path = folder / "letter.pdf"
    path.write_bytes(data)
    assert PDFTOTEXT is not None and PDFFONTS is not None
    fonts = subprocess.run([PDFFONTS, str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, fonts.stdout
    for row in rows:  # the "emb" column of every font says yes
        assert re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row), fonts.stdout
    out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         check=True)
    return re.sub(r"[ \u3000]+", " ", out.stdout.decode("utf-8"))


@pytest.fixture
def imported(api: Api) -> Api:
    assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200
    return api


def name_of(api: Api, association_id: str) -> str:
    name: str = api.get(f"/api/v1/associations/{association_id}").json()["name"]
    return name


def test_an_accepted_application_has_its_notice_of_decision(imported: Api,
                                                            tmp_path: Path) -> None:
    api = imported
    record = api.get("/api/v1/associations/A001").json()
    assert record["status"] == "accepted"
    answer = api.get("/api/v1/associations/A001/letter")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert 'filename="acceptance-letter-A001.pdf"' in answer.headers["content-disposition"]
    text = pdf_text(answer.content, tmp_path)
    year, month, day = (int(part) for part in record["decided_on"].split("-"))
    assert year >= 2019
    era_year = "元" if year == 2019 else str(year - 2018)
    assert f"令和{era_year}年{month}月{day}日" in text
    assert "実施決定通知書" in text and "専門家派遣の実施決定" in text
    assert f"{record['name']} 御中" in text
    assert "令和7年度 団体向け専門家派遣" in text


def test_a_rejected_application_has_its_letter_with_the_reason(imported: Api,
                                                               tmp_path: Path) -> None:
    api = imported
    before = api.get("/api/v1/associations/A056")
    assert before.json()["status"] == "received"
    # No letter before the decision.
    early = api.get("/api/v1/associations/A056/letter")
    assert early.status_code == 409 and "accepted or rejected" in early.json()["detail"]
    moved = api.send("POST", "/api/v1/associations/A056/transitions",
                     body={"to": "rejected", "reason": "都内に主たる事務所がないため",
                           "decided_on": "2025-08-04"},
                     if_match=before.headers["ETag"])
    assert moved.status_code == 200, moved.text
    text = pdf_text(api.get("/api/v1/associations/A056/letter").content, tmp_path)
    assert "不採択通知書" in text and "都内に主たる事務所がないため" in text
    assert "令和7年8月4日" in text and name_of(api, "A056") in text
    assert "実施決定通知書" not in text


def test_admins_edit_the_template_and_letters_follow(imported: Api, tmp_path: Path) -> None:
    api = imported
    read = api.get("/api/v1/letter-templates/acceptance")
    assert read.status_code == 200 and read.headers["ETag"] == '"0"'
    assert read.json()["is_default"] is True and "{association_name}" in read.json()["body"]
    wording = {"title": "支援決定のお知らせ",
               "body": "{association_name}の皆様\n\n{decided_on_western}付けで{decision}。"}
    path = "/api/v1/letter-templates/acceptance"
    assert api.send("PUT", path, "staff", wording, if_match='"0"').status_code == 403
    assert api.send("PUT", path, "admin", wording).status_code == 428
    bad = api.send("PUT", path, "admin", {**wording, "body": "{association_nmae}様"},
                   if_match='"0"')
    assert bad.status_code == 422 and "{association_nmae}" in bad.text
    assert api.get(path).json()["is_default"] is True  # nothing saved
    saved = api.send("PUT", path, "admin", wording, if_match='"0"')
    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] == '"1"' and saved.json()["updated_by"] == "test-admin"
    assert api.send("PUT", path, "admin", wording, if_match='"0"').status_code == 412

    record = api.get("/api/v1/associations/A001").json()
    text = pdf_text(api.get("/api/v1/associations/A001/letter").content, tmp_path)
    year, month, day = (int(part) for part in record["decided_on"].split("-"))
    assert "支援決定のお知らせ" in text
    assert f"{record['name']}の皆様" in text
    assert f"{year}年{month}月{day}日付けで専門家派遣の実施決定。" in text

    reset = api.send("DELETE", path, "admin", if_match='"1"')
    assert reset.status_code == 200 and reset.json()["is_default"] is True
    text = pdf_text(api.get("/api/v1/associations/A001/letter").content, tmp_path)
    assert "実施決定通知書" in text
    audit = api.get("/api/v1/audit", "staff", params={"entity": "letter_template"}).json()
    assert [entry["action"] for entry in audit] == ["reset", "update"]


def test_a_sample_shows_the_template_on_paper(imported: Api, tmp_path: Path) -> None:
    answer = imported.get("/api/v1/letter-templates/rejection/sample")
    assert answer.status_code == 200
    text = pdf_text(answer.content, tmp_path)
    assert "不採択通知書" in text and "令和7年7月16日" in text
    assert imported.get("/api/v1/letter-templates/other/sample").status_code == 422


def test_without_a_japanese_font_the_letter_says_what_to_install(
        imported: Api, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(FONT_SETTING, str(tmp_path / "missing.ttf"))
    answer = imported.get("/api/v1/associations/A001/letter")
    assert answer.status_code == 503
    assert FONT_SETTING in json.loads(answer.text)["detail"]
