"""Which sessions go into whose feed, and the feed for each subscriber.

An expert's feed holds the sessions the expert leads or joins; an
association's feed only its own sessions; the secretariat's feed all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from calendar_feeds.render import Audience, render_feed
from calendar_feeds.revision import (
    DEFAULT_UID_DOMAIN,
    FeedEvent,
    revise,
    revision_time,
    session_uid,
)
from calendar_feeds.texts import (
    SECRETARIAT_CALENDAR_NAME,
    association_calendar_name,
    calendar_description,
    expert_calendar_name,
)
from domain.plan import Plan, Session
from domain.scenario import Scenario


@dataclass(frozen=True)
class Feed:
    """A rendered feed and the events it holds (the ``previous`` of the next revision)."""

    calendar_name: str
    events: tuple[FeedEvent, ...]
    data: bytes


def build_feed(
    scenario: Scenario,
    plan: Plan,
    *,
    expert_id: str | None = None,
    association_id: str | None = None,
    previous: Sequence[FeedEvent] = (),
    now: dt.datetime | None = None,
    uid_domain: str = DEFAULT_UID_DOMAIN,
) -> Feed:
    """The feed of one expert, one association, or (neither given) the secretariat.

    ``previous`` is the events of this feed as last published (``read_feed`` of
    the old file, or the ``events`` of the last ``Feed``); events of other
    subscribers in it are ignored, so the whole last state may be passed too.
    ``now`` defaults to ``revision_time(plan, scenario, previous)``, so the same
    inputs give the same bytes. Raises ``ValueError`` for an id the scenario lacks.
    """
    if expert_id is not None and association_id is not None:
        raise ValueError("give an expert or an association, not both")
    moment = now if now is not None else revision_time(plan, scenario, previous)
    audience: Audience
    if expert_id is not None:
        expert = scenario.expert_by_id.get(expert_id)
        if expert is None:
            raise ValueError(f"unknown expert {expert_id!r}: not in the scenario")
        audience, name = "expert", expert_calendar_name(expert.name)
        sessions = [s for s in plan.sessions if expert_id in s.expert_ids]
        was_theirs = [e for e in previous if expert_id in e.expert_ids]
    elif association_id is not None:
        association = scenario.association_by_id.get(association_id)
        if association is None:
            raise ValueError(f"unknown association {association_id!r}: not in the scenario")
        audience, name = "association", association_calendar_name(association.name)
        sessions = [s for s in plan.sessions if s.association_id == association_id]
        was_theirs = [e for e in previous if e.association_id == association_id]
    else:
        audience, name = "secretariat", SECRETARIAT_CALENDAR_NAME
        sessions = list(plan.sessions)
        was_theirs = list(previous)
    prior = _prior(previous, was_theirs, sessions, uid_domain)
    events = revise(prior, sessions, moment, scenario=scenario, uid_domain=uid_domain)
    description = calendar_description(
        scenario.programme.name, scenario.programme.secretariat_contact
    )
    data = render_feed(
        events, scenario, calendar_name=name, description=description, audience=audience
    )
    return Feed(calendar_name=name, events=tuple(events), data=data)


def _prior(
    previous: Sequence[FeedEvent],
    was_theirs: Sequence[FeedEvent],
    sessions: Sequence[Session],
    uid_domain: str,
) -> list[FeedEvent]:
    """Previous events that concern this feed: theirs before, or theirs now."""
    now_theirs = {session_uid(s.association_id, s.number, uid_domain) for s in sessions}
    keep = {e.uid for e in was_theirs} | now_theirs
    return [e for e in previous if e.uid in keep]


def expert_feed(
    scenario: Scenario,
    plan: Plan,
    expert_id: str,
    previous: Sequence[FeedEvent] = (),
    now: dt.datetime | None = None,
    *,
    uid_domain: str = DEFAULT_UID_DOMAIN,
) -> bytes:
    """``相談セッション（山田 花子）``: the sessions ``expert_id`` leads or joins."""
    return build_feed(
        scenario, plan, expert_id=expert_id, previous=previous, now=now, uid_domain=uid_domain
    ).data


def association_feed(
    scenario: Scenario,
    plan: Plan,
    association_id: str,
    previous: Sequence[FeedEvent] = (),
    now: dt.datetime | None = None,
    *,
    uid_domain: str = DEFAULT_UID_DOMAIN,
) -> bytes:
    """``カスハラ対策 専門家派遣（〇〇組合連合会）``: the association's own sessions."""
    return build_feed(
        scenario,
        plan,
        association_id=association_id,
        previous=previous,
        now=now,
        uid_domain=uid_domain,
    ).data


def secretariat_feed(
    scenario: Scenario,
    plan: Plan,
    previous: Sequence[FeedEvent] = (),
    now: dt.datetime | None = None,
    *,
    uid_domain: str = DEFAULT_UID_DOMAIN,
) -> bytes:
    """``専門家派遣 全セッション（事務局）``: every session of the plan."""
    return build_feed(scenario, plan, previous=previous, now=now, uid_domain=uid_domain).data
