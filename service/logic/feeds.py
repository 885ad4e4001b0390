"""Private calendar feeds over HTTP: one secret URL per expert or association.

The secret (256 random bits) is shown once, in the links, and stored as a hash.
A fetch renders the subscriber's sessions of the current schedule against the
feed served last time, so UIDs stay, changed sessions get a higher SEQUENCE and
removed ones show as cancelled; unchanged content gives the same bytes and ETag.
It renders only when something the feed shows may have changed (the generation
of ``feed_inputs``, moved by database triggers) or a cancelled event is due to
leave; otherwise the stored feed and its validators are the answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Literal, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from calendar_feeds import FeedEvent, build_feed, read_feed
from domain.plan import Plan, Stats
from domain.plan import Session as PlanSession
from service.db.models import (
    FeedInputsRow,
    FeedStateRow,
    FeedTokenRow,
    utcnow,
)
from service.logic.plans import schedule
from service.logic.secret_links import SecretLinks
from service.logic.secret_links import Subject as Subject  # the callers name it here
from service.logic.state import CALLED_OFF_STATES, current_scenario
from service.logic.tokens import digest

# Sessions of these associations appear in feeds; a withdrawn one's are cancelled.
SHOWN_STATUSES = ("accepted", "completed")
FEED_INPUTS_ID = 1  # the one row of feed_inputs


_FEEDS = SecretLinks(FeedTokenRow, "feed")
# A new secret feed URL for the subject (any earlier one stops working: rotation), the
# subject's working feeds, every feed, and revoking one: the self-service links' record too.
create = _FEEDS.create
active = _FEEDS.active
listing = _FEEDS.listing
revoke = _FEEDS.revoke


def subscription_links(public_base_url: str, secret: str) -> tuple[str, str]:
    """The web link (Google, Outlook on the web) and the webcal one (Apple, Outlook), on the
    address the service is reached at: https behind TLS, http where it is served plainly."""
    link = f"{public_base_url.rstrip('/')}/feeds/{secret}.ics"
    return link, "webcal://" + link.split("://", 1)[1]


@dataclass(frozen=True)
class Rendered:
    body: bytes | None  # None when the caller said it needs no body (its validators match)
    etag: str
    last_modified: dt.datetime


class BodyCache:
    """Feed bodies by ETag, in this process, so a fetch of an unchanged feed reads no body.

    The ETag is a hash of the body, so an entry can never be stale; the least
    recently used go first once ``max_bytes`` is exceeded.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.bodies: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()  # sync routes run in a thread pool

    def get(self, etag: str) -> bytes | None:
        with self.lock:
            body = self.bodies.get(etag)
            if body is not None:
                self.bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self.lock:
            if etag in self.bodies:
                return
            self.bodies[etag] = body
            self.size += len(body)
            while self.size > self.max_bytes:
                _, dropped = self.bodies.popitem(last=False)
                self.size -= len(dropped)


BODIES = BodyCache(max_bytes=64 * 1024 * 1024)

_TOKENS = FeedTokenRow.__table__.c
_STATES = FeedStateRow.__table__.c
_INPUTS = FeedInputsRow.__table__.c
# Built once, on the tables rather than the ORM classes: building the statement and
# the ORM's handling of it cost more than the query itself on every fetch.
_FETCH = (
    select(_TOKENS.subject, _TOKENS.subject_id, _STATES.etag, _STATES.last_modified,
           _STATES.generation, _STATES.fresh_until, _INPUTS.generation.label("current"))
    .select_from(FeedTokenRow.__table__
                 .outerjoin(FeedStateRow.__table__, (_STATES.subject == _TOKENS.subject)
                            & (_STATES.subject_id == _TOKENS.subject_id))
                 .join(FeedInputsRow.__table__, _INPUTS.id == FEED_INPUTS_ID))
    .where(_TOKENS.token_hash == bindparam("token_hash"), _TOKENS.revoked_at.is_(None))
)


class Lookup(Enum):
    NEEDS_WORK = "the body must be read from the database, or the feed rendered again"


class Found(NamedTuple):
    """A feed link and what is stored of its feed (None if it was never served)."""

    subject: str
    subject_id: str
    etag: str | None
    last_modified: dt.datetime | None
    generation: int | None  # of feed_inputs when the stored feed was rendered
    fresh_until: dt.datetime | None
    current_generation: int

    def current(self, now: dt.datetime) -> bool:
        """Whether the stored feed is still the feed: nothing it shows changed since it was
        rendered, and no cancelled event in it is due to leave."""
        return (self.etag is not None and self.generation == self.current_generation
                and (self.fresh_until is None or now < self.fresh_until))


def stored(db: Session, secret: str, wants_body: Callable[[str, dt.datetime], bool]
           ) -> Rendered | Literal[Lookup.NEEDS_WORK] | None:
    """The answer from the stored feed without rendering or reading its body: the feed's
    validators (``wants_body`` says no) or its body from ``BODIES``; None for a wrong or
    revoked secret; ``NEEDS_WORK`` when ``render`` must read the body or render again.

    One indexed query finds the token, the feed served last and the current
    generation of the feed's inputs.
    """
    found = _find(db, secret)
    if found is None:
        return None
    answer = _stored_answer(found, wants_body)
    return Lookup.NEEDS_WORK if answer is None else answer


def _stored_answer(found: Found, wants_body: Callable[[str, dt.datetime], bool]
                   ) -> Rendered | None:
    """``stored``'s answer for a link found; None when it needs work."""
    if not found.current(utcnow()) or found.etag is None or found.last_modified is None:
        return None
    if not wants_body(found.etag, found.last_modified):
        return Rendered(None, found.etag, found.last_modified)
    body = BODIES.get(found.etag)
    return None if body is None else Rendered(body, found.etag, found.last_modified)


def render(db: Session, secret: str, *, wants_body: Callable[[str, dt.datetime], bool]
           = lambda _etag, _last_modified: True) -> Rendered | None:
    """The feed behind a secret, or None for a wrong or revoked one (a plain 404): the
    stored feed (see ``stored``; its body read from the database if need be) while it
    is current, otherwise the feed rendered again against it, and stored."""
    found = _find(db, secret)
    if found is None:
        return None
    answer = _stored_answer(found, wants_body)
    if answer is not None:
        return answer
    now = utcnow().replace(microsecond=0)
    if found.current(now) and found.etag is not None and found.last_modified is not None:
        body = db.scalar(select(FeedStateRow.body).where(
            FeedStateRow.subject == found.subject, FeedStateRow.subject_id == found.subject_id,
            FeedStateRow.etag == found.etag))
        if body is not None:
            data = body.encode("utf-8")
            BODIES.put(found.etag, data)
            return Rendered(data, found.etag, found.last_modified)
    return _render_again(db, found.subject, found.subject_id, found.current_generation, now)


def _find(db: Session, secret: str) -> Found | None:
    row = db.execute(_FETCH, {"token_hash": digest(secret)}).one_or_none()
    return None if row is None else Found(*row)


def _render_again(db: Session, subject: str, subject_id: str, generation: int,
                  now: dt.datetime) -> Rendered | None:
    """Render the subject's feed against the one served last, and store it."""
    # The generation was read before the data below: if a change commits in between,
    # the feed shows it but is stored under the older generation, and is rendered
    # once more on the next fetch (never the other way round).
    scenario = current_scenario(db)
    shown = {a.id for a in scenario.associations if a.status in SHOWN_STATUSES}
    # A session called off (or missed) leaves the feed: it shows there as cancelled.
    sessions = [PlanSession.model_validate(r.data) for r in schedule(db)
                if r.association_id in shown and r.state not in CALLED_OFF_STATES]
    plan = Plan(scenario_sha256="", sessions=sessions, unserved=[],
                stats=Stats(served=0, unserved=0, served_upper_bound=0,
                            solver_status="SCHEDULE", wall_seconds=0.0))
    state = db.get(FeedStateRow, (subject, subject_id))
    previous = _served_events(state) if state is not None else []
    try:
        feed = build_feed(scenario, plan, previous=previous, now=now,
                          expert_id=subject_id if subject == "expert" else None,
                          association_id=subject_id if subject == "association" else None)
    except ValueError:  # the subject left the scenario
        return None
    etag = '"' + hashlib.sha256(feed.data).hexdigest()[:32] + '"'
    leaving = [moment for moment in (e.leaves_at() for e in feed.events) if moment]
    fresh_until = min(leaving) if leaving else None
    events = [e.to_record() for e in feed.events]
    if state is None:
        state = FeedStateRow(subject=subject, subject_id=subject_id,
                             body=feed.data.decode("utf-8"), etag=etag, last_modified=now)
        db.add(state)
    elif state.etag != etag:
        state.body, state.etag, state.last_modified = feed.data.decode("utf-8"), etag, now
    state.generation, state.fresh_until, state.events = generation, fresh_until, events
    BODIES.put(state.etag, feed.data)
    return Rendered(feed.data, state.etag, state.last_modified)


def _served_events(state: FeedStateRow) -> list[FeedEvent]:
    """The events of the feed served last: stored beside it, or read from it (older rows)."""
    if state.events is not None:
        try:
            return [FeedEvent.from_record(record) for record in state.events]
        except (KeyError, TypeError, ValueError):
            pass  # not what to_record wrote: the body says the same
    return read_feed(state.body.encode("utf-8"))
