"""``haken serve`` as a child process on a free loopback port: for the tests that need a
real server and for ``python -m benchmarks feeds``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path


def start_server(url: str, directory: Path, *options: str, **env: str) -> Server:
    """``haken serve [options]`` on database ``url`` with its worker; waits until it answers."""
    port = free_port()
    log = directory / f"server-{port}.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), *options],
            env={**os.environ, "HAKEN_DATABASE_URL": url, **env}, stdout=handle,
            stderr=subprocess.STDOUT, cwd=directory, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60  # the server imports the solver and migrates first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"haken serve exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.base}/openapi.json", timeout=1) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"haken serve did not answer within 60 s: {log.read_text()}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()
