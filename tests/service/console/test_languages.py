"""Every console page in both languages: the text tables are total (each key, each status,
reason and checklist item in Japanese and English), and a Japanese page shows none of the
English words those tables translate (an untranslated status or reason is a failing test,
not a page a user finds)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from html.parser import HTMLParser
from typing import get_args

import pytest
from fastapi.routing import APIRoute

import service.console
from domain.vocabulary import (
    MODE_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    UNSERVED_REASON_LABELS,
    WEEKDAY_LABELS,
    AssociationMode,
    Phase,
    Status,
    UnservedReason,
    Weekday,
)
from service.console.texts import TEXTS
from service.console.texts_working_day import JOB_STATUS_LABELS, ROLE_LABELS
from service.logic.applications import ELIGIBILITY
from service.logic.jobs import JobStatus
from service.logic.tokens import Role
from tests.service.working_day_support import console, imported, published_plan
from tests.service_support import Api

# The words the tables translate: none may stand on a Japanese page as it is.
ENGLISH_VALUES = sorted({
    *get_args(Status), *get_args(JobStatus), *get_args(UnservedReason), *get_args(Role),
    "draft", "published", "superseded", "scheduled", "pinned", "held",
    *get_args(AssociationMode), "not checked", "not met",
    *(label.en for label in ELIGIBILITY.values()),
}, key=len, reverse=True)
# Not a word a reader meets, but a name (ids like "test-staff", "held_record").
WORD = r"(?<![\w\-]){}(?![\w\-])"


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles, and nothing marked
    as being in another language (the language switch says "English" in English)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden = tag in ("script", "style") or dict(attrs).get("lang") == "en"
        if (hidden or self.skipping) and tag not in ("br", "input", "img", "meta", "link"):
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def english_leaks(html: str) -> list[str]:
    text = visible_text(html)
    return [value for value in ENGLISH_VALUES
            if re.search(WORD.format(re.escape(value)), text)]


def test_every_text_has_both_languages() -> None:
    for key, label in TEXTS.items():
        assert label.ja.strip() and label.en.strip(), key


@pytest.mark.parametrize("table,values", [
    (STATUS_LABELS, get_args(Status)), (UNSERVED_REASON_LABELS, get_args(UnservedReason)),
    (MODE_LABELS, get_args(AssociationMode)), (PHASE_LABELS, get_args(Phase)),
    (WEEKDAY_LABELS, get_args(Weekday)), (JOB_STATUS_LABELS, get_args(JobStatus)),
    (ROLE_LABELS, get_args(Role)),
])
def test_every_enumeration_value_has_both_languages(table: dict[str, object],
                                                    values: tuple[str, ...]) -> None:
    assert set(table) == set(values)
    for value in values:
        label = table[value]
        assert label.ja.strip() and label.en.strip(), value
        # The Japanese label is Japanese, not the key left in place.
        assert label.ja != value, value


def test_the_scan_finds_a_leak() -> None:
    """The scan itself can fail: the leaks the issue saw are found, ids are not."""
    assert english_leaks("<p>ジョブ: succeeded</p>") == ["succeeded"]
    assert english_leaks("<td>申請状況が「withdrawn」のため</td>") == ["withdrawn"]
    assert english_leaks('<p>test-staff <a lang="en" href="?">English</a></p>') == []
    assert english_leaks('<option value="accepted">実施決定</option>') == []


# Console GET paths that are not pages: downloads, the event stream, static files.
NOT_PAGES = {"/planning/jobs/{job_id}/events", "/reports/haken-report.xlsx",
             "/reports/haken-report.csv", "/applications/{association_id}/letter.pdf",
             "/letters/{kind}/sample.pdf", "/payments/months/{month}/statements.pdf",
             "/payments/months/{month}/statements.xlsx", "/payments/months/{month}/zengin.txt",
             "/payments/years/{year}.xlsx"}
# Pages that need a record this test does not make yet (a receipt, a self-service link, a
# queued message); their own tests render them. Listed so that a new page still fails here.
NOT_RENDERED_HERE = {"/apply/received/{number}", "/my/{secret}", "/my/{secret}/availability",
                     "/my/{secret}/sessions/{session_id}", "/outbox/{message_id}",
                     # options for an association the plan leaves out, or a session to move
                     "/applications/{association_id}/options",
                     "/planning/sessions/{session_id}/options"}


def console_routes() -> list[APIRoute]:
    """The routes of every console page module (service/console/pages_*.py)."""
    found = []
    for info in pkgutil.iter_modules(service.console.__path__):
        if info.name.startswith("pages_"):
            module = importlib.import_module(f"service.console.{info.name}")
            found += [r for r in module.router.routes if isinstance(r, APIRoute)]
    return found


def test_every_console_page_in_both_languages(api: Api) -> None:
    imported(api)
    plan_id = published_plan(api)
    job_id = api.get("/api/v1/jobs").json()[0]["id"]
    session_id = api.get("/api/v1/sessions?association_id=A1").json()[0]["id"]
    pages = {
        "/": "/", "/applications": "/applications?sort=next_session",
        "/applications/{association_id}": ["/applications/A1", "/applications/A3",
                                           "/applications/A5", "/applications/A6"],
        "/experts": "/experts", "/experts/{expert_id}": "/experts/E1",
        "/feed-links": "/feed-links",
        "/planning": [f"/planning?plan={plan_id}", f"/planning?job={job_id}"],
        "/planning/calendar": f"/planning/calendar?plan={plan_id}&subject=association:A1",
        "/planning/timeline": f"/planning/timeline?plan={plan_id}",
        "/planning/changes": f"/planning/changes?plan={plan_id}",
        "/planning/replacements": "/planning/replacements",
        "/planning/replacements/{session_id}": f"/planning/replacements/{session_id}",
        "/reports": "/reports",
        "/print/expert/{expert_id}": "/print/expert/E1",
        "/print/association/{association_id}": "/print/association/A1",
        "/print/week": "/print/week",
        "/signin": "/signin",
        "/apply": "/apply", "/letters": "/letters", "/outbox": "/outbox",
        "/contacts/{kind}/{subject_id}": ["/contacts/expert/E1", "/contacts/association/A1"],
        "/sessions": "/sessions", "/payments": "/payments",
        "/payments/payees/{expert_id}": "/payments/payees/E1",
    }
    console_pages = {route.path for route in console_routes() if "GET" in route.methods}
    # A new page must be added here, and so checked in both languages.
    assert console_pages - NOT_PAGES - NOT_RENDERED_HERE == set(pages), (
        console_pages ^ set(pages))
    client, _ = console(api, "admin")
    for listed in pages.values():
        for path in [listed] if isinstance(listed, str) else listed:
            for lang in ("ja", "en"):
                joined = "&" if "?" in path else "?"
                page = client.get(f"{path}{joined}lang={lang}")
                assert page.status_code == 200, (path, lang, page.text[:300])
                assert f'<html lang="{lang}">' in page.text, (path, lang)
                if lang == "ja":
                    assert english_leaks(page.text) == [], (path, english_leaks(page.text))


def test_a_text_key_given_different_words_twice_is_refused() -> None:
    from domain.vocabulary import Label
    from service.console import texts

    key = next(iter(TEXTS))
    with pytest.raises(RuntimeError, match=key):
        texts._take_in({key: Label(TEXTS[key].ja + "（別）", TEXTS[key].en + " (other)")})
    texts._take_in({key: TEXTS[key]})  # the same words again are no clash
