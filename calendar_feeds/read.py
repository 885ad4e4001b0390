"""Reading a published feed back into events, so the next revision knows the last one.

File-based users keep the ``.ics`` they published and pass it as ``--previous``;
the UIDs, SEQUENCEs and timestamps in it are what the next feed must continue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast, get_args
from urllib.parse import unquote

from icalendar import Calendar

from calendar_feeds.render import X_ASSOCIATION, X_DIGEST, X_EXPERTS, X_MODE, X_NUMBER, X_PHASE
from calendar_feeds.revision import EventStatus, FeedEvent, event_order, utc
from domain.vocabulary import SESSION_MODES, Phase, SessionMode

_PHASES: tuple[str, ...] = get_args(Phase)


def read_feed(data: bytes) -> list[FeedEvent]:
    """The events of a feed this package rendered, ordered like ``revise``'s output.

    Raises ``ValueError`` naming the event and the property when the data is not
    such a feed (not iCalendar, or an event without the ``X-HAKEN-*`` properties
    that say which session it shows).
    """
    try:
        calendar = Calendar.from_ical(data)
    except Exception as error:  # icalendar raises several kinds on malformed input
        raise ValueError(f"not an iCalendar feed: {error}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise ValueError("not an iCalendar feed: no VCALENDAR")
    events = [_event(component) for component in calendar.walk("VEVENT")]
    seen: set[str] = set()
    for event in events:
        if event.uid in seen:
            raise ValueError(f"event {event.uid}: UID appears twice")
        seen.add(event.uid)
    return sorted(events, key=event_order)


def _event(component: Any) -> FeedEvent:
    uid = str(component.get("UID", "")).strip()
    if not uid:
        raise ValueError("an event has no UID")

    def raw(name: str) -> str:
        value = component.get(name)
        if value is None:
            raise ValueError(f"event {uid}: no {name}")
        if isinstance(value, bytes):
            return value.decode("utf-8")
        to_ical = getattr(value, "to_ical", None)
        text = to_ical() if callable(to_ical) else value
        return text.decode("utf-8") if isinstance(text, bytes) else str(text)

    def moment(name: str) -> dt.datetime:
        value = component.get(name)
        if value is None:
            raise ValueError(f"event {uid}: no {name}")
        decoded = getattr(value, "dt", None)
        if not isinstance(decoded, dt.datetime) or decoded.tzinfo is None:
            raise ValueError(f"event {uid}: {name} is not a date-time with a zone")
        return decoded

    status = raw("STATUS").strip().upper()
    if status not in ("CONFIRMED", "CANCELLED"):
        raise ValueError(f"event {uid}: STATUS {status!r} is not CONFIRMED or CANCELLED")
    phase = raw(X_PHASE).strip()
    if phase not in _PHASES:
        raise ValueError(f"event {uid}: {X_PHASE} {phase!r} is not a phase")
    mode = raw(X_MODE).strip()
    if mode not in SESSION_MODES:
        raise ValueError(f"event {uid}: {X_MODE} {mode!r} is not a session mode")
    try:
        number = int(raw(X_NUMBER))
        sequence = int(raw("SEQUENCE"))
    except ValueError:
        raise ValueError(f"event {uid}: {X_NUMBER} or SEQUENCE is not a number") from None
    experts = tuple(unquote(part) for part in raw(X_EXPERTS).split())
    if not experts:
        raise ValueError(f"event {uid}: {X_EXPERTS} is empty")

    start = moment("DTSTART")
    end = moment("DTEND").astimezone(start.tzinfo)
    start_minutes = start.hour * 60 + start.minute
    end_minutes = (end.date() - start.date()).days * 1440 + end.hour * 60 + end.minute
    last_modified = utc(moment("LAST-MODIFIED"), f"event {uid}: LAST-MODIFIED")
    created = utc(moment("CREATED"), f"event {uid}: CREATED")
    digest = unquote(raw(X_DIGEST)) if component.get(X_DIGEST) is not None else ""
    return FeedEvent(
        uid=uid,
        association_id=unquote(raw(X_ASSOCIATION).strip()),
        number=number,
        phase=cast(Phase, phase),
        expert_ids=experts,
        date=start.date(),
        start=start_minutes,
        end=end_minutes,
        mode=cast(SessionMode, mode),
        status=cast(EventStatus, status),
        sequence=sequence,
        last_modified=last_modified,
        created=created,
        cancelled_at=last_modified if status == "CANCELLED" else None,
        digest=digest,
    )
