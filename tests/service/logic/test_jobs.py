"""Solve jobs: a killed worker, a cancelled solve, jobs taken back from silent workers."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from typing import Any

from sqlalchemy import update

from service.config import Settings
from service.db.engine import transaction
from service.db.models import JobRow, PlanRow
from service.logic import jobs
from service.logic.jobs import PlanRequest
from service.logic.worker import Worker
from tests.scenarios import PROGRAMME, association, expert
from tests.service_support import Api, checked_plan, example_document, wait_for_job


def import_example(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200


def wait_until_running(api: Api, job_id: int) -> dict[str, Any]:
    for _ in range(2400):
        job: dict[str, Any] = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] == "running" and job["worker_id"]:
            return job
        assert job["status"] == "queued", job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never ran")


def test_a_killed_worker_leaves_no_plan_and_the_job_is_retried(server: Api) -> None:
    import_example(server)
    job_id = server.send("POST", "/api/v1/jobs",
                         body={"time_limit": 2, "seed": 3, "workers": 1}).json()["id"]
    running = wait_until_running(server, job_id)
    os.kill(int(running["worker_id"].rsplit(":", 1)[1]), signal.SIGKILL)
    # haken serve starts a new worker; it takes the silent worker's job back and retries it.
    job = wait_for_job(server, job_id)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    assert job["history"][0]["worker"] == running["worker_id"]
    assert "stopped responding" in job["history"][0]["outcome"]
    plans = server.get("/api/v1/plans").json()
    assert [plan["id"] for plan in plans] == [job["plan_id"]]
    checked_plan(server, job["plan_id"])


def test_a_cancelled_solve_stops_and_writes_nothing(server: Api) -> None:
    import_example(server)
    long_job = server.send("POST", "/api/v1/jobs",
                           body={"time_limit": 600, "workers": 1}).json()["id"]
    wait_until_running(server, long_job)
    cancelled = server.send("DELETE", f"/api/v1/jobs/{long_job}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert server.send("DELETE", f"/api/v1/jobs/{long_job}").status_code == 409
    # One worker: the next job runs only once the cancelled solve has stopped.
    next_job = server.send("POST", "/api/v1/jobs", body={"time_limit": 2, "workers": 1})
    done = wait_for_job(server, next_job.json()["id"])
    assert done["status"] == "succeeded", done
    assert [plan["id"] for plan in server.get("/api/v1/plans").json()] == [done["plan_id"]]
    assert server.get(f"/api/v1/jobs/{long_job}").json()["plan_id"] is None
    checked_plan(server, done["plan_id"])


def _claimed_job(api: Api, settings: Settings, worker: str) -> int:
    import_example(api)
    with transaction(api.url) as db:
        job_id = jobs.enqueue(db, PlanRequest(time_limit=1), "test", settings).id
    assert jobs.claim(api.url, worker) == job_id
    assert jobs.claim(api.url, "another:2") is None  # never two workers on one job
    with transaction(api.url) as db:  # the worker went silent a minute ago
        db.execute(update(JobRow).values(
            heartbeat_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    return job_id


def test_a_silent_workers_job_fails_with_its_reason_when_no_attempt_is_left(api: Api) -> None:
    settings = Settings(database_url=api.url, job_max_attempts=1, worker_stale_seconds=30)
    job_id = _claimed_job(api, settings, "ghost:1")
    assert jobs.take_back_stale(api.url, settings) == [job_id]
    job = api.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "failed"
    assert "worker ghost:1 stopped responding" in job["error"]
    assert "attempt 1 of 1" in job["error"]
    # The silent worker comes back with a plan: it is refused, nothing is written.
    plan = PlanRow(status="draft", scenario={}, scenario_sha256="0", document={}, parameters={},
                   changes={}, created_by="test")
    assert not jobs.finish_with_plan(api.url, job_id, "ghost:1", plan, None)
    assert not jobs.heartbeat(api.url, job_id, "ghost:1", None)
    assert api.get("/api/v1/plans").json() == []


def test_a_silent_workers_job_is_queued_again_while_attempts_remain(api: Api) -> None:
    settings = Settings(database_url=api.url, job_max_attempts=2, worker_stale_seconds=30)
    job_id = _claimed_job(api, settings, "ghost:1")
    assert jobs.take_back_stale(api.url, settings) == [job_id]
    job = api.get(f"/api/v1/jobs/{job_id}").json()
    assert (job["status"], job["attempts"], job["worker_id"]) == ("queued", 1, None)
    assert jobs.claim(api.url, "healthy:3") == job_id


def test_concurrent_claims_never_share_a_job(api: Api) -> None:
    import_example(api)
    settings = Settings(database_url=api.url)
    with transaction(api.url) as db:
        queued = {jobs.enqueue(db, PlanRequest(time_limit=1), "test", settings).id
                  for _ in range(4)}
    start = threading.Barrier(6)
    claimed: list[int | None] = []

    def claim(worker: int) -> None:
        start.wait()
        claimed.append(jobs.claim(api.url, f"worker:{worker}"))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [job for job in claimed if job is not None]
    assert sorted(taken) == sorted(queued) and claimed.count(None) == 2


def test_a_plan_replays_from_what_it_kept(api: Api) -> None:
    """The stored scenario, parameters and seed give the same plan again."""
    document = {"programme": PROGRAMME, "experts": [expert("E1"), expert("E2")],
                "associations": [association("A1"), association("A2", applied_day=2)],
                "pinned": []}
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    worker = Worker(Settings(database_url=api.url))
    first = api.send("POST", "/api/v1/jobs", body={"time_limit": 2, "seed": 5, "workers": 1})
    worker.run(once=True)
    plan_id = wait_for_job(api, first.json()["id"])["plan_id"]
    original = checked_plan(api, plan_id)
    parameters = api.get(f"/api/v1/plans/{plan_id}").json()["parameters"]
    assert (parameters["seed"], parameters["workers"]) == (5, 1)
    assert "haken_version" in parameters
    replay = api.send("POST", f"/api/v1/plans/{plan_id}/replay")
    assert replay.status_code == 202
    worker.run(once=True)
    replayed = checked_plan(api, wait_for_job(api, replay.json()["id"])["plan_id"])
    assert replayed["scenario_sha256"] == original["scenario_sha256"]
    assert replayed["sessions"] == original["sessions"]
