"""Migration 0012 folds the public form's one-row ``application_window`` into the home
page's ``application_window_overrides``: a database that had staff close the window, or
move its end, keeps that after the upgrade, and the old table is gone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from service.db import migrate
from service.db.engine import engine_for
from tests.service_support import DATABASES, fresh_database


@pytest.mark.parametrize("kind", DATABASES)
@pytest.mark.parametrize("closed", [True, False], ids=["closed", "moved-end"])
def test_the_old_override_becomes_the_newest_row(kind: str, closed: bool,
                                                 tmp_path: Path) -> None:
    url = fresh_database(kind, tmp_path, "0010")
    set_at = dt.datetime(2025, 7, 20, 3, 0, tzinfo=dt.UTC)
    with engine_for(url).begin() as connection:
        connection.execute(text(
            "INSERT INTO application_window_overrides (closes_on, reason, created_by, "
            "created_at) VALUES (:closes_on, 'older', 'staff-a', :at)"),
            {"closes_on": dt.date(2025, 7, 31), "at": set_at - dt.timedelta(days=5)})
        connection.execute(text(
            'INSERT INTO application_window (id, start, "end", closed, note, updated_by, '
            "updated_at) VALUES (1, NULL, :end, :closed, '予算到達', 'staff-b', :at)"),
            {"end": None if closed else dt.date(2025, 8, 15), "closed": closed, "at": set_at})
    migrate.upgrade(url, "0012")
    assert "application_window" not in inspect(engine_for(url)).get_table_names()
    with engine_for(url).connect() as connection:
        rows = connection.execute(text(
            "SELECT closes_on, reason, created_by FROM application_window_overrides "
            "ORDER BY id")).all()
    assert len(rows) == 2 and rows[0][1] == "older"
    closes_on, reason, created_by = rows[1]
    expected = dt.date(2025, 7, 19) if closed else dt.date(2025, 8, 15)
    assert (closes_on if isinstance(closes_on, dt.date)
            else dt.date.fromisoformat(str(closes_on))) == expected
    assert "予算到達" in reason and "migration 0012" in reason and created_by == "staff-b"
