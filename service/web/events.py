"""A job's progress as Server-Sent Events, for the API and the console alike."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.sse import ServerSentEvent

from service.logic import jobs


def job_events(database_url: str, job_id: int) -> Iterator[ServerSentEvent]:
    """A ``job`` event whenever the job changes, ``end`` when it is over."""
    snapshot = None
    for snapshot in jobs.follow(database_url, job_id):
        yield ServerSentEvent(data=snapshot.model_dump(mode="json"), event="job")
    if snapshot is not None:
        yield ServerSentEvent(data={"status": snapshot.status}, event="end")
