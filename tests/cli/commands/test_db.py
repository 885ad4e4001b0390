"""``haken db backup`` of a live server under writes, ``haken db restore`` into a fresh
database: every row, plan, audit entry and feed link comes back; a newer schema, a foreign
file and a database that holds anything are refused, and nothing changes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import MetaData, select, text

from service.db import backup as backups
from service.db import migrate
from service.db.engine import engine_for, is_sqlite
from tests.paths import ROOT
from tests.service.test_app import plan_and_wait, screen_and_accept
from tests.service_support import Api, example_document, fresh_database, served_api


def haken_db(url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "db", *arguments], cwd=ROOT,
                          env={**os.environ, "HAKEN_DATABASE_URL": url}, timeout=300,
                          capture_output=True, text=True)


def rows(url: str) -> dict[str, set[str]]:
    """Every row of every table, each as JSON, by table."""
    engine = engine_for(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {table.name: {json.dumps(dict(row._mapping), default=str, sort_keys=True)
                             for row in connection.execute(select(table))}
                for table in metadata.sorted_tables}


def a_fresh_one(url: str, folder: Path) -> str:
    folder.mkdir()
    return fresh_database("sqlite" if is_sqlite(url) else "postgresql", folder)


def feed_secret(api: Api, subject: str, subject_id: str) -> str:
    made = api.send("POST", "/api/v1/feeds", body={"subject": subject, "subject_id": subject_id})
    assert made.status_code == 201, made.text
    link: str = made.json()["https"]
    return link.rsplit("/", 1)[1].removesuffix(".ics")


def test_a_backup_under_writes_restores_every_row(database_url: str, tmp_path: Path) -> None:
    backup_file = tmp_path / "haken.backup"
    with served_api(database_url, tmp_path) as api:
        assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200
        screen_and_accept(api, "A056")
        plan_id = plan_and_wait(api)["plan_id"]
        assert api.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200
        secrets = {expert: feed_secret(api, "expert", expert) for expert in ("E001", "E002")}
        before = rows(database_url)
        assert all(before[t] for t in ("experts", "associations", "eligibility_checks",
                                       "audit_log", "plans", "sessions", "api_tokens",
                                       "feed_tokens", "jobs"))

        # Staff go on issuing feed links (a row and its audit entry per transaction).
        associations = [a["id"] for a in api.get("/api/v1/associations").json()]
        issued: list[tuple[str, str]] = []
        stop, two_issued = threading.Event(), threading.Event()

        def issue_links() -> None:
            for association in associations:
                if stop.is_set():
                    return
                issued.append((association, feed_secret(api, "association", association)))
                if len(issued) >= 2:
                    two_issued.set()

        writer = threading.Thread(target=issue_links)
        writer.start()
        assert two_issued.wait(60)
        issued_before = list(issued)
        made = haken_db(database_url, "backup", str(backup_file))
        issued_during = len(issued) - len(issued_before)
        stop.set()
        writer.join()
        assert made.returncode == 0, made.stderr
        assert f"to {backup_file} (schema {migrate_head(database_url)})" in made.stdout

        # The live database is not empty: restoring over it is refused, and nothing changes.
        live = rows(database_url)
        refused = haken_db(database_url, "restore", str(backup_file))
        assert refused.returncode == 2
        assert "is not empty (" in refused.stderr and "--force" in refused.stderr
        assert rows(database_url) == live
        tokens = api.tokens

    restored_url = a_fresh_one(database_url, tmp_path / "restored")
    done = haken_db(restored_url, "restore", str(backup_file))
    assert done.returncode == 0, done.stderr
    after = rows(restored_url)
    for table, before_rows in before.items():
        assert before_rows <= after[table], table
    for table in ("experts", "associations", "eligibility_checks", "plans", "sessions",
                  "jobs", "api_tokens", "programme", "alembic_version"):
        assert after[table] == before[table], table
    # One snapshot: each link issued came with its audit entry, or neither did; those
    # issued before the backup began are there.
    links = [json.loads(row) for row in after["feed_tokens"] - before["feed_tokens"]]
    logged = [json.loads(row) for row in after["audit_log"] - before["audit_log"]]
    assert sorted(row["id"] for row in links) == sorted(
        json.loads(row["detail"])["feed_id"] if isinstance(row["detail"], str)
        else row["detail"]["feed_id"] for row in logged if row["action"] == "create_feed")
    assert {row["subject_id"] for row in links} >= {a for a, _ in issued_before}
    assert len(links) <= len(issued_before) + issued_during + 1
    assert [row["action"] for row in logged if row["action"] != "create_feed"] == ["restore"]

    # The restored service serves the same plans, audit log and feed links.
    with served_api(restored_url, tmp_path / "restored", tokens=tokens) as api:
        assert api.get(f"/api/v1/plans/{plan_id}").json()["status"] == "published"
        assert any(e["action"] == "publish"
                   for e in api.get("/api/v1/audit", role="staff").json())
        for secret in [*secrets.values(), *(s for _, s in issued_before)]:
            assert api.client.get(f"/feeds/{secret}.ics").status_code == 200
        # Sequences came back too: new rows get new ids.
        assert feed_secret(api, "expert", "E003")


def migrate_head(url: str) -> str:
    return backups.known_revisions(url)[-1]


def test_restore_refuses_a_newer_schema_and_what_is_no_backup(database_url: str,
                                                              tmp_path: Path) -> None:
    head = migrate_head(database_url)
    newer = tmp_path / "newer.backup"
    with engine_for(database_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    try:
        assert haken_db(database_url, "backup", str(newer)).returncode == 0
    finally:
        with engine_for(database_url).begin() as connection:
            connection.execute(text(f"UPDATE alembic_version SET version_num = '{head}'"))
    assert backups.backup_revision(newer) == "0099"
    fresh = rows(database_url)
    refused = haken_db(database_url, "restore", str(newer))
    assert refused.returncode == 2
    assert "newer schema (revision 0099)" in refused.stderr and f"up to {head}" in refused.stderr
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a database\n")
    foreign = haken_db(database_url, "restore", str(not_a_backup))
    assert foreign.returncode == 2 and "is not a backup" in foreign.stderr
    assert haken_db(database_url, "restore", str(tmp_path / "missing")).returncode == 2
    assert rows(database_url) == fresh
    # An existing file is not overwritten unless told to.
    again = haken_db(database_url, "backup", str(newer))
    assert again.returncode == 2 and "--force" in again.stderr
    assert backups.backup_revision(newer) == "0099"
    assert haken_db(database_url, "backup", "--force", str(newer)).returncode == 0
    assert backups.backup_revision(newer) == head


def test_a_backup_from_another_kind_of_database_is_refused(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    migrate.upgrade(source)
    file = tmp_path / "sqlite.backup"
    assert haken_db(source, "backup", str(file)).returncode == 0
    with sqlite3.connect(file) as copy:
        assert copy.execute("SELECT count(*) FROM experts").fetchone() == (0,)
    target = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    refused = haken_db(target, "restore", str(file))
    assert refused.returncode == 2
    assert "is a SQLite backup and" in refused.stderr and "PostgreSQL database" in refused.stderr
