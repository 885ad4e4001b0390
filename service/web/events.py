"""A job's progress as Server-Sent Events, for the API and the console alike."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from fastapi.sse import ServerSentEvent

from service.logic import jobs

POLL_SECONDS = 0.5


async def job_events(database_url: str, job_id: int) -> AsyncIterator[ServerSentEvent]:
    """A ``job`` event whenever the job changes, ``end`` when it is over.

    Asynchronous on purpose: a synchronous stream would hold one of the server's worker
    threads for as long as the job waits, so a few idle streams starved every other
    request; here a client that goes away cancels the stream at its next pause."""
    last = None
    while True:
        current = await anyio.to_thread.run_sync(jobs.snapshot, database_url, job_id)
        if current != last:
            yield ServerSentEvent(data=current.model_dump(mode="json"), event="job")
            last = current
        if current.status in jobs.FINISHED:
            yield ServerSentEvent(data={"status": current.status}, event="end")
            return
        await anyio.sleep(POLL_SECONDS)
