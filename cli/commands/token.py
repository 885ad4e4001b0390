"""``haken token create|list|revoke``: bearer tokens for the HTTP API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass


group = typer.Typer(help="Bearer tokens of the HTTP API.", no_args_is_help=True)
CLI_ACTOR = "cli"


def _url() -> str:
    from cli.commands.common import read_settings
    from service.db import migrate
    url = read_settings().database_url
    migrate.upgrade(url)
    return url


@group.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Who or what holds the token.")],
    role: Annotated[str, typer.Option("--role", help="admin, staff or viewer.")],
) -> None:
    """Create a token and print it: it is shown this once and stored only as a hash."""
    from service.db.engine import transaction
    from service.logic import tokens
    from service.logic.errors import ServiceError
    try:
        with transaction(_url()) as db:
            _, secret = tokens.create(db, name, role, CLI_ACTOR)
    except ServiceError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(secret)


@group.command("list")
def list_tokens() -> None:
    """Every token: name, role, created, revoked."""
    from service.db.engine import transaction
    from service.logic import tokens
    with transaction(_url()) as db:
        for row in tokens.listing(db):
            revoked = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            typer.echo(f"{row.name}\t{row.role}\t{row.created_at:%Y-%m-%d %H:%M}\t{revoked}")


@group.command("revoke")
def revoke(name: Annotated[str, typer.Option("--name", help="The token's name.")]) -> None:
    """Revoke a token: it stops working at once."""
    from service.db.engine import transaction
    from service.logic import tokens
    from service.logic.errors import ServiceError
    try:
        with transaction(_url()) as db:
            tokens.revoke(db, name, CLI_ACTOR)
    except ServiceError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"revoked {name}")
