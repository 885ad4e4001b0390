"""Calendar feeds over HTTP: secret links, validators, 304, rotation, revocation, redaction."""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import text

from calendar_feeds import CANCELLED_GRACE, read_feed
from service.app import create_app
from service.db.engine import engine_for, transaction
from service.logic import exchange
from service.logic import feeds as feeds_logic
from service.logs import RedactSecrets
from service.server_process import start_server, stop_server
from tests.service_support import (
    Api,
    fresh_database,
    served_api,
    settings_for,
    small_document,
)


def secret_of(link: str) -> str:
    return link.rsplit("/", 1)[1].removesuffix(".ics")


def test_a_feed_link_serves_the_schedule_with_validators(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
    created = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": "E1"})
    assert created.status_code == 201, created.text
    links = created.json()
    assert links["https"].startswith("http://testserver/feeds/") and links["https"].endswith(".ics")
    assert links["webcal"] == "webcal://" + links["https"].removeprefix("http://")
    secret = secret_of(links["https"])
    assert len(secret) >= 22  # at least 128 bits in base64url
    path = f"/feeds/{secret}.ics"

    first = api.client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    events = read_feed(first.content)
    assert [(e.number, e.status) for e in events] == [(1, "CONFIRMED"), (2, "CONFIRMED")]
    assert "相談セッション" in str(Calendar.from_ical(first.content).get("X-WR-CALNAME"))

    again = api.client.get(path)
    assert again.content == first.content and again.headers["ETag"] == etag
    assert api.client.get(path, headers={"If-None-Match": etag}).status_code == 304
    since = first.headers["Last-Modified"]
    unchanged = api.client.get(path, headers={"If-Modified-Since": since})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert api.client.get(path, headers={"If-Modified-Since": "yesterday"}).status_code == 200

    # E1 drops out: the feed changes, its events show as cancelled, validators move on.
    replaced = api.send("POST", "/api/v1/associations/A1/replacement",
                        body={"expert_id": "E1", "by": "E3"})
    assert replaced.status_code == 200
    after = api.client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert parsedate_to_datetime(after.headers["Last-Modified"]) >= parsedate_to_datetime(since)
    cancelled = read_feed(after.content)
    assert [(e.status, e.sequence) for e in cancelled] == [("CANCELLED", 1), ("CANCELLED", 1)]

    # Rotation: the old link stops; revocation: the new one too. 404 says nothing else.
    rotated = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": "E1"})
    new_path = f"/feeds/{secret_of(rotated.json()['https'])}.ics"
    gone = api.client.get(path)
    assert gone.status_code == 404 and gone.content == b""
    assert api.client.get(new_path).status_code == 200
    assert api.send("DELETE", f"/api/v1/feeds/{rotated.json()['id']}").status_code == 200
    assert api.client.get(new_path).status_code == 404
    assert api.client.get("/feeds/not-a-token.ics").status_code == 404
    assert api.send("POST", "/api/v1/feeds", role="viewer",
                    body={"subject": "expert", "subject_id": "E1"}).status_code == 403


def test_links_are_made_from_the_public_address_or_where_the_server_listens(
        database_url: str, tmp_path: Path) -> None:
    with served_api(database_url, tmp_path) as api:  # no HAKEN_PUBLIC_BASE_URL
        assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
        links = api.send("POST", "/api/v1/feeds",
                         body={"subject": "expert", "subject_id": "E1"}).json()
        base = str(api.client.base_url).rstrip("/")
        assert links["https"].startswith(f"{base}/feeds/")
        assert links["webcal"] == "webcal://" + links["https"].removeprefix("http://")
        assert httpx.get(links["https"]).status_code == 200
        assert api.server_log is not None
        assert f"HAKEN_PUBLIC_BASE_URL is not set: feed links and the console's origin check " \
               f"use {base}" in api.server_log.read_text()
        staff = api.headers("staff")
    public = "https://haken.example.org/tokyo"
    with TestClient(create_app(settings_for(database_url, public_base_url=public))) as client:
        links = client.post("/api/v1/feeds", headers=staff,
                            json={"subject": "expert", "subject_id": "E1"}).json()
        assert links["https"].startswith(f"{public}/feeds/") and links["https"].endswith(".ics")
        assert links["webcal"] == "webcal://" + links["https"].removeprefix("https://")


def test_the_access_log_never_shows_a_feed_token() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/feeds/s3cr3tT0ken.ics?x=1", "1.1",
                                200), None)
    assert RedactSecrets().filter(record)
    assert "s3cr3tT0ken" not in record.getMessage()
    assert "/feeds/[redacted]" in record.getMessage()


# --------------------------------------------------------------------------- the stored feed


def put_record(api: Api, path: str, change: dict[str, Any]) -> None:
    read = api.get(path)
    answer = api.send("PUT", path, body={**read.json(), **change}, if_match=read.headers["ETag"])
    assert answer.status_code == 200, answer.text


def test_every_change_a_feed_shows_reaches_the_next_fetch(api: Api) -> None:
    """Fetches answer from the stored feed; each change below must still get through."""
    assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
    created = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": "E1"})
    path = f"/feeds/{secret_of(created.json()['https'])}.ics"
    first = api.client.get(path)
    assert first.status_code == 200

    def refetch(etag: str) -> tuple[bytes, str, list[Any]]:
        """The feed as a subscriber holding ``etag`` gets it: it must have changed."""
        answer = api.client.get(path, headers={"If-None-Match": etag})
        assert answer.status_code == 200 and answer.headers["ETag"] != etag
        assert answer.content == api.client.get(path).content  # and stays so
        assert api.client.get(path, headers={"If-None-Match": answer.headers["ETag"]}
                              ).status_code == 304
        return answer.content, answer.headers["ETag"], read_feed(answer.content)

    etag = first.headers["ETag"]
    assert api.client.get(path, headers={"If-None-Match": etag}).status_code == 304

    put_record(api, "/api/v1/experts/E1", {"name": "改名 太郎"})
    body, etag, events = refetch(etag)
    assert "改名 太郎".encode() in body and [e.sequence for e in events] == [1, 1]

    put_record(api, "/api/v1/associations/A1", {"name": "新名称組合"})
    body, etag, events = refetch(etag)
    assert "新名称組合".encode() in body and [e.sequence for e in events] == [2, 2]

    programme = api.get("/api/v1/programme")
    changed = api.send("PUT", "/api/v1/programme", if_match=programme.headers["ETag"],
                       body={**programme.json(), "secretariat_contact": "事務局 03-9999-9999"})
    assert changed.status_code == 200, changed.text
    body, etag, events = refetch(etag)
    assert b"03-9999-9999" in body

    # The schedule itself: session 2 moves (a re-import of the state with it elsewhere).
    exported = api.get("/api/v1/scenario")
    document = exported.json()
    document["pinned"][1]["date"] = "2025-09-24"
    assert api.send("PUT", "/api/v1/scenario", body=document,
                    if_match=exported.headers["ETag"]).status_code == 200
    body, etag, events = refetch(etag)
    moved = next(e for e in events if e.number == 2)
    assert moved.date.isoformat() == "2025-09-24" and moved.status == "CONFIRMED"

    # The association withdraws: its sessions show as cancelled.
    url = "/api/v1/associations/A1"
    withdrawn = api.send("POST", f"{url}/transitions", if_match=api.get(url).headers["ETag"],
                         body={"to": "withdrawn", "reason": "団体の都合により辞退"})
    assert withdrawn.status_code == 200, withdrawn.text
    body, etag, events = refetch(etag)
    assert {e.status for e in events} == {"CANCELLED"}

    # Rotation and revocation: the stored feed never answers for a link that stopped.
    rotated = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": "E1"})
    assert api.client.get(path, headers={"If-None-Match": etag}).status_code == 404
    assert api.client.get(path).status_code == 404
    new_path = f"/feeds/{secret_of(rotated.json()['https'])}.ics"
    assert api.client.get(new_path, headers={"If-None-Match": etag}).status_code == 304
    assert api.client.get(new_path).content == body
    assert api.send("DELETE", f"/api/v1/feeds/{rotated.json()['id']}").status_code == 200
    assert api.client.get(new_path, headers={"If-None-Match": etag}).status_code == 404
    assert api.client.get(new_path).status_code == 404


def test_a_stored_feed_drops_its_cancelled_events_after_30_days(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
    created = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": "E1"})
    path = f"/feeds/{secret_of(created.json()['https'])}.ics"
    assert api.client.get(path).status_code == 200
    url = "/api/v1/associations/A1"
    assert api.send("POST", f"{url}/transitions", if_match=api.get(url).headers["ETag"],
                    body={"to": "withdrawn", "reason": "辞退"}).status_code == 200
    cancelled = api.client.get(path)
    assert {e.status for e in read_feed(cancelled.content)} == {"CANCELLED"}
    etag = cancelled.headers["ETag"]
    assert api.client.get(path, headers={"If-None-Match": etag}).status_code == 304

    later = feeds_logic.utcnow() + CANCELLED_GRACE + dt.timedelta(seconds=1)
    monkeypatch.setattr(feeds_logic, "utcnow", lambda: later)
    gone = api.client.get(path, headers={"If-None-Match": etag})
    assert gone.status_code == 200 and read_feed(gone.content) == []


def test_every_write_to_what_feeds_show_moves_the_generation(api: Api) -> None:
    """The triggers see changes however they are made, plain SQL included."""
    assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
    engine = engine_for(api.url)

    def generation() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT generation FROM feed_inputs")).scalar_one())

    for statement in ("UPDATE programme SET version = version + 1",
                      "UPDATE experts SET version = version + 1 WHERE id = 'E7'",
                      "DELETE FROM experts WHERE id = 'E7'",
                      "UPDATE associations SET version = version + 1",
                      "UPDATE sessions SET version = version + 1 WHERE number = 2",
                      "DELETE FROM sessions WHERE number = 2"):
        before = generation()
        with engine.begin() as connection:
            connection.execute(text(statement))
        assert generation() > before, statement
    before = generation()
    with engine.begin() as connection:  # what feeds do not show leaves it alone
        connection.execute(text("UPDATE feed_tokens SET created_by = 'x'"))
        connection.execute(text("UPDATE api_tokens SET role = role"))
    assert generation() == before


def test_several_server_processes_serve_the_same_feeds(tmp_path: Path) -> None:
    """``haken serve --workers 2``: each process builds the app; any of them answers."""
    url = fresh_database("sqlite", tmp_path)
    with transaction(url) as db:
        exchange.import_scenario(db, small_document(), "test")
        _, secret = feeds_logic.create(db, "expert", "E1", "test")
    running = start_server(url, tmp_path, "--workers", "2", "--no-worker")
    try:
        with httpx.Client(base_url=running.base, timeout=60) as client:
            first = client.get(f"/feeds/{secret}.ics")
            assert first.status_code == 200 and read_feed(first.content)
            for _ in range(6):  # whichever process takes the connection
                with httpx.Client(base_url=running.base, timeout=60) as fresh:
                    again = fresh.get(f"/feeds/{secret}.ics",
                                      headers={"If-None-Match": first.headers["ETag"]})
                    assert again.status_code == 304
            assert client.get("/feeds/not-a-token.ics").status_code == 404
    finally:
        stop_server(running)
    assert secret not in running.log.read_text()
