"""Settings of the HTTP service and its workers, from ``HAKEN_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    # Failed authentications allowed per client address in one window before 429.
    auth_failures_allowed: int = Field(default=10, ge=1)
    auth_failure_window_seconds: float = Field(default=60.0, gt=0)
    # Where feeds are reachable from outside, for the https and webcal links.
    public_base_url: str = "http://127.0.0.1:8000"
    # Request bodies past these sizes are refused (413) as they are read: JSON and forms
    # (a 5000 x 1000 scenario is about 7 MB), and a spreadsheet upload.
    max_json_bytes: int = Field(default=16 * 2**20, ge=1024)
    max_upload_bytes: int = Field(default=8 * 2**20, ge=1024)
    # What one uploaded sheet may unpack to (an .xlsx is a zip) and hold, so that a small
    # hostile file cannot take the server's memory (422 past them).
    max_sheet_unpacked_bytes: int = Field(default=64 * 2**20, ge=1024)
    max_sheet_cells: int = Field(default=1_000_000, ge=100)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
