"""Calendar feeds under load: ``python -m benchmarks feeds``.

Issue 4's goals: a feed of 200 sessions renders in under 20 ms, a 304 answer is
cheaper still, and 500 requests per second on loopback hold a p99 under 50 ms.

1. *render*: ``calendar_feeds.build_feed`` of one expert's ~200 sessions against
   the feed published last time (what the service does when a feed changed), many
   times; interleaved with renders at a new time and without that feed, in which
   every event is new (so none was rendered before, as after a restart).
2. *serve*: ``haken serve --workers N`` on a free 127.0.0.1 port with a temporary
   SQLite database holding a generated scenario whose one expert carries the plan
   (the greedy baseline, checked and published through the logic layer), and a
   feed link for that expert; then one request at a time (200, 304, and 200 after a
   change, which renders), and a fixed-rate load of 200 answers and of 304 answers.

The load comes from ``hey`` (Debian package ``hey``), run as several processes
whose workers each send ``rate / workers`` requests per second, started evenly
spread over one period: the requests arrive at an even pace, each worker sends on
its own clock (open loop while an answer takes less than its period, 100 ms), and
a worker whose answer takes longer skips a beat, which the achieved rate shows.
An httpx/asyncio driver in Python could not send more than about 130 requests per
second on the 2 shared cores, and Debian's ``wrk`` is closed-loop.
The server's CPU time per request (from ``/proc``) is reported beside the
latencies: on a shared machine it varies far less than they do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import shutil
import statistics
import subprocess
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
from domain.loading import parse_scenario, scenario_sha256
from domain.plan import Plan
from domain.scenario import Scenario
from domain.vocabulary import DEFAULT_QUALIFICATIONS, INDUSTRY_LABELS
from scheduler.solve import solve_greedy
from service.server_process import Server, start_server, stop_server
from simulation.generator import generate_scenario

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


def time_render(scenario: Scenario, plan: Plan, renders: int) -> tuple[Timings, Timings, int]:
    """Milliseconds per render of the expert's feed against its previous version (its
    events as published), and per render at a new time without it (every event new)."""
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    first = build_feed(scenario, plan, expert_id=EXPERT_ID, now=now)
    previous = read_feed(first.data)
    as_published, all_new = [], []
    for index in range(renders):
        started = time.perf_counter()
        build_feed(scenario, plan, expert_id=EXPERT_ID, previous=previous, now=now)
        as_published.append((time.perf_counter() - started) * 1000)
        later = now + dt.timedelta(seconds=index + 1)  # new stamps: events not seen before
        started = time.perf_counter()
        build_feed(scenario, plan, expert_id=EXPERT_ID, now=later)
        all_new.append((time.perf_counter() - started) * 1000)
    return timings(as_published), timings(all_new), len(previous)


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
HEY_PERIOD = 0.1  # seconds between two requests of one hey worker
HEY_WORKERS_PER_PROCESS = 5


def one_at_a_time(url: str, headers: dict[str, str], expected: int, count: int,
                  before_each: Any = None) -> Timings:
    """Milliseconds per request from one client that waits for each answer (and warms up)."""
    samples = []
    with httpx.Client(timeout=60) as client:
        for _ in range(count):
            if before_each is not None:
                before_each()
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != expected:
                raise RuntimeError(f"{url}: HTTP {response.status_code}, not {expected}")
    return timings(samples)


def server_cpu_seconds(server: Server) -> float:
    """CPU time used so far by ``haken serve`` and its live child processes (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [server.process.pid]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
                pending += [int(child) for child in handle.read().split()]
        except FileNotFoundError:  # it ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


@dataclass(frozen=True)
class LoadResult:
    name: str
    rate: float  # asked, per second
    sent: int  # requests due in the run
    answered: int  # with the expected status
    failed: dict[str, int]  # why: another status, or no answer (error or skipped beat)
    seconds: float
    latency: Timings | None  # from when each request went out
    server_cpu_ms: float  # server CPU time per answered request

    @property
    def achieved(self) -> float:
        return self.answered / self.seconds if self.seconds > 0 else 0.0


def hey_command() -> str:
    found = shutil.which("hey")
    if found is None:
        raise RuntimeError("the load generator 'hey' is not installed (apt-get install hey)")
    return found


def drive(name: str, url: str, headers: dict[str, str], expected: int, rate: float,
          seconds: float, server: Server) -> LoadResult:
    """``rate`` requests per second for ``seconds`` from hey processes started a little
    apart, so that their workers' clocks spread the requests evenly over each period."""
    hey = hey_command()
    workers = max(1, round(rate * HEY_PERIOD))
    processes = math.ceil(workers / HEY_WORKERS_PER_PROCESS)
    per_worker = rate / workers
    header_options = [option for name_value in headers.items()
                      for option in ("-H", f"{name_value[0]}: {name_value[1]}")]
    running = []
    cpu_before = server_cpu_seconds(server)
    for index in range(processes):
        count = min(HEY_WORKERS_PER_PROCESS, workers - index * HEY_WORKERS_PER_PROCESS)
        running.append(subprocess.Popen(
            [hey, "-z", f"{seconds:g}s", "-c", str(count), "-q", f"{per_worker:g}", "-t", "10",
             "-disable-compression", "-disable-redirects", "-o", "csv", *header_options, url],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        time.sleep(HEY_PERIOD / processes)
    outputs = [process.communicate()[0] for process in running]
    cpu_used = server_cpu_seconds(server) - cpu_before
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    for output in outputs:
        for row in csv.DictReader(io.StringIO(output)):
            if int(row["status-code"]) == expected:
                latencies.append(float(row["response-time"]) * 1000)
            else:
                failures[f"HTTP {row['status-code']}"] += 1
    due = int(rate * seconds)
    missing = due - len(latencies) - sum(failures.values())
    if missing > 0:
        failures["no answer or skipped"] += missing
    return LoadResult(name, rate, due, len(latencies), dict(failures), seconds,
                      timings(latencies) if len(latencies) > 1 else None,
                      cpu_used * 1000 / max(1, len(latencies)))


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class FeedsBenchmark:
    machine: str
    day: dt.date
    sessions: int
    render: Timings  # against the feed published before
    render_all_new: Timings  # every event new
    singles: list[tuple[str, Timings]]  # one request at a time, per answer kind
    loads: list[LoadResult]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    rate: float
    seconds: float
    server_workers: int


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def held(load: LoadResult | None) -> bool:
    """The load goal: every request answered as expected, at 95 % of the rate, p99 < 50 ms."""
    return bool(load and not load.failed and load.latency and load.latency.p99 < 50
                and load.achieved >= 0.95 * load.rate)


def markdown(result: FeedsBenchmark) -> str:
    r = result.render
    fresh = result.render_all_new
    alone = dict(result.singles)
    loads = {load.name: load for load in result.loads}
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
        "`calendar_feeds.build_feed` in process, against the feed published before (what "
        "the service does when something the feed shows has changed), and interleaved "
        "with it at a new time without the feed before, so that every event is new and "
        "none was rendered before (as after a restart):",
        "",
        "| events | renders | p50 ms | p95 ms | p99 ms | worst ms | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        *(f"| {events} | {t.count} | {_ms(t.p50)} | {_ms(t.p95)} | {_ms(t.p99)} | "
          f"{_ms(t.worst)} | < 20 ms: {_verdict(t.p50 < 20)} |"
          for events, t in (("as published before", r), ("all new", fresh))),
        "",
        "## `haken serve`, one request at a time",
        "",
        "One client (httpx) waiting for each answer before the next, on 127.0.0.1. "
        "*200 after a change*: the feed's inputs are marked changed before each request, "
        "so the server loads the state and renders again:",
        "",
        "| answer | requests | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {name} | {t.count} | {_ms(t.p50)} | {_ms(t.p95)} | {_ms(t.p99)} |"
          for name, t in result.singles),
        "",
        f"## `haken serve --workers {result.server_workers}` at {result.rate:.0f} requests "
        f"per second for {result.seconds:.0f} s",
        "",
        "SQLite (WAL), 127.0.0.1, load from hey (see `benchmarks/README.md`). Latency from "
        "when each request went out; server CPU is the time `haken serve` and its processes "
        "used during the run, per answered request.",
        "",
        "| answer | due | answered | failed | achieved req/s | latency p50 / p95 / p99 ms "
        "| server CPU ms per request | goal p99 < 50 ms |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for load in result.loads:
        lat = load.latency
        latency = f"{_ms(lat.p50)} / {_ms(lat.p95)} / {_ms(lat.p99)}" if lat else "–"
        failed = ", ".join(f"{count} {why}" for why, count in load.failed.items()) or "0"
        lines.append(f"| {load.name} | {load.sent} | {load.answered} | {failed} | "
                     f"{load.achieved:.0f} | {latency} | {load.server_cpu_ms:.2f} | "
                     f"{_verdict(held(load))} |")
    lines += ["", "## Ratios (this run)", ""]
    if "304" in loads:
        lines.append(f"- render p50 / server CPU per 304 under load: "
                     f"{r.p50 / max(loads['304'].server_cpu_ms, 1e-9):.0f}×")
    if "304" in loads and "200" in loads:
        lines.append(f"- server CPU per 200 / per 304 under load: "
                     f"{loads['200'].server_cpu_ms / max(loads['304'].server_cpu_ms, 1e-9):.2f}")
    if "304" in alone and "200 after a change" in alone:
        lines.append(f"- one at a time, p50: 200 after a change / 304: "
                     f"{alone['200 after a change'].p50 / alone['304'].p50:.0f}×")
    if "304" in alone and "200" in alone:
        lines.append(f"- one at a time, p50: 200 from the stored feed / 304: "
                     f"{alone['200'].p50 / alone['304'].p50:.2f}")
    # The goal: a 304 is cheaper still than rendering the feed (in process, or over HTTP).
    cheaper = ("304" in alone and "200 after a change" in alone and alone["304"].p50 < r.p50
               and alone["304"].p50 < alone["200 after a change"].p50)
    lines += ["", f"A 304 cheaper than a render (one at a time, p50, against the render p50 "
              f"and a 200 after a change): {_verdict(cheaper)}.", ""]
    return "\n".join(lines)


def run(associations: int = 58, seed: int = 1, renders: int = 200, rate: float = 500.0,
        seconds: float = 10.0, server_workers: int = 2, results_dir: Path = RESULTS_DIR,
        progress: Any = print) -> tuple[FeedsBenchmark, Path]:
    hey_command()  # before anything long: the load needs it
    load_before = os.getloadavg()
    scenario = busy_expert_scenario(associations, seed)
    plan = checked_plan(scenario)
    render, render_all_new, sessions = time_render(scenario, plan, renders)
    progress(f"render: {sessions} sessions, p50 {render.p50:.1f} ms, p99 {render.p99:.1f} ms; "
             f"all new: p50 {render_all_new.p50:.1f} ms, p99 {render_all_new.p99:.1f} ms")
    loads = []
    singles: list[tuple[str, Timings]] = []
    with tempfile.TemporaryDirectory(prefix="haken-feeds-") as directory:
        url = f"sqlite:///{Path(directory) / 'haken.db'}"
        secret = prepare_database(url, scenario, plan)
        server = start_server(url, Path(directory), "--workers", str(server_workers))
        try:
            feed_url = f"{server.base}/feeds/{secret}.ics"
            first = httpx.get(feed_url, timeout=30)
            first.raise_for_status()
            etag = first.headers["ETag"]
            kinds: tuple[tuple[str, dict[str, str], int], ...] = (
                ("200", {}, 200), ("304", {"If-None-Match": etag}, 304))
            for name, headers, expected in kinds:
                alone = one_at_a_time(feed_url, headers, expected, SEQUENTIAL_REQUESTS)
                singles.append((name, alone))
                progress(f"{name} one at a time: p50 {alone.p50:.1f} ms")
            changed = one_at_a_time(feed_url, {}, 200, SEQUENTIAL_REQUESTS,
                                    before_each=lambda: mark_inputs_changed(url))
            singles.append(("200 after a change", changed))
            progress(f"200 after a change one at a time: p50 {changed.p50:.1f} ms")
            for name, headers, expected in kinds:
                load = drive(name, feed_url, headers, expected, rate, seconds, server)
                progress(f"{name}: {load.answered}/{load.sent} answered, "
                         f"{load.achieved:.0f} req/s, p99 "
                         f"{load.latency.p99 if load.latency else float('nan'):.1f} ms, "
                         f"server CPU {load.server_cpu_ms:.2f} ms per request")
                loads.append(load)
        finally:
            stop_server(server)
    result = FeedsBenchmark(machine_description(), dt.date.today(), sessions, render,
                            render_all_new, singles, loads, load_before, os.getloadavg(), rate,
                            seconds, server_workers)
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result.day.isoformat()}-feeds.md"
    temporary = path.with_suffix(".md.tmp")
    temporary.write_text(markdown(result), encoding="utf-8")
    temporary.replace(path)  # whole or not at all
    return result, path


def mark_inputs_changed(url: str) -> None:
    """What any change to the programme, experts, associations or schedule does to feeds."""
    from sqlalchemy import text

    from service.db.engine import transaction

    with transaction(url) as db:
        db.execute(text("UPDATE feed_inputs SET generation = generation + 1"))
