"""``haken worker``: take solve jobs from the database until stopped."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass



def command(
    once: Annotated[
        bool, typer.Option("--once", help="Stop when no job is queued instead of waiting.")
    ] = False,
) -> None:
    """Solve queued plan requests; run several against PostgreSQL to share the work."""
    from cli.commands.common import read_settings
    from service.db import migrate
    from service.logic.worker import Worker
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = read_settings()
    migrate.upgrade(settings.database_url)
    Worker(settings).run(once=once)
