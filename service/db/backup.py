"""Backups of the whole database, taken while the service runs, and their restoring.

SQLite: a copy through SQLite's online backup API (one consistent snapshot, writers go on
meanwhile), checked and written whole. PostgreSQL: ``pg_dump`` in its custom format (one
snapshot of one transaction), read back by ``pg_restore``. Either holds every table:
records, screening, the audit log, jobs, plans, the schedule, tokens, feed links.

A restore refuses a backup made by a newer schema than this code knows (it could not
migrate it, and would lose what it does not know), and a database that holds anything,
unless told to replace it. A backup from an older schema is migrated after restoring.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.engine import URL, make_url

from service.db import migrate
from service.db.engine import engine_for, is_sqlite, transaction
from service.db.models import AuditRow

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Rows every migrated database has, empty or not.
BOOKKEEPING = frozenset({"alembic_version", "feed_inputs"})


class BackupError(Exception):
    """What the user is told: the backup or restore did nothing (or says what it left)."""


@dataclass(frozen=True)
class Restored:
    revision: str
    rows: dict[str, int]
    replaced: dict[str, int]


def shown(url: str) -> str:
    """The database's address without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


# --------------------------------------------------------------------------- backup


def backup(url: str, target: Path, overwrite: bool = False) -> str:
    """Write a backup of the database at ``url`` to ``target``; returns its schema revision."""
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists; give --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(f".{target.name}.partial")
    try:
        if is_sqlite(url):
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}"], url)
        revision = backup_revision(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return revision


def _sqlite_backup(source: Path, partial: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source, timeout=30)) as live, \
            closing(sqlite3.connect(partial)) as copy:
        live.backup(copy)  # all pages in one step: one snapshot, writers are not blocked
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        problems = copy.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"the copy of {source} fails SQLite's integrity check: {problems}")


# --------------------------------------------------------------------------- what a file holds


def backup_kind(source: Path) -> str:
    try:
        with source.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {source}: {error.strerror}") from None
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{source} is not a backup of haken db backup (neither a SQLite "
                      "database nor a pg_dump custom-format archive)")


def backup_revision(source: Path) -> str:
    """The Alembic revision of the schema the backup was made with."""
    if backup_kind(source) == "sqlite":
        try:
            with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro",
                                          uri=True)) as copy:
                found = copy.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} holds no haken database: {error}") from None
        revisions = [row[0] for row in found]
    else:
        listing = _run(["pg_restore", "--data-only", "--table=alembic_version", "--file=-",
                        str(source)], None)
        block = re.search(r"^COPY [\w.]*alembic_version .*? FROM stdin;\n(.*?)^\\\.$",
                          listing, re.MULTILINE | re.DOTALL)
        revisions = block[1].split() if block else []
    if len(revisions) != 1:
        raise BackupError(f"{source} holds no schema revision (not made by haken db backup?)")
    return revisions[0]


# --------------------------------------------------------------------------- restore


def restore(url: str, source: Path, replace: bool = False) -> Restored:
    """Make the database at ``url`` what the backup ``source`` holds, then migrate it."""
    kind = backup_kind(source)
    target_kind = "sqlite" if is_sqlite(url) else "postgresql"
    if kind != target_kind:
        raise BackupError(f"{source} is a {_names[kind]} backup and {shown(url)} a "
                          f"{_names[target_kind]} database: restore it into {_names[kind]}")
    revision = backup_revision(source)
    known = known_revisions(url)
    if revision not in known:
        raise BackupError(f"{source} was made by a newer schema (revision {revision}) than "
                          f"this haken knows (up to {known[-1]}): restore it with the haken "
                          "that made it, or a newer one")
    present = row_counts(url) if _exists(url) else {}
    held = {table: count for table, count in present.items()
            if count and table not in BOOKKEEPING}
    if held and not replace:
        listed = ", ".join(f"{table} {count}" for table, count in sorted(held.items()))
        raise BackupError(f"{shown(url)} is not empty ({listed}): restoring {source} "
                          f"(schema {revision}) would replace all of it. Give --force to "
                          "do so, or restore into an empty database")
    if kind == "sqlite":
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as copy, \
                closing(sqlite3.connect(_sqlite_path(url), timeout=30)) as live:
            copy.backup(live)  # replaces every page of the target, in one step
        engine_for(url).dispose()  # pooled connections knew the file as it was
    else:
        _run(["pg_restore", "--list", str(source)], None)  # readable, before anything goes
        _drop_everything(url)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", str(source)], url, database_option="--dbname")
    migrate.upgrade(url)
    with transaction(url) as db:  # the restored log says where it came from
        db.add(AuditRow(actor="cli", action="restore", entity="database", entity_id=revision,
                        detail={"file": source.name, "replaced": held}))
    return Restored(revision, row_counts(url), held)


_names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def known_revisions(url: str) -> list[str]:
    """This code's schema revisions, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return [step.revision for step in reversed(list(script.walk_revisions()))]


def row_counts(url: str) -> dict[str, int]:
    engine = engine_for(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in metadata.sorted_tables}


def _exists(url: str) -> bool:
    return not is_sqlite(url) or _sqlite_path(url).is_file()


def _drop_everything(url: str) -> None:
    """Every table (with its triggers) and the trigger functions, in one transaction."""
    engine = engine_for(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(text("DROP FUNCTION IF EXISTS feed_inputs_changed() CASCADE"))
        connection.execute(text("DROP FUNCTION IF EXISTS payments_closed_unchanged() CASCADE"))
    assert not inspect(engine).get_table_names()


# --------------------------------------------------------------------------- helpers


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url} is not a SQLite file")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it, and the password as PGPASSWORD (never in argv)."""
    parsed: URL = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    bare = parsed.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env


def _run(command: list[str], url: str | None, database_option: str = "--dbname") -> str:
    """Run a PostgreSQL client tool (against ``url`` if given); its output, or BackupError."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    env = dict(os.environ)
    if url is not None:
        address, password = _libpq(url)
        command = [*command, f"{database_option}={address}"]
        env.update(password)
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
    return result.stdout
