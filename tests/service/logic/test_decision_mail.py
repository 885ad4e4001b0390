"""The decision letter is e-mailed with the decision: queued in the decision's own
transaction (API and the console's bulk decision), once, to the association's contact, and
delivered by the worker to a real SMTP server with the PDF attached, whose text pdftotext
reads back in Japanese. A decision refused queues nothing."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from domain.japanese_dates import wareki
from service.db.engine import transaction
from service.db.models import OutboxRow
from service.logic import mailer
from tests.service.api.routes.test_letters import PDFFONTS, PDFTOTEXT, pdf_text
from tests.service.working_day_support import console, tokyo_today, working_day_document
from tests.service_support import Api, settings_for
from tests.smtp_support import smtp_server, text_of

pytestmark = pytest.mark.skipif(
    PDFTOTEXT is None or PDFFONTS is None,
    reason="Debian's poppler-utils (pdftotext, pdffonts) is not installed (.ci/run installs it)")
SENDER = "jimukyoku@example.jp"


def contact_of(association_id: str) -> dict[str, str]:
    return {"name": f"担当 {association_id}", "email": f"{association_id.lower()}@example.jp",
            "phone": "03-1234-5678"}


@pytest.fixture
def decided(api: Api) -> Api:
    """The working-day programme with a contact for each application not decided yet."""
    document: dict[str, Any] = working_day_document()
    for record in document["associations"]:
        if record["id"] in ("A3", "A4", "A5", "A7"):
            record["contact"] = contact_of(record["id"])
    answer = api.send("PUT", "/api/v1/scenario", body=document)
    assert answer.status_code == 200, answer.text
    return api


def outbox_rows(url: str) -> list[OutboxRow]:
    with transaction(url) as db:
        rows = list(db.scalars(select(OutboxRow).order_by(OutboxRow.id)))
        db.expunge_all()
        return rows


def screen(api: Api, association_id: str) -> None:
    for item in ("legal_form", "tokyo_address", "no_tax_arrears", "no_serious_violations",
                 "no_unpaid_metropolitan_tax", "not_adult_entertainment",
                 "not_organized_crime", "not_harmful_group", "not_religious_political",
                 "labour_law_compliance"):
        answer = api.send("PUT", f"/api/v1/associations/{association_id}/eligibility/{item}",
                          body={"passed": True})
        assert answer.status_code == 200, answer.text


def move(api: Api, association_id: str, body: dict[str, Any]) -> Any:
    etag = api.get(f"/api/v1/associations/{association_id}").headers["ETag"]
    return api.send("POST", f"/api/v1/associations/{association_id}/transitions", body=body,
                    if_match=etag)


def attached_pdf(message: EmailMessage) -> tuple[str, bytes]:
    for part in message.iter_attachments():
        if part.get_content_type() == "application/pdf":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            return str(part.get_filename()), data
    raise AssertionError(f"no PDF attached to {message['Subject']}")


def test_acceptance_and_rejection_are_mailed_with_their_letters(decided: Api,
                                                                tmp_path: Path) -> None:
    api = decided
    screen(api, "A4")
    accepted = move(api, "A4", {"to": "accepted", "reason": "要件をすべて満たす"})
    assert accepted.status_code == 200, accepted.text
    rejected = move(api, "A3", {"to": "rejected", "reason": "都内に主たる事務所がないため",
                                "decided_on": (tokyo_today() - dt.timedelta(days=1))
                                .isoformat()})
    assert rejected.status_code == 200, rejected.text
    rows = outbox_rows(api.url)
    assert [(row.key, row.recipient, row.kind) for row in rows] == [
        ("decision:A4:acceptance", "a4@example.jp", "decision"),
        ("decision:A3:rejection", "a3@example.jp", "decision")]

    with smtp_server() as smtp:
        settings = settings_for(api.url, mail_from=SENDER, smtp_url=smtp.url)
        assert mailer.deliver_due(settings, "w:1") == 2
        assert mailer.deliver_due(settings, "w:1") == 0  # never twice
        received = {str(m["To"].addresses[0].addr_spec): m for m in smtp.mailbox.messages()}
    assert set(received) == {"a4@example.jp", "a3@example.jp"}

    acceptance = received["a4@example.jp"]
    assert "実施決定通知書" in str(acceptance["Subject"])
    body = text_of(acceptance)
    assert "専門家派遣の実施が決定しました" in body and "decided to send experts" in body
    assert body.index("担当 A4 様") < body.index("Dear 担当 A4,")  # Japanese first
    filename, data = attached_pdf(acceptance)
    assert filename == "acceptance-letter-A4.pdf"
    text = pdf_text(data, tmp_path)
    assert "東京都テスト協同組合 A4 御中" in text and "担当 A4 様" in text
    assert "実施決定通知書" in text and "専門家派遣の実施決定" in text
    assert wareki(tokyo_today()) in text

    rejection = received["a3@example.jp"]
    filename, data = attached_pdf(rejection)
    assert filename == "rejection-letter-A3.pdf"
    text = pdf_text(data, tmp_path)
    assert "東京都テスト協同組合 A3 御中" in text and "不採択通知書" in text
    assert "都内に主たる事務所がないため" in text
    assert wareki(tokyo_today() - dt.timedelta(days=1)) in text
    assert "実施決定通知書" not in text


def test_a_refused_decision_queues_nothing(decided: Api) -> None:
    api = decided
    # A5 is not screened: accepting it is refused, and no letter goes out.
    refused = move(api, "A5", {"to": "accepted", "reason": "要件を満たす"})
    assert refused.status_code == 409, refused.text
    # No reason: refused before anything is written.
    no_reason = move(api, "A3", {"to": "rejected"})
    assert no_reason.status_code == 422
    # The call recorded: not a decision, no letter.
    called = move(api, "A3", {"to": "interviewed", "note": "会員50社"})
    assert called.status_code == 200, called.text
    assert outbox_rows(api.url) == []


def test_an_association_without_an_address_is_decided_without_mail(decided: Api) -> None:
    api = decided
    # A1 (accepted, no contact) is withdrawn: not a decision letter either.
    assert move(api, "A1", {"to": "withdrawn", "reason": "辞退"}).status_code == 200
    assert outbox_rows(api.url) == []


def test_the_bulk_decision_mails_each_decided_one_and_nothing_for_the_refused(
        decided: Api) -> None:
    api = decided
    screen(api, "A4")
    client, token = console(api)
    versions = {i: int(api.get(f"/api/v1/associations/{i}").headers["ETag"].strip('"'))
                for i in ("A4", "A5")}
    answer = client.post("/applications/bulk", data={
        "csrf_token": token, "to": "accepted", "reason": "要件を満たす",
        "chosen": [f"A4:{versions['A4']}", f"A5:{versions['A5']}"]})
    assert answer.status_code == 200, answer.text
    assert [(row.key, row.recipient) for row in outbox_rows(api.url)] == [
        ("decision:A4:acceptance", "a4@example.jp")]
    # Sent again (a double click with the old versions): stale, nothing more queued.
    again = client.post("/applications/bulk", data={
        "csrf_token": token, "to": "accepted", "reason": "要件を満たす",
        "chosen": [f"A4:{versions['A4']}"]})
    assert again.status_code == 200
    assert len(outbox_rows(api.url)) == 1
