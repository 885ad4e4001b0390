"""Sending the outbox over SMTP with the standard library (``smtplib``, ``email``).

``HAKEN_SMTP_URL`` says where: ``smtp://user:password@host:587`` speaks STARTTLS
(required before a password is sent, unless the server is on loopback),
``smtps://user:password@host:465`` TLS from the start. Each message is built from
its outbox row alone, so every attempt sends the same message with the same
Message-ID and Date.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.scenario import Programme
from service.config import Settings
from service.db.engine import transaction
from service.db.models import OutboxRow
from service.logic import outbox
from service.logic.outbox import Attachment

log = logging.getLogger("haken.mail")
_told_no_sender = threading.Event()


def sender_address(settings: Settings, programme: Programme | None) -> str | None:
    """The From of every message: HAKEN_MAIL_FROM, else the programme's secretariat_email."""
    if settings.mail_from:
        return settings.mail_from
    return programme.secretariat_email if programme is not None else None


def secretariat_address(settings: Settings, programme: Programme | None) -> str | None:
    """Where staff reminders go and who organises invitations: the programme's
    secretariat_email, else the address of HAKEN_MAIL_FROM."""
    if programme is not None and programme.secretariat_email:
        return programme.secretariat_email
    return parseaddr(settings.mail_from)[1] if settings.mail_from else None


def build_message(row: OutboxRow, sender: str) -> EmailMessage:
    """The MIME message of an outbox row (RFC 6047 layout when it carries a calendar):

    multipart/mixed
      multipart/alternative: text/plain, text/calendar; method=...
      the calendar again as an .ics attachment (application/ics), then the attachments
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = Address(display_name=row.recipient_name, addr_spec=row.recipient) \
        if row.recipient_name else row.recipient
    message["Subject"] = row.title
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(row.text, subtype="plain", charset="utf-8")
    if row.calendar is not None:
        data = row.calendar["data"].encode("utf-8")
        method = row.calendar["method"]
        message.add_alternative(data, maintype="text", subtype="calendar", cte="base64",
                                params={"method": method, "charset": "utf-8"})
        # application/ics, so a client reads the invitation once, from the part above.
        message.add_attachment(data, maintype="application", subtype="ics",
                               filename=row.calendar.get("filename", "invitation.ics"))
    for record in row.attachments:
        attachment = Attachment.from_record(record)
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=attachment.filename, params=attachment.params or None)
    return message


@dataclass(frozen=True)
class Refusal(Exception):
    """The server (or the way to it) refused a message: ``permanent`` for a 5xx."""

    reason: str
    permanent: bool


def _refusal(error: Exception) -> Refusal:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        text = "; ".join(f"{to}: {code} {reply.decode('utf-8', 'replace')}"
                         for to, (code, reply) in error.recipients.items())
        return Refusal(f"recipient refused: {text}", all(code >= 500 for code in codes))
    if isinstance(error, smtplib.SMTPAuthenticationError):  # a setting to fix; retried
        return Refusal(f"SMTP authentication failed: {error.smtp_code}", False)
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") \
            if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        return Refusal(f"SMTP {error.smtp_code} {reply}", error.smtp_code >= 500)
    return Refusal(f"could not reach the SMTP server: {type(error).__name__}: {error}", False)


def _on_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpConnection:
    """One SMTP session as HAKEN_SMTP_URL says; a context manager."""

    def __init__(self, settings: Settings) -> None:
        if settings.smtp_url is None:
            raise ValueError("HAKEN_SMTP_URL is not set")
        self.settings = settings
        parts = urlsplit(settings.smtp_url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or ""
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else ""
        self.client: smtplib.SMTP | None = None

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.settings.smtp_verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def __enter__(self) -> SmtpConnection:
        timeout = self.settings.smtp_timeout_seconds
        client: smtplib.SMTP
        try:
            if self.implicit_tls:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout,
                                          context=self._tls())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise _refusal(error) from None
        self.client = client
        try:
            client.ehlo()
            if not self.implicit_tls:
                if client.has_extn("starttls"):
                    client.starttls(context=self._tls())
                    client.ehlo()
                elif self.user is not None and not _on_loopback(self.host):
                    raise Refusal(f"{self.host} offers no STARTTLS; the password is not "
                                  "sent in the clear (use smtps:// or a server with TLS)",
                                  False)
            if self.user is not None:
                client.login(self.user, self.password)
        except Refusal:
            self.close()
            raise
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise _refusal(error) from None
        return self

    def send(self, message: EmailMessage) -> None:
        assert self.client is not None
        try:
            self.client.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise _refusal(error) from None

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None

    def __exit__(self, *_: object) -> None:
        self.close()


def programme_of(db: Session) -> Programme | None:
    from service.db.models import ProgrammeRow
    from service.logic.state import PROGRAMME_ID

    row = db.get(ProgrammeRow, PROGRAMME_ID)
    return Programme.model_validate(row.data) if row is not None else None


def sending_state(settings: Settings, programme: Programme | None) -> str | None:
    """Why nothing is sent now (None: the outbox is being sent)."""
    if settings.smtp_url is None:
        return "HAKEN_SMTP_URL is not set: nothing is sent"
    if sender_address(settings, programme) is None:
        return "no sender address: set HAKEN_MAIL_FROM or the programme's secretariat_email"
    return None


def deliver_due(settings: Settings, worker_id: str,
                stopping: threading.Event | None = None,
                connect: Callable[[Settings], SmtpConnection] = SmtpConnection) -> int:
    """Send the messages that are due, over one SMTP session; returns how many were sent.

    Nothing is claimed while HAKEN_SMTP_URL or a sender address is missing: the outbox
    keeps the messages for staff (``sending_state`` says why).
    """
    if settings.smtp_url is None:
        return 0
    url = settings.database_url
    for stale in outbox.take_back_stale(url, settings):
        log.warning("message %s was left sending by a silent worker; marked failed", stale)
    with transaction(url) as db:
        sender = sender_address(settings, programme_of(db))
    if sender is None:  # nothing claimed: the messages wait, and staff are told why
        if not _told_no_sender.is_set():  # once per process, not every round
            _told_no_sender.set()
            log.warning("the outbox is not sent: no sender address (set HAKEN_MAIL_FROM or "
                        "the programme's secretariat_email)")
        return 0
    claimed = outbox.claim_due(url, worker_id)
    if not claimed:
        return 0
    with transaction(url) as db:
        rows = {row.id: row for row in db.scalars(select(OutboxRow)
                                                  .where(OutboxRow.id.in_(claimed)))}
    sent = 0
    left = list(claimed)
    try:
        with connect(settings) as smtp:
            while left:
                if stopping is not None and stopping.is_set():
                    break
                message_id = left[0]
                try:
                    smtp.send(build_message(rows[message_id], sender))
                except Refusal as refusal:
                    left.pop(0)
                    status = outbox.mark_refused(url, message_id, worker_id, refusal.reason,
                                                 permanent=refusal.permanent,
                                                 settings=settings)
                    log.warning("message %s refused (%s): %s", message_id, status,
                                refusal.reason)
                    if not refusal.permanent:
                        break  # the server is not taking mail now: the rest wait too
                    continue
                left.pop(0)
                outbox.mark_sent(url, message_id, worker_id)
                sent += 1
    except Refusal as refusal:  # no session at all: every claimed message waits
        for message_id in left:
            outbox.mark_refused(url, message_id, worker_id, refusal.reason,
                                permanent=False, settings=settings)
        log.warning("SMTP unavailable: %s", refusal.reason)
        return sent
    outbox.release(url, left, worker_id)
    return sent
