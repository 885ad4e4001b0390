"""Settings of the HTTP service and its workers, from ``HAKEN_*`` environment variables."""

from __future__ import annotations

import ipaddress
import logging
import socket
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAKEN_", extra="ignore")

    # SQLite (WAL) by default; ``postgresql+psycopg://user@host/db`` for PostgreSQL.
    database_url: str = "sqlite:///./haken.db"
    # Seconds between a worker's heartbeats, and the silence after which its job is
    # taken back (retried, or failed once ``job_max_attempts`` is used up).
    worker_heartbeat_seconds: float = Field(default=2.0, gt=0)
    worker_stale_seconds: float = Field(default=30.0, gt=0)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    job_max_attempts: int = Field(default=2, ge=1)
    # Failed authentications allowed per client address in one window; past them, unknown
    # tokens from that address get 429 (a valid token is always let in).
    auth_failures_allowed: int = Field(default=10, ge=1)
    auth_failure_window_seconds: float = Field(default=60.0, gt=0)
    # Posts of the public application form (/apply) allowed per client address in one
    # window, valid or not; past them, 429 until the oldest leaves the window.
    apply_posts_allowed: int = Field(default=20, ge=1)
    apply_window_seconds: float = Field(default=3600.0, gt=0)
    # Addresses or networks of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed, comma-separated; none by default.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The address users and calendar servers reach the service at (behind TLS:
    # ``https://haken.example.org``): feed links, the console's origin check, HSTS. Unset,
    # ``haken serve`` uses the address it listens on and warns.
    public_base_url: str | None = None

    # Request bodies past these sizes are refused (413) as they are read: JSON and forms
    # (a 5000 x 1000 scenario is about 7 MB), and a spreadsheet upload.
    max_json_bytes: int = Field(default=16 * 2**20, ge=1024)
    max_upload_bytes: int = Field(default=8 * 2**20, ge=1024)
    # What one uploaded sheet may unpack to (an .xlsx is a zip) and hold, so that a small
    # hostile file cannot take the server's memory (422 past them).
    max_sheet_unpacked_bytes: int = Field(default=64 * 2**20, ge=1024)
    max_sheet_cells: int = Field(default=1_000_000, ge=100)

    # E-mail (the outbox): ``smtp://user:pass@host:587`` (STARTTLS) or ``smtps://...:465``
    # (implicit TLS); unset, nothing is sent and the console shows what waits.
    smtp_url: str | None = None
    # The From address of every message; the programme's secretariat_email when unset.
    mail_from: str | None = None
    # Verify the SMTP server's TLS certificate; off only for a test server on loopback.
    smtp_verify_tls: bool = True
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    mail_poll_seconds: float = Field(default=5.0, gt=0)
    # How often a worker looks for reminders now due (each is queued once in any case).
    reminder_scan_seconds: float = Field(default=300.0, gt=0)
    # A refused message is tried again after this, doubled for each attempt up to the cap.
    mail_retry_seconds: float = Field(default=60.0, gt=0)
    mail_retry_max_seconds: float = Field(default=3600.0, gt=0)
    mail_max_attempts: int = Field(default=10, ge=1)
    # A message claimed longer ago than this by a worker that never finished is not sent
    # again (it may have been delivered): it is marked failed for staff to look at.
    mail_stale_seconds: float = Field(default=600.0, gt=0)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network "
                                 "(e.g. 10.0.0.5 or 10.0.0.0/24)") from None
        return value

    @field_validator("public_base_url")
    @classmethod
    def _is_a_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname \
                or parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(f"{value!r} is not an http(s) address such as "
                             "https://haken.example.org (no query, fragment or user)")
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _is_an_smtp_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("HAKEN_SMTP_URL must look like smtp://user:password@host:587 "
                             "(STARTTLS) or smtps://user:password@host:465 (implicit TLS)")
        try:
            parts.port  # noqa: B018 (raises for a port that is not a number)
        except ValueError:
            raise ValueError(f"HAKEN_SMTP_URL has a port that is not a number: "
                             f"{parts.netloc.rsplit('@', 1)[-1]}") from None
        return value

    @field_validator("mail_from")
    @classmethod
    def _is_an_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from email.utils import parseaddr

        from domain.limits import email_address

        email_address(parseaddr(value)[1] or value)
        return value

    def listening_on(self, host: str, port: int) -> Settings:
        """These settings with the public address, when unset, made from where the server
        listens (a wildcard address by this machine's name); says so as a warning."""
        if self.public_base_url is not None:
            return self
        name = socket.getfqdn() if host in ("0.0.0.0", "::", "") else host
        base = f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"
        logger.warning("HAKEN_PUBLIC_BASE_URL is not set: feed links and the console's "
                       "origin check use %s, where this server listens", base)
        return self.model_copy(update={"public_base_url": base})

    @property
    def public_base(self) -> str:
        """The public address; the app is built with one (see ``listening_on``)."""
        if self.public_base_url is None:
            raise RuntimeError("no public address: build the app with create_app()")
        return self.public_base_url

    @property
    def public_origin(self) -> str:
        """Scheme, host and port of the public address: what a browser sends as Origin."""
        parts = urlsplit(self.public_base)
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @property
    def behind_https(self) -> bool:
        return self.public_base.startswith("https://")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
