"""A solve worker: claims jobs, solves in this process, beats, writes the plan whole.

Several workers may run against one PostgreSQL database (``haken worker``);
``haken serve`` runs one beside the server. Each takes back the jobs of workers
that went silent (retried or failed with the reason) before it claims a job.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from typing import Any

from domain.checker import check_plan
from domain.errors import InputError
from domain.loading import parse_scenario, scenario_sha256
from domain.plan import Session
from scheduler.solve import Progress, SolveOptions, solve
from service.config import Settings
from service.db.engine import transaction
from service.db.models import JobRow, PlanRow
from service.logic import jobs, mailer, reminders
from service.logic.changes import schedule_changes
from service.supervisor import PARENT_ENV

log = logging.getLogger("haken.worker")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ProgressBoard:
    """The latest progress, written by the solver's callback and read by the heartbeat."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latest: dict[str, Any] | None = None
        self.served: float | None = None

    def update(self, progress: Progress) -> None:
        with self.lock:
            if progress.stage == "service":  # objective 1 is the number served
                self.served = progress.objective
            self.latest = {"stage": progress.stage, "elapsed": round(progress.elapsed, 2),
                           "objective": progress.objective, "bound": progress.bound,
                           "served": self.served, "detail": progress.detail}

    def read(self) -> dict[str, Any] | None:
        with self.lock:
            return dict(self.latest) if self.latest else None


def solve_options(options: dict[str, Any], board: ProgressBoard, keep: list[Session],
                  stop: threading.Event) -> SolveOptions:
    return SolveOptions(time_limit=float(options["time_limit"]), workers=int(options["workers"]),
                        seed=int(options["seed"]), progress=board.update, keep=keep, stop=stop)


class Worker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.database_url
        self.id = worker_id()
        self.stopping = threading.Event()
        self.current_stop: threading.Event | None = None
        self.last_reminder_scan: float | None = None
        parent = os.environ.get(PARENT_ENV)
        self.parent_pid = int(parent) if parent and parent.isdigit() else None

    def orphaned(self) -> bool:
        """Started by ``haken serve``, which is gone: stop rather than work unsupervised."""
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def request_stop(self, *_: Any) -> None:
        self.stopping.set()
        if self.current_stop is not None:
            self.current_stop.set()

    def run(self, once: bool = False) -> None:
        """Work until stopped (SIGTERM/SIGINT); with ``once``, until the queue is empty."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, self.request_stop)
        log.info("worker %s started", self.id)
        if once:
            self.solve_loop(once=True)
            self.mail_round()
            return
        mail = threading.Thread(target=self.mail_loop, name="outbox", daemon=True)
        mail.start()
        try:
            self.solve_loop(once=False)
        finally:
            self.stopping.set()
            mail.join()

    def mail_round(self) -> None:
        """Queue the reminders now due (every ``reminder_scan_seconds``), then send what the
        outbox holds that is due."""
        try:
            now = time.monotonic()
            if self.last_reminder_scan is None \
                    or now - self.last_reminder_scan >= self.settings.reminder_scan_seconds:
                self.last_reminder_scan = now
                reminders.queue_due(self.settings)
            mailer.deliver_due(self.settings, self.id, self.stopping)
        except Exception:  # the next round tries again; solving goes on meanwhile
            log.exception("worker %s: outbox round failed", self.id)

    def mail_loop(self) -> None:
        """The outbox beside the solves: a solve takes minutes, mail should not wait."""
        while not self.stopping.is_set():
            self.mail_round()
            self.stopping.wait(self.settings.mail_poll_seconds)

    def solve_loop(self, once: bool) -> None:
        while not self.stopping.is_set():
            if self.orphaned():
                log.warning("worker %s: the server that started it is gone; stopping", self.id)
                return
            for job_id in jobs.take_back_stale(self.url, self.settings):
                log.warning("took back job %s from a silent worker", job_id)
            claimed = jobs.claim(self.url, self.id)
            if claimed is None:
                if once:
                    return
                self.stopping.wait(self.settings.worker_poll_seconds)
                continue
            self.run_job(claimed)

    def run_job(self, job_id: int) -> None:
        with transaction(self.url) as db:
            job = db.get(JobRow, job_id)
            assert job is not None
            document, keep_documents, options = job.scenario, job.keep, job.options
            requested_by = job.requested_by
        log.info("job %s: solving (%s)", job_id, options)
        board = ProgressBoard()
        stop = threading.Event()
        self.current_stop = stop
        lost = threading.Event()
        done = threading.Event()

        def beat() -> None:
            while not done.wait(self.settings.worker_heartbeat_seconds):
                if self.orphaned():
                    self.request_stop()
                if not jobs.heartbeat(self.url, job_id, self.id, board.read()):
                    lost.set()  # cancelled, or taken back: stop and write nothing
                    stop.set()
                    return

        beater = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
        beater.start()
        try:
            scenario = parse_scenario(document, f"job {job_id} scenario")
            keep = [Session.model_validate(item) for item in keep_documents]
            result = solve(scenario, solve_options(options, board, keep, stop))
        except InputError as error:
            done.set()
            jobs.finish_failed(self.url, job_id, self.id, error.render())
            return
        except Exception as error:  # the job fails with its reason; the worker goes on
            log.exception("job %s: solver error", job_id)
            done.set()
            jobs.finish_failed(self.url, job_id, self.id, f"solver error: {error!r}")
            return
        finally:
            done.set()
            beater.join()
            self.current_stop = None
        if lost.is_set():
            log.info("job %s: cancelled or taken back; result discarded", job_id)
            return
        if self.stopping.is_set():
            jobs.release(self.url, job_id, self.id, f"worker {self.id} was stopped")
            return
        violations = check_plan(scenario, result.plan)
        if violations:  # never store a plan that breaks a hard rule
            jobs.finish_failed(self.url, job_id, self.id,
                               f"the plan breaks {len(violations)} hard rule(s): "
                               + "; ".join(str(v) for v in violations[:10]))
            return
        plan = result.plan
        published = [*keep, *scenario.pinned]
        parameters = {**(plan.parameters or {}), **options, "keep": len(keep),
                      "worker": self.id, "job_id": job_id}
        row = PlanRow(status="draft", scenario=document, scenario_sha256=scenario_sha256(scenario),
                      document=plan.model_dump(mode="json", exclude_none=True),
                      parameters=parameters,
                      changes=schedule_changes(published, plan.sessions),
                      created_by=requested_by)
        if jobs.finish_with_plan(self.url, job_id, self.id, row, board.read()):
            log.info("job %s: plan %s written", job_id, row.id)
        else:
            log.info("job %s: no longer ours; plan discarded", job_id)
