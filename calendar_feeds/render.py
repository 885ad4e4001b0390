"""Rendering revised events as an RFC 5545 feed that subscribing clients accept.

Every rule of ``spec/calendar-feeds.md`` sections A and B that concerns the
bytes is kept here: CRLF and UTF-8 without BOM (A1), folding at 75 octets
without splitting a character (A2), TEXT escaping (A3, by ``icalendar``'s
``vText`` after control characters are cleaned out), one VCALENDAR with
VERSION and PRODID and no METHOD (A4, A5), the calendar's name (A6), the
refresh hint (A7), and the events' UID, stamps, SEQUENCE, TZID with its
VTIMEZONE, DTEND, STATUS and SUMMARY (B8-B14).

The same events and scenario always render to the same bytes: there is no
clock in here; DTSTAMP is the event's LAST-MODIFIED. Each event's finished
lines are cached by the value of everything they show (``EventFacts``), so a
render after a change elsewhere writes only the events that changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration, vText

from calendar_feeds.revision import FeedEvent, event_order
from calendar_feeds.texts import (
    CANCELLED_NOTICE,
    CANCELLED_PREFIX,
    LIST_SEPARATOR,
    ONLINE_LOCATION,
    PHASE_AIMS,
    SUMMARY_PREFIX,
)
from domain.scenario import Association, Scenario
from domain.vocabulary import MODE_LABELS, PHASE_LABELS

Audience = Literal["expert", "association", "secretariat"]

PRODID = "-//Haken//Calendar feeds//JA"
REFRESH = dt.timedelta(hours=1)
FOLD_LIMIT = 75  # octets per physical line, CRLF excluded (RFC 5545 §3.1)

# X- properties that let ``read_feed`` recover the session behind an event.
X_ASSOCIATION = "X-HAKEN-ASSOCIATION"
X_NUMBER = "X-HAKEN-SESSION"
X_PHASE = "X-HAKEN-PHASE"
X_EXPERTS = "X-HAKEN-EXPERTS"
X_MODE = "X-HAKEN-MODE"
X_DIGEST = "X-HAKEN-DIGEST"

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile("\r\n|[\r\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Any character that clean_text would change, or that TEXT escaping would (RFC 5545 §3.3.11).
_NOT_CLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f\r\x85\u2028\u2029\ud800-\udfff]")
_ESCAPED = re.compile("[\\\\;,\n\r]")
_PLAIN_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+$")


def clean_text(text: str) -> str:
    """Text as a TEXT value may hold it: one kind of newline, no control characters.

    Every line break becomes ``\\n`` (which ``vText`` writes as the escape ``\\n``);
    other control characters, which RFC 5545 §3.3.11 does not allow, are dropped,
    and unpaired surrogates become U+FFFD so the text encodes as UTF-8.
    """
    if not _NOT_CLEAN.search(text):  # the usual case, checked in one pass
        return text
    text = _LINE_BREAK.sub("\n", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def _text(text: str) -> vText:
    return vText(clean_text(text))


def render_feed(
    events: Iterable[FeedEvent],
    scenario: Scenario,
    *,
    calendar_name: str,
    description: str | None = None,
    audience: Audience = "secretariat",
) -> bytes:
    """The feed of ``events`` as bytes: UTF-8, CRLF, folded at 75 octets.

    ``audience`` chooses whom the titles and descriptions speak to: an expert
    sees the association, an association sees its experts, the secretariat both.
    """
    programme = scenario.programme
    ordered = sorted(events, key=event_order)
    years = [programme.implementation_period.start.year, programme.implementation_period.end.year]
    years += [event.date.year for event in ordered]
    head, end = _calendar_frame(
        calendar_name, description, programme.timezone, min(years), max(years)
    )
    times = _local_time_lines(programme.timezone)
    facts = ScenarioFacts(scenario)
    blocks = [_folded_event(event, facts.of(event), audience, times) for event in ordered]
    return b"".join([head, *blocks, end])


@lru_cache(maxsize=64)
def _calendar_frame(
    calendar_name: str, description: str | None, tzid: str, first_year: int, last_year: int
) -> tuple[bytes, bytes]:
    """The folded lines before the events (VCALENDAR's properties and the VTIMEZONE)
    and the ``END:VCALENDAR`` line after them, each line ended by CRLF: the same for
    every render of a feed."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("NAME", _text(calendar_name))
    calendar.add("X-WR-CALNAME", _text(calendar_name))
    if description:
        calendar.add("DESCRIPTION", _text(description))
        calendar.add("X-WR-CALDESC", _text(description))
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add_component(vtimezone(tzid, first_year, last_year))
    lines = [line.encode("utf-8") for line in calendar.content_lines() if line]
    end = lines.pop()  # END:VCALENDAR, after the events
    # Content lines unfolded, folded here (icalendar's own folding is slower).
    return fold_lines(lines), fold_lines([end])


@lru_cache(maxsize=32)
def _local_time_lines(tzid: str) -> tuple[str, str]:
    """How icalendar writes DTSTART and DTEND in zone ``tzid``, as ``str.format`` patterns.

    ``DTSTART;TZID=Asia/Tokyo:{}`` for ``_wall_time``, or with a ``Z`` and no TZID for UTC:
    learnt from icalendar once per zone, so the events written by ``vevent_lines``
    keep its exact form.
    """
    sample = dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=ZoneInfo(tzid))
    probe = Event()
    probe.add("DTSTART", sample)
    probe.add("DTEND", sample)
    found = {line.split(":")[0].split(";")[0]: line
             for line in (str(item) for item in probe.content_lines()) if line}
    patterns = [found[name].replace("{", "{{").replace("}", "}}")
                .replace("20010203T040506", "{}") for name in ("DTSTART", "DTEND")]
    return patterns[0], patterns[1]


def _escaped(text: str) -> str:
    """A TEXT value as it goes on a content line: cleaned, then escaped by ``vText``."""
    text = clean_text(text)
    if not _ESCAPED.search(text):  # nothing to escape: vText would give it back unchanged
        return text
    return vText(text).to_ical().decode("utf-8")


@lru_cache(maxsize=1024)  # the events of one publication share their stamps
def _utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class EventFacts:
    """What an event's lines show of the scenario.

    With the event itself, the audience and the time zone's DTSTART/DTEND forms,
    these are every input of the event's lines: equal inputs, equal lines. That
    makes them a safe key for the cache of finished events (``_folded_event``).
    """

    association_name: str  # the id when the scenario lacks the association
    sessions_requested: int | None  # None when the scenario lacks the association
    needs: str | None  # the needs' labels, listed; None likewise
    location: str
    meeting_url: str | None
    expert_names: tuple[str, ...]  # lead first, as ``expert_ids``; an unknown expert's id
    experts_qualified: tuple[str, ...]  # the same with their qualifications
    contact: str | None


class ScenarioFacts:
    """``EventFacts`` of the events of one render call, looked up once for each
    association, team and mode however many sessions share them.

    Lives for one call only: it remembers what it read from the scenario it was given.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._known: dict[tuple[str, tuple[str, ...], str], EventFacts] = {}

    def of(self, event: FeedEvent) -> EventFacts:
        # Everything EventFacts reads from the event.
        key = (event.association_id, event.expert_ids, event.mode)
        facts = self._known.get(key)
        if facts is None:
            facts = self._known[key] = self._look_up(event)
        return facts

    def _look_up(self, event: FeedEvent) -> EventFacts:
        scenario = self.scenario
        words = scenario.programme.words
        association = scenario.association_by_id.get(event.association_id)
        needs = None
        if association is not None:
            labels = [words.needs[n].ja if n in words.needs else n for n in association.needs]
            needs = LIST_SEPARATOR.join(labels)
        names, qualified = [], []
        for expert_id in event.expert_ids:
            expert = scenario.expert_by_id.get(expert_id)
            if expert is None:
                names.append(expert_id)
                qualified.append(expert_id)
                continue
            labels = [words.qualifications[q].ja if q in words.qualifications else q
                      for q in expert.qualifications]
            names.append(expert.name)
            qualified.append(f"{expert.name}（{LIST_SEPARATOR.join(labels)}）")
        return EventFacts(
            association_name=association.name if association else event.association_id,
            sessions_requested=association.sessions_requested if association else None,
            needs=needs,
            location=event_location(event, association),
            meeting_url=association.meeting_url if association else None,
            expert_names=tuple(names),
            experts_qualified=tuple(qualified),
            contact=scenario.programme.secretariat_contact,
        )


def vevent_lines(
    event: FeedEvent,
    scenario: Scenario,
    zone: ZoneInfo,
    audience: Audience,
    times: tuple[str, str] | None = None,
) -> list[str]:
    """One event's unfolded content lines, ``BEGIN:VEVENT`` to ``END:VEVENT``.

    The same lines as icalendar's ``Event.content_lines()`` for these properties
    (its order: SUMMARY, DTSTART, DTEND, DTSTAMP, UID, SEQUENCE, then by name),
    with values encoded by icalendar's ``vText``; written here because building an
    ``Event`` costs about 0.6 ms per event and a feed of 200 must render in 20 ms.
    ``tests/test_calendar_feeds.py`` checks them against icalendar's own rendering.
    """
    times = times or _local_time_lines(str(zone.key))
    return _event_lines(event, ScenarioFacts(scenario).of(event), audience, times)


# An event has one entry per audience that sees it, and most of a feed's events are
# unchanged when it renders again. Each entry holds ~2.3 KB with its key, so the
# cache stays under ~10 MB per process; a programme whose feeds hold more events
# than fit renders them as if new (about as fast as without the cache).
@lru_cache(maxsize=4096)
def _folded_event(
    event: FeedEvent, facts: EventFacts, audience: Audience, times: tuple[str, str]
) -> bytes:
    """``_event_lines`` folded, each line ended by CRLF.

    Cached by value: the arguments are all the inputs (see ``EventFacts``).
    """
    lines = _event_lines(event, facts, audience, times)
    return fold_lines(line.encode("utf-8") for line in lines)


def _event_lines(
    event: FeedEvent, facts: EventFacts, audience: Audience, times: tuple[str, str]
) -> list[str]:
    if event.end <= event.start:
        raise ValueError(f"event {event.uid} ends before it starts")
    start_pattern, end_pattern = times
    stamp = _utc_stamp(event.last_modified)
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + _escaped(_summary(event, facts, audience)),
        start_pattern.format(_wall_time(event.date, event.start)),
        end_pattern.format(_wall_time(event.date, event.end)),
        "DTSTAMP:" + stamp,
        "UID:" + _escaped(event.uid),
        f"SEQUENCE:{event.sequence:d}",
        "CREATED:" + _utc_stamp(event.created),
        "DESCRIPTION:" + _escaped(_describe(event, facts, audience)),
        "LAST-MODIFIED:" + stamp,
    ]
    if facts.location:
        lines.append("LOCATION:" + _escaped(facts.location))
    lines += ["STATUS:" + event.status,
              "TRANSP:" + ("TRANSPARENT" if event.cancelled else "OPAQUE")]
    if event.mode == "online" and facts.meeting_url:
        url = facts.meeting_url.strip()
        if _PLAIN_URI.match(url):
            lines.append("URL:" + url)  # a URI value: not TEXT-escaped
    # Percent-encoded or from a fixed vocabulary: nothing in them needs TEXT escaping.
    lines.append(f"{X_ASSOCIATION}:{_quote(event.association_id)}")
    if event.digest:
        lines.append(f"{X_DIGEST}:{_quote(event.digest)}")
    lines += [
        f"{X_EXPERTS}:{' '.join(_quote(e) for e in event.expert_ids)}",
        f"{X_MODE}:{event.mode}",
        f"{X_PHASE}:{event.phase}",
        f"{X_NUMBER}:{event.number:d}",
        "END:VEVENT",
    ]
    return lines


@lru_cache(maxsize=4096)  # ids repeat in every feed
def _quote(value: str) -> str:
    return quote(value, safe="-._~")


def _wall_time(day: dt.date, minutes: int) -> str:
    """``20250602T100000``: the local date-time ``minutes`` after midnight of ``day``."""
    if not 0 <= minutes < 24 * 60:  # past midnight: let datetime carry the day
        moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
        day, minutes = moment.date(), moment.hour * 60 + moment.minute
    return f"{day.year:04d}{day.month:02d}{day.day:02d}T{minutes // 60:02d}{minutes % 60:02d}00"


def summary(event: FeedEvent, scenario: Scenario, audience: Audience) -> str:
    """``カスハラ対策マニュアル 第2回 作成支援｜〇〇組合連合会``; ``【中止】`` first if cancelled.

    The other party after ``｜``: the association for an expert, the lead expert
    for an association, both for the secretariat.
    """
    return _summary(event, ScenarioFacts(scenario).of(event), audience)


def _summary(event: FeedEvent, facts: EventFacts, audience: Audience) -> str:
    head = f"{SUMMARY_PREFIX} 第{event.number}回 {PHASE_LABELS[event.phase].ja}"
    lead = facts.expert_names[0]
    if audience == "expert":
        party = facts.association_name
    elif audience == "association":
        party = f"担当 {lead}"
    else:
        party = f"{facts.association_name}（{lead}）"
    prefix = CANCELLED_PREFIX if event.cancelled else ""
    return f"{prefix}{head}｜{party}"


def event_location(event: FeedEvent, association: Association | None) -> str:
    if event.mode == "online":
        if association and association.meeting_url:
            return association.meeting_url
        return ONLINE_LOCATION
    if association is None:
        return ""
    return association.address or f"{association.prefecture}{association.city}"


def describe(event: FeedEvent, scenario: Scenario, audience: Audience) -> str:
    """The event's DESCRIPTION: the phase's aims (Japanese, then English), then the facts."""
    return _describe(event, ScenarioFacts(scenario).of(event), audience)


def _describe(event: FeedEvent, facts: EventFacts, audience: Audience) -> str:
    total = facts.sessions_requested
    phase = PHASE_LABELS[event.phase]
    aim = PHASE_AIMS[event.phase]
    of_ja = f"（全{total}回）" if total else ""
    of_en = f" of {total}" if total else ""
    lines: list[str] = []
    if event.cancelled:
        lines += [CANCELLED_NOTICE, ""]
    lines += [
        f"第{event.number}回{of_ja} {phase.ja}",
        aim.heading_ja,
        aim.aim_ja,
        "",
        f"Session {event.number}{of_en}: {phase.en}",
        aim.heading_en,
        aim.aim_en,
        "",
    ]
    if audience != "association":
        lines.append(f"団体 / Association: {facts.association_name}")
    if facts.needs is not None:
        lines.append(f"相談テーマ / Needs: {facts.needs}")
    mode = MODE_LABELS[event.mode]
    lines.append(f"実施方法 / Mode: {mode.ja} ({mode.en})")
    if facts.location:
        lines.append(f"場所 / Location: {facts.location}")
    lines.append(f"担当専門家 / Lead expert: {facts.experts_qualified[0]}")
    joining = facts.experts_qualified[1:]
    if joining:
        lines.append(f"同席専門家 / Joining experts: {LIST_SEPARATOR.join(joining)}")
    if facts.contact:
        lines.append(f"事務局 / Secretariat: {facts.contact}")
    return "\n".join(lines)


@lru_cache(maxsize=32)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``tzid`` that agrees with the IANA data for ``first_year``..``last_year``.

    A zone whose offset has not changed since 1970 (Asia/Tokyo) gets the one
    STANDARD block clients expect (``DTSTART:19700101T000000``, ``+0900``,
    ``JST``); any other zone gets its transitions from the start of
    ``first_year`` to two years after ``last_year``. Shared between calls:
    do not modify the result.
    """
    until = dt.date(last_year + 2, 1, 1)
    zone = Timezone.from_tzid(tzid, first_date=dt.date(1970, 1, 1), last_date=until)
    if len(zone.subcomponents) != 1:
        zone = Timezone.from_tzid(tzid, first_date=dt.date(first_year, 1, 1), last_date=until)
    zone.pop("COMMENT", None)
    return zone


def fold_lines(lines: Iterable[bytes], limit: int = FOLD_LIMIT) -> bytes:
    """Unfolded content lines (UTF-8) folded and joined, each ended by CRLF."""
    return b"\r\n".join([*(line if len(line) <= limit else fold_octets(line, limit)
                            for line in lines), b""])


def fold_line(line: str, limit: int = FOLD_LIMIT) -> str:
    """One content line folded as CRLF + space at most every ``limit`` octets."""
    return fold_octets(line.encode("utf-8"), limit).decode("utf-8")


def fold_octets(line: bytes, limit: int = FOLD_LIMIT) -> bytes:
    """``fold_line`` on UTF-8 octets: each piece as long as fits, cut only between
    characters and never inside a backslash escape."""
    size = len(line)
    if size <= limit:
        return line
    pieces: list[bytes] = []
    start, cut = 0, limit
    while cut < size:
        while line[cut] & 0xC0 == 0x80:  # inside a UTF-8 sequence
            cut -= 1
        if line[cut - 1] == 0x5C:  # backslashes are rare: counted only when there is one
            backslashes = 1
            while cut - backslashes - 1 >= start and line[cut - backslashes - 1] == 0x5C:
                backslashes += 1
            if backslashes % 2:  # between a backslash and the character it escapes
                cut -= 1
        pieces.append(line[start:cut])
        start, cut = cut, cut + limit - 1  # the leading space takes one octet
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)
