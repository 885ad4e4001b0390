"""Calendar feeds (RFC 5545 ``.ics``) that experts, associations and the secretariat subscribe to.

It renders a plan; it does not plan. ``revise`` decides each event's revision
(UID, SEQUENCE, LAST-MODIFIED, STATUS) against the previously published feed,
``render_feed`` turns events into bytes that meet ``spec/calendar-feeds.md``
sections A and B, ``read_feed`` reads a published feed back, and
``expert_feed``/``association_feed``/``secretariat_feed`` pick the sessions of
one subscriber and do all three.
"""

from calendar_feeds.feeds import (
    Feed,
    association_feed,
    build_feed,
    expert_feed,
    secretariat_feed,
)
from calendar_feeds.read import read_feed
from calendar_feeds.render import Audience, render_feed
from calendar_feeds.revision import (
    CANCELLED_GRACE,
    DEFAULT_UID_DOMAIN,
    FeedEvent,
    revise,
    revision_time,
    session_uid,
)

__all__ = [
    "CANCELLED_GRACE",
    "DEFAULT_UID_DOMAIN",
    "Audience",
    "Feed",
    "FeedEvent",
    "association_feed",
    "build_feed",
    "expert_feed",
    "read_feed",
    "render_feed",
    "revise",
    "revision_time",
    "secretariat_feed",
    "session_uid",
]
