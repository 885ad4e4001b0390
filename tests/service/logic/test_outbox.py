"""The outbox against a real SMTP server: queued with the change, sent once, retried
with backoff after a refusal, failures kept for staff, never two workers on a message."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, update

from service.db.engine import transaction
from service.db.models import OutboxRow
from service.logic import mailer, outbox
from service.logic.outbox import Attachment, queue_message
from tests.service_support import Api, served_api, settings_for
from tests.smtp_support import smtp_server, text_of

SENDER = "事務局 <jimu@example.jp>"


def queue(url: str, count: int, prefix: str = "test") -> list[int]:
    with transaction(url) as db:
        return [queue_message(db, to=f"person{n}@example.jp", to_name=f"宛先 {n}",
                              subject=f"件名 {n} / Subject {n}", text=f"本文 {n}\n\nBody {n}",
                              key=f"{prefix}:{n}", kind="test",
                              attachments=[Attachment("memo.txt", "text/plain",
                                                      f"memo {n}".encode())]).id
                for n in range(count)]


def due_now(url: str) -> None:
    """Make every waiting message due (the backoff is what it is; the test does not wait)."""
    with transaction(url) as db:
        db.execute(update(OutboxRow).where(OutboxRow.status == "queued")
                   .values(next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))


def statuses(url: str) -> list[tuple[str, int]]:
    with transaction(url) as db:
        return [(row.status, row.attempts)
                for row in db.scalars(select(OutboxRow).order_by(OutboxRow.id))]


def test_queueing_is_idempotent_and_rolls_back_with_the_change(api: Api) -> None:
    first = queue(api.url, 2)
    assert queue(api.url, 2) == first  # the same keys: the same rows, nothing new
    try:
        with transaction(api.url) as db:
            queue_message(db, to="late@example.jp", subject="x", text="x", key="rolled-back")
            raise RuntimeError("the change fails")
    except RuntimeError:
        pass
    assert len(statuses(api.url)) == 2
    with transaction(api.url) as db, pytest.raises(ValueError, match="not an e-mail address"):
        queue_message(db, to="not an address", subject="x", text="x", key="bad")


def test_a_server_that_refuses_first_gets_each_message_exactly_once(api: Api) -> None:
    queue(api.url, 3)
    with smtp_server(refuse=2) as smtp:
        settings = settings_for(api.url, mail_from=SENDER, smtp_url=smtp.url, mail_retry_seconds=30)
        # 451 for the first: it waits (30 s backoff), and so do the rest of the round.
        assert mailer.deliver_due(settings, "w:1") == 0
        assert statuses(api.url) == [("queued", 1), ("queued", 0), ("queued", 0)]
        with transaction(api.url) as db:
            waiting = db.get(OutboxRow, 1)
            assert waiting is not None and waiting.last_error is not None
            assert "451" in waiting.last_error
            assert waiting.next_attempt_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
        # Not due yet: the next round sends the others, and the second refusal hits one.
        assert mailer.deliver_due(settings, "w:1") == 0
        assert mailer.deliver_due(settings, "w:1") == 1
        due_now(api.url)
        assert mailer.deliver_due(settings, "w:1") == 2
        assert mailer.deliver_due(settings, "w:1") == 0
        assert smtp.mailbox.refused == 2
        received = smtp.mailbox.messages()
    assert sorted(str(m["To"].addresses[0].addr_spec) for m in received) == [
        "person0@example.jp", "person1@example.jp", "person2@example.jp"]
    assert all(status == "sent" for status, _ in statuses(api.url))
    with transaction(api.url) as db:
        ids = {row.recipient: row.message_id for row in db.scalars(select(OutboxRow))}
    for message in received:
        assert message["Message-ID"] == ids[str(message["To"].addresses[0].addr_spec)]
        assert text_of(message).startswith("本文")
        assert [part.get_filename() for part in message.iter_attachments()] == ["memo.txt"]


def test_a_permanent_refusal_fails_at_once_and_staff_can_send_it_again(api: Api) -> None:
    queue(api.url, 1)
    with smtp_server(refuse=1) as smtp:
        smtp.mailbox.refusal = "550 5.1.1 No such user here"
        settings = settings_for(api.url, mail_from=SENDER, smtp_url=smtp.url)
        assert mailer.deliver_due(settings, "w:1") == 0
        assert statuses(api.url) == [("failed", 1)]
        failed = api.get("/api/v1/outbox?status=failed", role="staff").json()
        assert failed["counts"]["failed"] == 1
        assert "550" in failed["messages"][0]["last_error"]
        message_id = failed["messages"][0]["id"]
        retried = api.send("POST", f"/api/v1/outbox/{message_id}/retry")
        assert retried.status_code == 200 and retried.json()["status"] == "queued"
        assert api.send("POST", f"/api/v1/outbox/{message_id}/retry").status_code == 409
        assert api.send("POST", "/api/v1/outbox/999/retry").status_code == 404
        assert mailer.deliver_due(settings, "w:1") == 1
        assert len(smtp.mailbox.received) == 1
    assert statuses(api.url) == [("sent", 1)]


def test_the_last_attempt_fails_with_why(api: Api) -> None:
    queue(api.url, 1)
    with smtp_server(refuse=5) as smtp:
        settings = settings_for(api.url, mail_from=SENDER, smtp_url=smtp.url, mail_max_attempts=3)
        for _ in range(3):
            due_now(api.url)
            mailer.deliver_due(settings, "w:1")
        assert statuses(api.url) == [("failed", 3)]
        with transaction(api.url) as db:
            row = db.get(OutboxRow, 1)
            assert row is not None and row.last_error is not None
            assert "attempt 3 of 3; not retried" in row.last_error
        assert smtp.mailbox.received == []


def test_no_server_listening_is_a_temporary_failure(api: Api) -> None:
    queue(api.url, 2)
    with smtp_server() as smtp:
        port = smtp.port
    settings = settings_for(api.url, mail_from=SENDER, smtp_url=f"smtp://127.0.0.1:{port}",
                            smtp_timeout_seconds=5)
    assert mailer.deliver_due(settings, "w:1") == 0
    assert statuses(api.url) == [("queued", 1), ("queued", 1)]
    with transaction(api.url) as db:
        assert all("could not reach" in (row.last_error or "")
                   for row in db.scalars(select(OutboxRow)))


def test_two_workers_never_send_one_message_twice(api: Api) -> None:
    queue(api.url, 40)
    with smtp_server() as smtp:
        settings = settings_for(api.url, mail_from=SENDER, smtp_url=smtp.url)
        results: list[int] = []

        def work(name: str) -> None:
            while sent := mailer.deliver_due(settings, name):
                results.append(sent)

        threads = [threading.Thread(target=work, args=(f"w:{n}",)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        recipients = [str(m["To"].addresses[0].addr_spec) for m in smtp.mailbox.messages()]
    assert sum(results) == 40
    assert sorted(recipients) == sorted(f"person{n}@example.jp" for n in range(40))
    assert all(status == "sent" for status, _ in statuses(api.url))


def test_a_message_left_sending_by_a_dead_worker_is_not_sent_again(api: Api) -> None:
    queue(api.url, 1)
    assert outbox.claim_due(api.url, "dead:1") == [1]
    with transaction(api.url) as db:
        db.execute(update(OutboxRow).values(
            claimed_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
    with smtp_server() as smtp:
        settings = settings_for(api.url, mail_from=SENDER, smtp_url=smtp.url)
        assert mailer.deliver_due(settings, "w:1") == 0
        assert smtp.mailbox.received == []
    with transaction(api.url) as db:
        row = db.get(OutboxRow, 1)
        assert row is not None and row.status == "failed"
        assert "may have been delivered" in (row.last_error or "")


def test_haken_serve_sends_the_outbox_through_its_worker(database_url: str,
                                                         tmp_path: Path) -> None:
    queue(database_url, 2, prefix="served")
    with smtp_server() as smtp, served_api(database_url, tmp_path, HAKEN_SMTP_URL=smtp.url,
                                           HAKEN_MAIL_FROM="事務局 <jimu@example.jp>",
                                           HAKEN_MAIL_POLL_SECONDS="0.2") as api:
        for _ in range(400):  # a generous bound on polling, not a timing assertion
            if len(smtp.mailbox.received) == 2:
                break
            threading.Event().wait(0.1)
        assert len(smtp.mailbox.received) == 2
        sent = api.get("/api/v1/outbox", role="staff").json()
        assert sent["sending"] is True and sent["counts"]["sent"] == 2
        assert {r.sender for r in smtp.mailbox.received} == {"jimu@example.jp"}
