"""SMTP as HAKEN_SMTP_URL says: STARTTLS then a password on ``smtp://``, TLS from the
start on ``smtps://``, a wrong password kept as a temporary failure; and the message
built the same on every attempt (iMIP layout, Message-ID, Date)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from service.db.engine import transaction
from service.db.models import OutboxRow
from service.logic import mailer
from service.logic.outbox import CalendarPart, queue_message
from tests.service_support import Api, settings_for
from tests.smtp_support import Mailbox, calendar_parts, free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None,
                                reason="openssl makes the test server's certificate")
USER, PASSWORD = "haken", "s3cret pass/word"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=True: no reply would be sent


@contextmanager
def tls_server(certificate: tuple[Path, Path], implicit: bool) -> Iterator[tuple[Mailbox, int]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    mailbox, port = Mailbox(), free_port()
    options: dict[str, Any] = {"authenticator": _authenticate, "auth_require_tls": True}
    if implicit:  # TLS from the start: aiosmtpd cannot tell, so it must not ask for STARTTLS
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, ssl_context=context,
                                **{**options, "auth_require_tls": False})
    else:
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, **options)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def queue_one(url: str) -> None:
    with transaction(url) as db:
        queue_message(db, to="sato@example.jp", to_name="佐藤 一郎", subject="件名 / Subject",
                      text="本文\n\nBody", key="tls:1",
                      calendar=CalendarPart("REQUEST", b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n"
                                                       b"END:VCALENDAR\r\n"))


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtps"])
def test_tls_and_a_password(api: Api, certificate: tuple[Path, Path], implicit: bool) -> None:
    queue_one(api.url)
    scheme = "smtps" if implicit else "smtp"
    with tls_server(certificate, implicit) as (mailbox, port):
        wrong = settings_for(api.url, smtp_url=f"{scheme}://{USER}:nope@127.0.0.1:{port}",
                             mail_from="jimu@example.jp", smtp_verify_tls=False)
        assert mailer.deliver_due(wrong, "w:1") == 0
        with transaction(api.url) as db:
            row = db.get(OutboxRow, 1)
            assert row is not None and row.status == "queued"
            assert "authentication failed" in (row.last_error or "")
            row.next_attempt_at = row.created_at
        url = f"{scheme}://{USER}:s3cret%20pass%2Fword@127.0.0.1:{port}"
        settings = settings_for(api.url, smtp_url=url, mail_from="jimu@example.jp",
                                smtp_verify_tls=False)
        assert mailer.deliver_due(settings, "w:1") == 1
        (message,) = mailbox.messages()
    assert [method for method, _ in calendar_parts(message)] == ["REQUEST"]
    assert str(message["Subject"]) == "件名 / Subject"


def test_a_certificate_that_is_not_trusted_is_refused(api: Api,
                                                      certificate: tuple[Path, Path]) -> None:
    queue_one(api.url)
    with tls_server(certificate, implicit=True) as (mailbox, port):
        settings = settings_for(api.url, smtp_url=f"smtps://{USER}:x@127.0.0.1:{port}",
                                mail_from="jimu@example.jp")  # verification on
        assert mailer.deliver_due(settings, "w:1") == 0
        assert mailbox.received == []
    with transaction(api.url) as db:
        row = db.get(OutboxRow, 1)
        assert row is not None and "CERTIFICATE_VERIFY_FAILED" in (row.last_error or "")


def test_every_attempt_builds_the_same_message(api: Api) -> None:
    queue_one(api.url)
    with transaction(api.url) as db:
        row = db.get(OutboxRow, 1)
        assert row is not None
        first = mailer.build_message(row, "jimu@example.jp").as_bytes()
        again = mailer.build_message(row, "jimu@example.jp").as_bytes()
    # The MIME boundaries are random; everything else is the row's.
    strip = [line for line in first.splitlines() if b"===" not in line]
    assert strip == [line for line in again.splitlines() if b"===" not in line]
    assert f"Message-ID: {row.message_id}".encode() in first
