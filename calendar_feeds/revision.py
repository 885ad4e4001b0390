"""The revision step: what a feed's events are now, given what was published before.

Pure: no clock, no files. ``revise`` compares the sessions of a plan with the
events of the previous feed and decides each event's SEQUENCE, LAST-MODIFIED,
CREATED and STATUS (RFC 5545 §3.8.7; ``spec/calendar-feeds.md`` items 8-10, 13).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from domain.plan import Plan, Session
from domain.scenario import Scenario
from domain.vocabulary import Phase, SessionMode

EventStatus = Literal["CONFIRMED", "CANCELLED"]

DEFAULT_UID_DOMAIN = "haken.invalid"
# A cancelled session stays in the feed as STATUS:CANCELLED this long, then drops out.
CANCELLED_GRACE = dt.timedelta(days=30)
_ONE_SECOND = dt.timedelta(seconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT as published: the session it shows and its revision data.

    ``date``/``start``/``end`` are local to the programme's time zone, ``start`` and
    ``end`` in minutes after midnight. The three timestamps are aware and in UTC.
    ``digest`` fingerprints the scenario facts the event shows (names, address,
    meeting link, qualifications); empty when unknown.
    """

    uid: str
    association_id: str
    number: int
    phase: Phase
    expert_ids: tuple[str, ...]
    date: dt.date
    start: int
    end: int
    mode: SessionMode
    status: EventStatus
    sequence: int
    last_modified: dt.datetime
    created: dt.datetime
    cancelled_at: dt.datetime | None = None
    digest: str = ""

    @property
    def lead_id(self) -> str:
        return self.expert_ids[0]

    @property
    def cancelled(self) -> bool:
        return self.status == "CANCELLED"

    def shows(self) -> tuple[object, ...]:
        """What the event shows of its session; a change here is a new revision."""
        return (self.phase, self.expert_ids, self.date, self.start, self.end, self.mode)

    def to_record(self) -> dict[str, Any]:
        """The event as JSON-ready data; ``from_record`` gives it back equal."""
        return {
            "uid": self.uid, "association_id": self.association_id, "number": self.number,
            "phase": self.phase, "expert_ids": list(self.expert_ids),
            "date": self.date.isoformat(), "start": self.start, "end": self.end,
            "mode": self.mode, "status": self.status, "sequence": self.sequence,
            "last_modified": self.last_modified.isoformat(),
            "created": self.created.isoformat(),
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
            "digest": self.digest,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> FeedEvent:
        """An event from ``to_record``'s data; ``ValueError`` or ``KeyError`` if it is not."""
        cancelled_at = record["cancelled_at"]
        return cls(
            uid=str(record["uid"]), association_id=str(record["association_id"]),
            number=int(record["number"]), phase=record["phase"],
            expert_ids=tuple(str(e) for e in record["expert_ids"]),
            date=dt.date.fromisoformat(record["date"]), start=int(record["start"]),
            end=int(record["end"]), mode=record["mode"], status=record["status"],
            sequence=int(record["sequence"]),
            last_modified=utc(dt.datetime.fromisoformat(record["last_modified"])),
            created=utc(dt.datetime.fromisoformat(record["created"])),
            cancelled_at=utc(dt.datetime.fromisoformat(cancelled_at)) if cancelled_at else None,
            digest=str(record["digest"]),
        )

    def leaves_at(self) -> dt.datetime | None:
        """When a cancelled event leaves the feed (as ``revise`` decides); None if not cancelled."""
        if not self.cancelled:
            return None
        return (self.cancelled_at or self.last_modified) + CANCELLED_GRACE


@lru_cache(maxsize=8192, typed=True)  # every render asks again for its sessions' UIDs
def session_uid(association_id: str, number: int, uid_domain: str = DEFAULT_UID_DOMAIN) -> str:
    """The stable UID of session ``number`` of an association: ``A001-2@haken.invalid``.

    Built from the session's identity only (never its time or row order, and no
    personal data). Characters other than ``A-Z a-z 0-9 - . _ ~`` in the
    association id are percent-encoded, so the UID is plain ASCII.
    """
    return f"{quote(association_id, safe='-._~')}-{number}@{uid_domain}"


def utc(moment: dt.datetime, what: str = "now") -> dt.datetime:
    """``moment`` in UTC, to whole seconds (iCalendar has no fractions)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (with a UTC offset), got {moment}")
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _after(previous: dt.datetime, now: dt.datetime) -> dt.datetime:
    """``now``, or one second after ``previous`` if the clock has not moved past it.

    LAST-MODIFIED must advance whenever an event changes (``last-modified-not-advanced``).
    """
    return now if now > previous else previous + _ONE_SECOND


def session_digest(scenario: Scenario, session: Session) -> str:
    """A fingerprint of the scenario facts an event of ``session`` shows."""
    programme = scenario.programme
    words = programme.words
    association = scenario.association_by_id.get(session.association_id)
    facts: dict[str, Any] = {
        "programme": [programme.name, programme.timezone, programme.secretariat_contact],
        "association": None
        if association is None
        else [
            association.name,
            association.prefecture,
            association.city,
            association.address,
            association.meeting_url,
            association.sessions_requested,
            [words.needs[n].ja if n in words.needs else n for n in association.needs],
        ],
        "experts": [],
    }
    for expert_id in session.expert_ids:
        expert = scenario.expert_by_id.get(expert_id)
        facts["experts"].append(
            None
            if expert is None
            else [
                expert.name,
                [
                    words.qualifications[q].ja if q in words.qualifications else q
                    for q in expert.qualifications
                ],
            ]
        )
    canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def revise(
    previous: Sequence[FeedEvent],
    sessions: Sequence[Session],
    now: dt.datetime,
    *,
    scenario: Scenario | None = None,
    uid_domain: str = DEFAULT_UID_DOMAIN,
) -> list[FeedEvent]:
    """The events of the next feed: ``sessions`` revised against the ``previous`` feed.

    - a new session: SEQUENCE 0, CREATED = LAST-MODIFIED = ``now``;
    - a session whose date, times, experts, mode, phase or status changed (or, with
      ``scenario``, whose shown facts changed): SEQUENCE+1, LAST-MODIFIED = ``now``;
    - an unchanged session keeps its SEQUENCE and LAST-MODIFIED;
    - a session that disappeared stays as STATUS:CANCELLED (SEQUENCE+1,
      LAST-MODIFIED = cancellation time = ``now``) for ``CANCELLED_GRACE``
      after its cancellation, then drops out;
    - a session that comes back after a cancellation gets SEQUENCE+1 again.

    ``now`` is read only for events that change. If it is not after an event's
    previous LAST-MODIFIED, the event gets that time plus one second, so
    LAST-MODIFIED always advances. Events are ordered by date, start and UID.
    """
    now = utc(now)
    previous_by_uid: dict[str, FeedEvent] = {}
    for event in previous:
        if event.uid in previous_by_uid:
            raise ValueError(f"previous feed has UID {event.uid!r} twice")
        previous_by_uid[event.uid] = event

    current: dict[str, Session] = {}
    for session in sessions:
        uid = session_uid(session.association_id, session.number, uid_domain)
        if uid in current:
            raise ValueError(
                f"session {session.number} of {session.association_id} appears twice"
            )
        current[uid] = session

    events: list[FeedEvent] = []
    # Sessions of one association with the same experts show the same facts.
    digests: dict[tuple[str, tuple[str, ...]], str] = {}
    for uid, session in current.items():
        digest = ""
        if scenario is not None:
            facts_key = (session.association_id, tuple(session.expert_ids))
            if facts_key not in digests:
                digests[facts_key] = session_digest(scenario, session)
            digest = digests[facts_key]
        old = previous_by_uid.get(uid)
        if old is None:
            events.append(_new_event(uid, session, now, digest))
            continue
        fresh = _new_event(uid, session, now, digest)
        changed = (
            old.cancelled
            or old.shows() != fresh.shows()
            or bool(digest and old.digest and digest != old.digest)
        )
        if changed:
            events.append(
                replace(
                    fresh,
                    sequence=old.sequence + 1,
                    created=old.created,
                    last_modified=_after(old.last_modified, now),
                )
            )
        elif not digest or digest == old.digest:
            events.append(old)
        else:
            events.append(replace(old, digest=digest))

    for uid, old in previous_by_uid.items():
        if uid in current:
            continue
        if old.cancelled:
            cancelled_at = old.cancelled_at or old.last_modified
            if now - cancelled_at < CANCELLED_GRACE:
                events.append(replace(old, cancelled_at=cancelled_at))
            continue
        stamp = _after(old.last_modified, now)
        events.append(
            replace(
                old,
                status="CANCELLED",
                sequence=old.sequence + 1,
                last_modified=stamp,
                cancelled_at=stamp,
            )
        )
    return sorted(events, key=event_order)


def event_order(event: FeedEvent) -> tuple[dt.date, int, str]:
    return (event.date, event.start, event.uid)


def _new_event(uid: str, session: Session, now: dt.datetime, digest: str) -> FeedEvent:
    return FeedEvent(
        uid=uid,
        association_id=session.association_id,
        number=session.number,
        phase=session.phase,
        expert_ids=tuple(session.expert_ids),
        date=session.date,
        start=session.start,
        end=session.end,
        mode=session.mode,
        status="CONFIRMED",
        sequence=0,
        last_modified=now,
        created=now,
        cancelled_at=None,
        digest=digest,
    )


def revision_time(
    plan: Plan, scenario: Scenario, previous: Sequence[FeedEvent] = ()
) -> dt.datetime:
    """The default revision time of a plan: deterministic, so a plan renders the same twice.

    1. ``plan.parameters["created_at"]`` when it is an ISO timestamp with an offset;
    2. else the latest decision among the associations the plan has sessions for:
       ``decided_on`` at 00:00 in the programme's time zone (or ``applied_at``,
       whichever is later); a plan cannot have been made before that moment;
    3. else the latest ``applied_at`` in the scenario; else 1970-01-01T00:00:00Z;

    and, when a ``previous`` feed is given, no earlier than one second after the
    latest time in it, so what changes now is newer than anything published.
    Always in UTC, to whole seconds. Pass ``now`` explicitly when the real time
    of publication is known (the service does).
    """
    moment = _plan_time(plan, scenario)
    stamps = [e.last_modified for e in previous] + [e.created for e in previous]
    if stamps:
        moment = max(moment, utc(max(stamps)) + _ONE_SECOND)
    return moment


def _plan_time(plan: Plan, scenario: Scenario) -> dt.datetime:
    created_at = (plan.parameters or {}).get("created_at")
    if isinstance(created_at, str):
        try:
            moment = dt.datetime.fromisoformat(created_at)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return utc(moment)

    zone = ZoneInfo(scenario.programme.timezone)
    served = {session.association_id for session in plan.sessions}
    moments: list[dt.datetime] = []
    for association in scenario.associations:
        if association.id not in served:
            continue
        moments.append(association.applied_at)
        if association.decided_on is not None:
            moments.append(dt.datetime.combine(association.decided_on, dt.time(), zone))
    if not moments:
        moments = [association.applied_at for association in scenario.associations]
    if not moments:
        return _EPOCH
    return utc(max(moments))
