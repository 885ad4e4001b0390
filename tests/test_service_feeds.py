"""Calendar feeds over HTTP: secret links, validators, 304, rotation, revocation, redaction."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime

from icalendar import Calendar

from calendar_feeds import read_feed
from service.logs import RedactFeedTokens
from tests.service_support import Api, small_document


def secret_of(link: str) -> str:
    return link.rsplit("/", 1)[1].removesuffix(".ics")


def test_a_feed_link_serves_the_schedule_with_validators(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
    created = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": "E1"})
    assert created.status_code == 201, created.text
    links = created.json()
    assert links["https"].startswith("https://") and links["https"].endswith(".ics")
    assert links["webcal"] == "webcal://" + links["https"].removeprefix("https://")
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


def test_the_access_log_never_shows_a_feed_token() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/feeds/s3cr3tT0ken.ics?x=1", "1.1",
                                200), None)
    assert RedactFeedTokens().filter(record)
    assert "s3cr3tT0ken" not in record.getMessage()
    assert "/feeds/[redacted]" in record.getMessage()
