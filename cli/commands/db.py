"""``haken db upgrade``: apply the database migrations (``haken serve`` also does at start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    pass


group = typer.Typer(help="The service's database.", no_args_is_help=True)


@group.command("upgrade")
def upgrade() -> None:
    """Apply every migration to HAKEN_DATABASE_URL (default: SQLite ./haken.db)."""
    from cli.commands.common import read_settings
    from service.db import migrate
    url = read_settings().database_url
    migrate.upgrade(url)
    typer.echo(f"database at head: {len(migrate.current_tables(url))} tables")
