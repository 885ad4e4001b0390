"""The worker process that ``haken serve`` runs beside the server, restarted if it dies."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

log = logging.getLogger("haken.serve")
# The supervising server's pid, so that a worker can tell it was orphaned.
PARENT_ENV = "HAKEN_WORKER_PARENT_PID"


class WorkerSupervisor:
    RESTART_DELAY_SECONDS = 1.0

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.is_set():
            # The same interpreter and environment (HAKEN_* settings) as the server; the
            # worker stops by itself if this process dies without stopping it.
            env = {**os.environ, PARENT_ENV: str(os.getpid())}
            self.process = subprocess.Popen([sys.executable, "-m", "cli", "worker"], env=env)
            code = self.process.wait()
            if self.stopping.is_set():
                return
            log.warning("worker process exited with %s; starting another", code)
            self.stopping.wait(self.RESTART_DELAY_SECONDS)

    def stop(self) -> None:
        self.stopping.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.thread.join(timeout=5)
