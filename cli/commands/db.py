"""``haken db``: migrations (``haken serve`` also applies them at start), backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.commands.common import fail, read_settings

group = typer.Typer(help="The service's database.", no_args_is_help=True)


@group.command("upgrade")
def upgrade() -> None:
    """Apply every migration to HAKEN_DATABASE_URL (default: SQLite ./haken.db)."""
    from service.db import migrate
    url = read_settings().database_url
    migrate.upgrade(url)
    typer.echo(f"database at head: {len(migrate.current_tables(url))} tables")


@group.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Back up HAKEN_DATABASE_URL to FILE while the service runs: every table, one snapshot.

    SQLite: a copy through SQLite's backup API. PostgreSQL: pg_dump's custom format.
    """
    from service.db import backup as backups
    url = read_settings().database_url
    try:
        revision = backups.backup(url, file, overwrite=force)
    except backups.BackupError as error:
        raise fail(f"haken db backup: {error}") from None
    typer.echo(f"backed up {backups.shown(url)} to {file} (schema {revision})")


@group.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A file of haken db backup.", dir_okay=False)],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace what the database holds (refused otherwise).")] = False,
) -> None:
    """Restore FILE into HAKEN_DATABASE_URL, then migrate it to this version's schema.

    Refuses a backup of a newer schema, and a database that is not empty unless --force.
    """
    from service.db import backup as backups
    url = read_settings().database_url
    try:
        restored = backups.restore(url, file, replace=force)
    except backups.BackupError as error:
        raise fail(f"haken db restore: {error}") from None
    rows = sum(count for table, count in restored.rows.items()
               if table not in backups.BOOKKEEPING)
    replaced = sum(restored.replaced.values())
    typer.echo(f"restored {file} (schema {restored.revision}) into {backups.shown(url)}: "
               f"{rows} rows" + (f", replacing {replaced}" if replaced else ""))
