"""The job event stream against a real server: streams that wait hold nothing that other
requests need."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from service.db.engine import transaction
from service.logic import exchange
from tests.service_support import example_document, served_api

# More than the server's worker threads (40) and its database connections (15).
WAITING_STREAMS = 60


def test_waiting_event_streams_leave_the_server_answering(database_url: str,
                                                         tmp_path: Path) -> None:
    with transaction(database_url) as db:
        exchange.import_scenario(db, example_document(), "test")
    with served_api(database_url, tmp_path, "--no-worker") as api:
        job = api.send("POST", "/api/v1/jobs", body={"time_limit": 5}).json()
        assert job["status"] == "queued"  # and stays so: no worker runs
        path = f"/api/v1/jobs/{job['id']}/events"
        opened = threading.Barrier(WAITING_STREAMS + 1, timeout=60)
        release = threading.Event()

        def wait_on_stream() -> str:
            with httpx.Client(base_url=str(api.client.base_url), timeout=60) as client, \
                    client.stream("GET", path, headers=api.headers("viewer")) as stream:
                first = next(stream.iter_lines())
                opened.wait()
                release.wait(60)
                return first

        with ThreadPoolExecutor(WAITING_STREAMS) as pool:
            streams = [pool.submit(wait_on_stream) for _ in range(WAITING_STREAMS)]
            opened.wait()
            try:
                # Every stream is open and waiting; the server still answers at once
                # (a generous bound: before, this waited forever).
                answer = api.client.get(f"/api/v1/jobs/{job['id']}",
                                        headers=api.headers("viewer"), timeout=30)
                plans = api.client.get("/api/v1/plans", headers=api.headers("viewer"),
                                       timeout=30)
            finally:
                release.set()
            assert all(stream.result() == "event: job" for stream in streams)
        assert answer.status_code == 200 and answer.json()["status"] == "queued"
        assert plans.status_code == 200
