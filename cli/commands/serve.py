"""``haken serve``: the HTTP API and the staff console (uvicorn) and, unless told not to,
one solve worker."""

from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass


def command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker",
                           help="Run a solve worker beside the server (restarted if it dies).")
    ] = True,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64,
                          help="HTTP server processes (uvicorn workers), e.g. one per core.")
    ] = 1,
) -> None:
    """Serve the API under /api/v1 (OpenAPI at /openapi.json) and the staff console at /,
    after applying migrations."""
    import os

    import uvicorn

    from cli.commands.common import read_settings
    from service.app import create_app
    from service.db import migrate
    from service.logs import log_config
    from service.supervisor import WorkerSupervisor
    settings = read_settings().listening_on(host, port)
    # Processes of --workers build their app from the environment: give them the same.
    os.environ["HAKEN_PUBLIC_BASE_URL"] = str(settings.public_base_url)
    migrate.upgrade(settings.database_url)
    # X-Forwarded-For and -Proto only from the configured proxies; uvicorn would otherwise
    # believe them from loopback (or from $FORWARDED_ALLOW_IPS).
    trust_proxies, proxies = bool(settings.trusted_proxies), settings.trusted_proxies
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler the
    # process would die there and leave the worker running. Exit normally instead.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    supervisor = WorkerSupervisor() if worker else None
    if supervisor is not None:
        supervisor.start()
    try:
        if workers == 1:
            uvicorn.run(create_app(settings), host=host, port=port, log_config=log_config(),
                        proxy_headers=trust_proxies, forwarded_allow_ips=proxies)
        else:  # each process builds the app itself, from the same environment
            uvicorn.run("service.app:create_app", factory=True, workers=workers,
                        host=host, port=port, log_config=log_config(),
                        proxy_headers=trust_proxies, forwarded_allow_ips=proxies)
    finally:
        if supervisor is not None:
            supervisor.stop()
