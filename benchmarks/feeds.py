"""Calendar feeds under load: ``python -m benchmarks feeds``.

Issue 4's goals: a feed of 200 sessions renders in under 20 ms, a 304 answer is
cheaper still, and 500 requests per second on loopback hold a p99 under 50 ms.

1. *render*: ``calendar_feeds.build_feed`` of one expert's ~200 sessions against
   the feed published last time (what the service does per fetch), many times.
2. *serve*: ``haken serve`` on a free 127.0.0.1 port with a temporary SQLite
   database holding a generated scenario whose one expert carries the plan
   (the greedy baseline, checked and published through the logic layer), and a
   feed link for that expert; then a fixed-rate load of 200 answers and of 304
   answers (``If-None-Match``).

The load driver is open-loop: request *i* is due at ``start + i / rate`` whatever
happened before, and its latency counts from when it was due, not from when it
was sent, so a server that falls behind shows it (no coordinated omission).
It is written here with httpx and asyncio because wrk2 (wrk's fixed-rate fork)
is not packaged by Debian and wrk itself is closed-loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.suite import RESULTS_DIR, machine_description
from calendar_feeds import build_feed, read_feed
from domain.checker import check_plan
from domain.generator import generate_scenario
from domain.loading import parse_scenario, scenario_sha256
from domain.plan import Plan
from domain.scenario import Scenario
from domain.vocabulary import DEFAULT_QUALIFICATIONS, INDUSTRY_LABELS
from scheduler.solve import solve_greedy
from service.server_process import start_server, stop_server

EXPERT_ID = "E001"  # generate_scenario's first expert, who carries the whole plan


# --------------------------------------------------------------------------- the data


def busy_expert_scenario(associations: int, seed: int) -> Scenario:
    """A generated programme with one expert qualified and free for every application."""
    document = generate_scenario(associations, 1, seed)
    expert = document["experts"][0]
    expert.update(qualifications=list(DEFAULT_QUALIFICATIONS),
                  industries=list(INDUSTRY_LABELS)[:5], modes=["onsite", "online"],
                  max_associations=associations, max_sessions_per_day=3,
                  max_sessions_per_week=12, availability={}, conflicts=[])
    return parse_scenario(document, "feeds benchmark scenario")


def checked_plan(scenario: Scenario) -> Plan:
    plan = solve_greedy(scenario)
    violations = check_plan(scenario, plan)
    if violations:
        raise RuntimeError(f"the benchmark's plan breaks the rules: {violations[:3]}")
    return plan


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Timings:
    count: int
    p50: float  # milliseconds
    p95: float
    p99: float
    worst: float


def timings(milliseconds: list[float]) -> Timings:
    ordered = sorted(milliseconds)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return Timings(len(ordered), statistics.median(ordered), cuts[94], cuts[98], ordered[-1])


def time_render(scenario: Scenario, plan: Plan, renders: int) -> tuple[Timings, int]:
    """Milliseconds per render of the expert's feed against its previous version."""
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    first = build_feed(scenario, plan, expert_id=EXPERT_ID, now=now)
    previous = read_feed(first.data)
    samples = []
    for _ in range(renders):
        started = time.perf_counter()
        build_feed(scenario, plan, expert_id=EXPERT_ID, previous=previous, now=now)
        samples.append((time.perf_counter() - started) * 1000)
    return timings(samples), len(previous)


# --------------------------------------------------------------------------- the server


def prepare_database(url: str, scenario: Scenario, plan: Plan) -> str:
    """Migrate, import, store and publish the plan, and make the expert's feed link."""
    # The service is imported here only: the render timing needs none of it.
    from service.db import migrate
    from service.db.engine import transaction
    from service.db.models import PlanRow
    from service.logic import exchange, feeds, plans

    migrate.upgrade(url)
    with transaction(url) as db:
        exchange.import_scenario(db, scenario.model_dump(mode="json", exclude_none=True),
                                 "benchmark")
        row = PlanRow(status="draft", scenario=scenario.model_dump(mode="json",
                                                                   exclude_none=True),
                      scenario_sha256=scenario_sha256(scenario),
                      document=plan.model_dump(mode="json", exclude_none=True),
                      parameters={"method": "greedy"}, changes={}, created_by="benchmark")
        db.add(row)
        db.flush()
        plans.publish(db, row.id, "benchmark")
        _, secret = feeds.create(db, "expert", EXPERT_ID, "benchmark")
    return secret


# --------------------------------------------------------------------------- the load

SEQUENTIAL_REQUESTS = 20


def one_at_a_time(url: str, headers: dict[str, str], expected: int, count: int) -> Timings:
    """Milliseconds per request from one client that waits for each answer (and warms up)."""
    samples = []
    with httpx.Client(timeout=60) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != expected:
                raise RuntimeError(f"{url}: HTTP {response.status_code}, not {expected}")
    return timings(samples)


@dataclass(frozen=True)
class LoadResult:
    name: str
    rate: float  # asked, per second
    sent: int  # requests due in the run (not all may have gone out)
    answered: int  # with the expected status
    failed: dict[str, int]  # why: another status, an error, or no answer in time
    seconds: float  # from the first due time to the last answer
    latency: Timings | None  # from the due time (includes any wait behind the server)
    service: Timings | None  # from the moment the request went out

    @property
    def achieved(self) -> float:
        return self.answered / self.seconds if self.seconds > 0 else 0.0


async def _drive(url: str, headers: dict[str, str], expected: int, rate: float, count: int,
                 time_limit: float, connections: int,
                 ) -> tuple[list[float], list[float], Counter[str], float]:
    # A fixed set of senders, each with its own connection, take the requests in order of
    # their due times (as wrk2 does). Handing thousands of queued requests to one client
    # pool instead makes the client the bottleneck (its pool rescans every waiter).
    latencies: list[float] = []
    services: list[float] = []
    failures: Counter[str] = Counter()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    give_up = start + count / rate + time_limit
    next_index = 0

    async def sender() -> None:
        nonlocal next_index
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(limits=limits, timeout=None) as client:  # give_up bounds it
            while next_index < count:
                index, next_index = next_index, next_index + 1
                due = start + index / rate
                await asyncio.sleep(max(0.0, due - loop.time()))
                sent = loop.time()
                if sent >= give_up:
                    failures["not sent in time"] += 1
                    continue
                try:
                    response = await asyncio.wait_for(client.get(url, headers=headers),
                                                      give_up - sent)
                except TimeoutError:
                    failures["no answer in time"] += 1
                    return  # the connection is gone with the cancelled request
                except httpx.HTTPError as error:
                    failures[type(error).__name__] += 1
                    continue
                done = loop.time()
                if response.status_code != expected:
                    failures[f"HTTP {response.status_code}"] += 1
                    continue
                latencies.append((done - due) * 1000)
                services.append((done - sent) * 1000)

    await asyncio.gather(*(sender() for _ in range(connections)))
    unsent = count - next_index
    if unsent:
        failures["not sent in time"] += unsent
    return latencies, services, failures, loop.time() - start


def drive(name: str, url: str, headers: dict[str, str], expected: int, rate: float,
          seconds: float, time_limit: float = 10.0, connections: int = 64) -> LoadResult:
    """``rate`` requests per second for ``seconds`` over at most ``connections`` connections;
    every request is answered or given up on within ``time_limit`` after the last is due."""
    count = int(rate * seconds)
    latencies, services, failures, elapsed = asyncio.run(
        _drive(url, headers, expected, rate, count, time_limit, connections))
    return LoadResult(name, rate, count, len(latencies), dict(failures), elapsed,
                      timings(latencies) if len(latencies) > 1 else None,
                      timings(services) if len(services) > 1 else None)


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class FeedsBenchmark:
    machine: str
    day: dt.date
    sessions: int
    render: Timings
    singles: list[tuple[str, Timings]]  # one request at a time, per answer kind
    loads: list[LoadResult]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    rate: float
    seconds: float


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def markdown(result: FeedsBenchmark) -> str:
    r = result.render
    def p99_of(load: LoadResult | None) -> float:
        return load.latency.p99 if load and load.latency else float("inf")

    def held(load: LoadResult | None) -> bool:
        return bool(load and not load.failed and p99_of(load) < 50
                    and load.achieved >= 0.95 * load.rate)

    lines = [
        f"# Calendar feeds under load, {result.day.isoformat()}",
        "",
        f"Machine: {result.machine}.",
        "",
        "Load average (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in result.load_before)
        + "; after: " + ", ".join(f"{x:.2f}" for x in result.load_after)
        + " (the machine is shared with other jobs).",
        "",
        "Command: `python -m benchmarks feeds` (see `benchmarks/feeds.py`).",
        "",
        f"## Rendering one expert's feed of {result.sessions} sessions",
        "",
        "`calendar_feeds.build_feed` against the feed published before (as the service "
        "renders each fetch), in process:",
        "",
        "| renders | p50 ms | p95 ms | p99 ms | worst ms | goal |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {r.count} | {_ms(r.p50)} | {_ms(r.p95)} | {_ms(r.p99)} | {_ms(r.worst)} | "
        f"< 20 ms: {_verdict(r.p50 < 20)} |",
        "",
        "## `haken serve`, one request at a time",
        "",
        "One client waiting for each answer before the next, on 127.0.0.1 (what one fetch "
        "costs the server with nothing else queued):",
        "",
        "| answer | requests | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {name} | {t.count} | {_ms(t.p50)} | {_ms(t.p95)} | {_ms(t.p99)} |"
          for name, t in result.singles),
        "",
        f"## `haken serve` at {result.rate:.0f} requests per second for "
        f"{result.seconds:.0f} s",
        "",
        "One uvicorn process on 127.0.0.1, SQLite (WAL). Latency counts from when each "
        "request was due (open loop, so waiting behind a slow server counts); service time "
        "from when it went out.",
        "",
        "| answer | due | answered | failed | achieved req/s | latency p50 / p95 / p99 ms "
        "| service p50 / p99 ms | goal p99 < 50 ms |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for load in result.loads:
        lat = load.latency
        svc = load.service
        latency = f"{_ms(lat.p50)} / {_ms(lat.p95)} / {_ms(lat.p99)}" if lat else "–"
        service = f"{_ms(svc.p50)} / {_ms(svc.p99)}" if svc else "–"
        failed = ", ".join(f"{count} {why}" for why, count in load.failed.items()) or "0"
        lines.append(f"| {load.name} | {load.sent} | {load.answered} | {failed} | "
                     f"{load.achieved:.0f} | {latency} | {service} | {_verdict(held(load))} |")
    alone = dict(result.singles)
    cheaper = "200" in alone and "304" in alone and alone["304"].p50 < alone["200"].p50
    lines += ["", f"A 304 cheaper than a 200 (one at a time, p50): {_verdict(cheaper)}.", ""]
    return "\n".join(lines)


def run(associations: int = 58, seed: int = 1, renders: int = 200, rate: float = 500.0,
        seconds: float = 10.0, connections: int = 64, results_dir: Path = RESULTS_DIR,
        progress: Any = print) -> tuple[FeedsBenchmark, Path]:
    load_before = os.getloadavg()
    scenario = busy_expert_scenario(associations, seed)
    plan = checked_plan(scenario)
    render, sessions = time_render(scenario, plan, renders)
    progress(f"render: {sessions} sessions, p50 {render.p50:.1f} ms, p99 {render.p99:.1f} ms")
    loads = []
    singles: list[tuple[str, Timings]] = []
    with tempfile.TemporaryDirectory(prefix="haken-feeds-") as directory:
        url = f"sqlite:///{Path(directory) / 'haken.db'}"
        secret = prepare_database(url, scenario, plan)
        server = start_server(url, Path(directory))
        try:
            feed_url = f"{server.base}/feeds/{secret}.ics"
            first = httpx.get(feed_url, timeout=30)
            first.raise_for_status()
            etag = first.headers["ETag"]
            for name, headers, expected in (("200", {}, 200),
                                            ("304", {"If-None-Match": etag}, 304)):
                alone = one_at_a_time(feed_url, headers, expected, SEQUENTIAL_REQUESTS)
                singles.append((name, alone))
                progress(f"{name} one at a time: p50 {alone.p50:.1f} ms")
                load = drive(name, feed_url, headers, expected, rate, seconds,
                             connections=connections)
                # Requests given up on may still be queued in the server: let it drain.
                httpx.get(feed_url, timeout=300)
                progress(f"{name}: {load.answered}/{load.sent} answered, "
                         f"{load.achieved:.0f} req/s, p99 "
                         f"{load.latency.p99 if load.latency else float('nan'):.1f} ms")
                loads.append(load)
        finally:
            stop_server(server)
    result = FeedsBenchmark(machine_description(), dt.date.today(), sessions, render, singles,
                            loads, load_before, os.getloadavg(), rate, seconds)
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result.day.isoformat()}-feeds.md"
    temporary = path.with_suffix(".md.tmp")
    temporary.write_text(markdown(result), encoding="utf-8")
    temporary.replace(path)  # whole or not at all
    return result, path
