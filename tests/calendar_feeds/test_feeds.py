"""Calendar feeds: bytes that subscribing clients accept, and revisions they follow.

The fixture is a hand-made scenario and plan (no planner involved):

  A001 東京都〇〇商店街振興組合連合会, 5 sessions, onsite, address with an ASCII comma
       lead E001 山田 花子; E002 joins session 1
  A002 一般社団法人△△協会, 3 sessions, online (meeting link with ``,`` and ``;``)
       lead E003 佐藤 次郎; E001 joins session 2
  A003 □□事業協同組合, 1 session (review), onsite, no address

The golden files under ``tests/golden/`` are compared byte for byte. After a
deliberate change to the rendering, regenerate them with

    HAKEN_UPDATE_GOLDEN=1 pytest tests/calendar_feeds/test_feeds.py

and review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from calendar_feeds import (
    CANCELLED_GRACE,
    FeedEvent,
    association_feed,
    build_feed,
    expert_feed,
    read_feed,
    render_feed,
    revise,
    revision_time,
    secretariat_feed,
    session_uid,
)
from calendar_feeds.render import (
    Audience,
    clean_text,
    describe,
    event_location,
    fold_line,
    summary,
    vevent_lines,
)
from calendar_feeds.revision import event_order
from cli.main import app
from domain.loading import parse_plan, parse_scenario
from domain.plan import Plan, Session
from domain.scenario import Scenario
from tests.paths import GOLDEN, ROOT

UPDATE_GOLDEN = os.environ.get("HAKEN_UPDATE_GOLDEN") == "1"
TOKYO = ZoneInfo("Asia/Tokyo")

T1 = dt.datetime(2025, 7, 20, 9, 0, tzinfo=TOKYO)  # first publication
T2 = dt.datetime(2025, 7, 25, 17, 30, tzinfo=TOKYO)  # re-plan moves A001-2
T3 = dt.datetime(2025, 7, 28, 11, 0, tzinfo=TOKYO)  # A002-2 gets another joining expert
T4 = dt.datetime(2025, 8, 1, 10, 0, tzinfo=TOKYO)  # A003 withdraws: A003-1 cancelled
T5 = T4 + dt.timedelta(days=31)  # the cancelled event has dropped out

CONTACT = (
    "東京都カスハラ対策事務局 03-0000-0000（平日9:00～17:00）, mail: office@example.jp; 窓口\\担当"
)


# --------------------------------------------------------------------------- fixture


def scenario_dict() -> dict[str, Any]:
    return {
        "programme": {
            "name": "令和7年度 団体向け専門家派遣",
            "timezone": "Asia/Tokyo",
            "implementation_period": {"start": "2025-07-14", "end": "2026-03-13"},
            "business_hours": {"start": "09:00", "end": "18:00"},
            "max_sessions": 5,
            "session_minutes": {"min": 60, "max": 120},
            "min_days_between_sessions": 7,
            "target_days_between_sessions": 21,
            "first_session_after_decision_business_days": 5,
            "travel_buffer_minutes": 60,
            "secretariat_contact": CONTACT,
        },
        "experts": [
            expert("E001", "山田 花子", ["sharoushi", "career_consultant"]),
            expert("E002", "鈴木 一郎", ["psychologist"]),
            expert("E003", "佐藤 次郎", ["sme_consultant", "hr_development"]),
        ],
        "associations": [
            association(
                "A001", "東京都〇〇商店街振興組合連合会", 5, 120, "onsite",
                ["labour_law", "mental_health"], "2025-07-16",
                address="東京都千代田区神田1-2-3, 〇〇ビル5F",
            ),
            association(
                "A002", "一般社団法人△△協会", 3, 90, "online",
                ["management", "training"], "2025-07-18",
                meeting_url="https://meet.example.jp/a002?room=1,2;3",
            ),
            association(
                "A003", "□□事業協同組合", 1, 60, "onsite", ["mental_health"], "2025-07-17",
            ),
        ],
    }


def expert(expert_id: str, name: str, qualifications: list[str]) -> dict[str, Any]:
    return {
        "id": expert_id, "name": name, "qualifications": qualifications,
        "modes": ["onsite", "online"], "max_associations": 6,
        "max_sessions_per_day": 2, "max_sessions_per_week": 4,
    }


def association(
    association_id: str, name: str, sessions: int, minutes: int, mode: str,
    needs: list[str], decided_on: str, **extra: Any,
) -> dict[str, Any]:
    return {
        "id": association_id, "name": name, "legal_form": "sme_cooperative",
        "prefecture": "東京都", "city": "千代田区", "industry": "retail",
        "applied_at": "2025-07-02T10:15:00+09:00", "decided_on": decided_on,
        "status": "accepted", "needs": needs, "sessions_requested": sessions,
        "session_minutes": minutes, "mode": mode, **extra,
    }


def sessions_v1() -> list[dict[str, Any]]:
    phases = ["action_plan", "drafting", "drafting", "drafting", "finalisation"]
    a001 = [
        ("2025-07-29", ["E001", "E002"]), ("2025-08-19", ["E001"]), ("2025-09-09", ["E001"]),
        ("2025-09-30", ["E001"]), ("2025-10-21", ["E001"]),
    ]
    rows = [
        session("A001", n + 1, phases[n], experts, day, "13:00", "15:00", "onsite")
        for n, (day, experts) in enumerate(a001)
    ]
    rows += [
        session("A002", 1, "action_plan", ["E003"], "2025-08-05", "10:00", "11:30", "online"),
        session("A002", 2, "drafting", ["E003", "E001"], "2025-08-26", "10:00", "11:30",
                "online"),
        session("A002", 3, "finalisation", ["E003"], "2025-09-16", "10:00", "11:30", "online"),
        session("A003", 1, "review", ["E002"], "2025-08-07", "14:00", "15:00", "onsite"),
    ]
    return rows


def session(
    association_id: str, number: int, phase: str, experts: list[str], day: str,
    start: str, end: str, mode: str,
) -> dict[str, Any]:
    return {
        "association_id": association_id, "number": number, "phase": phase,
        "expert_ids": experts, "date": day, "start": start, "end": end, "mode": mode,
    }


def plan_dict(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "scenario_sha256": "…",
        "sessions": sessions,
        "unserved": [],
        "stats": {"served": 3, "unserved": 0, "served_upper_bound": 3,
                  "solver_status": "OPTIMAL", "wall_seconds": 0.1},
    }


def make_plan(sessions: list[dict[str, Any]]) -> Plan:
    return parse_plan(plan_dict(sessions))


def plan_versions() -> list[Plan]:
    """Publish, move A001-2, change A002-2's joining expert, cancel A003-1."""
    v1 = sessions_v1()
    v2 = [
        {**row, "date": "2025-08-20", "start": "10:00", "end": "12:00"}
        if (row["association_id"], row["number"]) == ("A001", 2) else row
        for row in v1
    ]
    v3 = [
        {**row, "expert_ids": ["E003", "E002"]}
        if (row["association_id"], row["number"]) == ("A002", 2) else row
        for row in v2
    ]
    v4 = [row for row in v3 if row["association_id"] != "A003"]
    return [make_plan(v) for v in (v1, v2, v3, v4)]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return parse_scenario(scenario_dict())


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(sessions_v1())


# --------------------------------------------------------------------------- conformance

TEXT_PROPERTIES = {
    "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "NAME", "X-WR-CALNAME", "X-WR-CALDESC",
}


def assert_conforms(data: bytes) -> None:
    """spec/calendar-feeds.md A1-A3 on the bytes, A4-A7 on the content lines."""
    # A1: UTF-8, CRLF only, final CRLF, no BOM.
    assert not data.startswith(b"\xef\xbb\xbf"), "bom"
    data.decode("utf-8")  # not-utf8 raises
    assert data.endswith(b"\r\n"), "no-final-crlf"
    without_crlf = data.replace(b"\r\n", b"")
    assert b"\n" not in without_crlf, "bare-lf"
    assert b"\r" not in without_crlf, "bare-cr"
    # A2: at most 75 octets a line, folds never split a character, no empty line.
    physical = data.split(b"\r\n")[:-1]
    for number, line in enumerate(physical, 1):
        assert line, f"empty-line at {number}"
        assert len(line) <= 75, f"line-too-long at {number}: {len(line)} octets"
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            pytest.fail(f"fold-splits-utf8 at line {number}: {line!r}")
    # A3: TEXT values escaped.
    lines = unfold(data)
    for content_line in lines:
        name, value = split_content_line(content_line)
        if name in TEXT_PROPERTIES:
            assert_text_escaped(name, value)
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f]", value), f"control character in {name}"
    # A4-A7: one VCALENDAR, VERSION, PRODID, no METHOD, names, refresh hints.
    calendar_lines = top_level_lines(lines)
    names = [split_content_line(line)[0] for line in calendar_lines]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VCALENDAR") == 1
    assert "VERSION:2.0" in calendar_lines and "PRODID" in names
    assert "METHOD" not in names and "CALSCALE" not in names
    assert "NAME" in names and "X-WR-CALNAME" in names
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in calendar_lines
    assert "X-PUBLISHED-TTL:PT1H" in calendar_lines
    for name in set(names):
        assert names.count(name) == 1 or name in {"BEGIN", "END"}, f"duplicate-property {name}"


def unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    return [line for line in re.sub("\r\n[ \t]", "", text).split("\r\n") if line]


def split_content_line(line: str) -> tuple[str, str]:
    in_quotes = False
    for index, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            return re.split("[;:]", line[:index], maxsplit=1)[0].upper(), line[index + 1 :]
    raise AssertionError(f"bad-content-line {line!r}")


def assert_text_escaped(name: str, value: str) -> None:
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            following = value[index + 1 : index + 2]
            assert following in ("\\", ";", ",", "n", "N"), f"text-bad-escape in {name}"
            index += 2
            continue
        assert char not in ",;", f"text-unescaped {char!r} in {name}: {value!r}"
        index += 1


def top_level_lines(lines: Sequence[str]) -> list[str]:
    depth = 0
    result = []
    for line in lines:
        if line.startswith("BEGIN:"):
            depth += 1
        elif line.startswith("END:"):
            depth -= 1
        elif depth == 1:
            result.append(line)
    return result


def parsed_icalendar(data: bytes) -> list[tuple[Any, ...]]:
    calendar = icalendar.Calendar.from_ical(data)
    return sorted(
        (
            str(event["UID"]),
            event.decoded("DTSTART").astimezone(dt.UTC),
            event.decoded("DTEND").astimezone(dt.UTC),
            str(event["SUMMARY"]),
            str(event["STATUS"]),
            int(event.decoded("SEQUENCE")),
        )
        for event in calendar.walk("VEVENT")
    )


def parsed_vobject(data: bytes) -> list[tuple[Any, ...]]:
    calendar = vobject.readOne(data.decode("utf-8"))
    return sorted(
        (
            event.uid.value,
            event.dtstart.value.astimezone(dt.UTC),
            event.dtend.value.astimezone(dt.UTC),
            event.summary.value,
            event.status.value,
            int(event.sequence.value),
        )
        for event in getattr(calendar, "vevent_list", [])
    )


def all_feeds(scenario: Scenario, plan: Plan, now: dt.datetime | None = None) -> list[bytes]:
    feeds = [secretariat_feed(scenario, plan, now=now)]
    feeds += [expert_feed(scenario, plan, e.id, now=now) for e in scenario.experts]
    feeds += [association_feed(scenario, plan, a.id, now=now) for a in scenario.associations]
    return feeds


# --------------------------------------------------------------------------- rendering


def test_every_feed_conforms_and_parses_the_same_in_two_parsers(
    scenario: Scenario, plan: Plan
) -> None:
    for data in all_feeds(scenario, plan, T1):
        assert_conforms(data)
        assert parsed_icalendar(data) == parsed_vobject(data)


def test_the_same_plan_renders_to_the_same_bytes(scenario: Scenario, plan: Plan) -> None:
    assert all_feeds(scenario, plan) == all_feeds(scenario, plan)
    assert all_feeds(scenario, plan, T1) == all_feeds(scenario, plan, T1)


def test_the_same_bytes_in_fresh_processes(tmp_path: Path, scenario: Scenario, plan: Plan) -> None:
    (tmp_path / "scenario.json").write_text(json.dumps(scenario_dict()), encoding="utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(plan_dict(sessions_v1())), encoding="utf-8")
    script = (
        "import sys, pathlib;"
        "from domain.loading import load_plan, load_scenario;"
        "from calendar_feeds import secretariat_feed;"
        "d = pathlib.Path(sys.argv[1]);"
        "sys.stdout.buffer.write(secretariat_feed("
        "load_scenario(d / 'scenario.json'), load_plan(d / 'plan.json')))"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            cwd=ROOT, check=True, capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] == secretariat_feed(scenario, plan)


SCENARIO_CHANGES: dict[str, Any] = {
    "association name": lambda raw: raw["associations"][1].update(name="一般社団法人◇◇協会"),
    "address": lambda raw: raw["associations"][0].update(address="東京都港区芝1-1"),
    "no address": lambda raw: raw["associations"][0].pop("address"),
    "meeting link": lambda raw: raw["associations"][1].update(meeting_url="https://m.example/b"),
    "needs": lambda raw: raw["associations"][0].update(needs=["labour_law"]),
    "sessions requested": lambda raw: raw["associations"][0].update(sessions_requested=4),
    "expert name": lambda raw: raw["experts"][2].update(name="佐藤 三郎"),
    "qualifications": lambda raw: raw["experts"][0].update(qualifications=["sharoushi"]),
    "contact": lambda raw: raw["programme"].update(secretariat_contact="事務局 03-1111-1111"),
}


@pytest.mark.parametrize("change", SCENARIO_CHANGES)
def test_the_same_events_show_the_scenario_they_are_rendered_with(
    scenario: Scenario, plan: Plan, change: str
) -> None:
    # The render caches finished events; another scenario with the same events must miss.
    events = build_feed(scenario, plan, now=T1).events
    raw = scenario_dict()
    SCENARIO_CHANGES[change](raw)
    changed = parse_scenario(raw)
    audiences: tuple[Audience, ...] = ("expert", "association", "secretariat")
    for audience in audiences:
        before = render_feed(events, scenario, calendar_name="c", audience=audience)
        after = render_feed(events, changed, calendar_name="c", audience=audience)
        if audience == "secretariat":  # it sees every fact
            assert after != before
        lines = unfold(after)
        assert lines[lines.index("BEGIN:VEVENT"):-1] == [
            line for event in sorted(events, key=event_order)
            for line in vevent_lines(event, changed, TOKYO, audience)
        ]


def test_event_properties(scenario: Scenario, plan: Plan) -> None:
    data = expert_feed(scenario, plan, "E001", now=T1)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "相談セッション（山田 花子）"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    first = events["A001-1@haken.invalid"]
    assert str(first["SUMMARY"]) == (
        "カスハラ対策マニュアル 第1回 取組計画の策定｜東京都〇〇商店街振興組合連合会"
    )
    assert first.decoded("DTSTART") == dt.datetime(2025, 7, 29, 13, 0, tzinfo=TOKYO)
    assert first["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert first.decoded("DTSTAMP") == first.decoded("LAST-MODIFIED") == T1.astimezone(dt.UTC)
    assert str(first["LOCATION"]) == "東京都千代田区神田1-2-3, 〇〇ビル5F"
    description = str(first["DESCRIPTION"])
    assert "事前のヒアリング内容を踏まえ" in description
    assert "Following the pre-dispatch interview" in description
    assert description.index("事前のヒアリング") < description.index("Following the pre")
    assert "鈴木 一郎（公認心理師）" in description
    assert CONTACT in description
    assert "訪問 (onsite)" in description
    online = events["A002-2@haken.invalid"]
    assert str(online["LOCATION"]) == "https://meet.example.jp/a002?room=1,2;3"
    assert b"LOCATION:https://meet.example.jp/a002?room=1\\,2\\;3\r\n" in data
    review = icalendar.Calendar.from_ical(
        association_feed(scenario, plan, "A003", now=T1)
    ).walk("VEVENT")[0]
    assert str(review["LOCATION"]) == "東京都千代田区"
    assert str(review["SUMMARY"]) == (
        "カスハラ対策マニュアル 第1回 既存マニュアルの精査｜担当 鈴木 一郎"
    )
    assert "公認心理師" in str(review["DESCRIPTION"])


def test_tokyo_vtimezone_is_one_standard_block(scenario: Scenario, plan: Plan) -> None:
    data = secretariat_feed(scenario, plan)
    block = data[data.index(b"BEGIN:VTIMEZONE") : data.index(b"END:VTIMEZONE")]
    assert block == (
        b"BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        b"TZNAME:JST\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nEND:STANDARD\r\n"
    )


def test_another_zone_gets_a_vtimezone_that_agrees_with_iana(plan: Plan) -> None:
    raw = scenario_dict()
    raw["programme"]["timezone"] = "Europe/Berlin"
    berlin = parse_scenario(raw)
    winter = make_plan([*sessions_v1(), session(
        "A001", 6, "drafting", ["E001"], "2025-12-02", "13:00", "15:00", "onsite")])
    data = secretariat_feed(berlin, winter)
    assert_conforms(data)
    assert b"BEGIN:DAYLIGHT" in data and b"BEGIN:STANDARD" in data
    # vobject builds its zones from the VTIMEZONE; icalendar from the IANA name.
    assert parsed_vobject(data) == parsed_icalendar(data)
    zone = ZoneInfo("Europe/Berlin")
    starts = {row[0]: row[1] for row in parsed_vobject(data)}
    assert starts["A001-1@haken.invalid"] == dt.datetime(2025, 7, 29, 13, tzinfo=zone)
    assert starts["A001-6@haken.invalid"] == dt.datetime(2025, 12, 2, 13, tzinfo=zone)


def test_folding_counts_octets_and_keeps_characters_whole() -> None:
    line = "SUMMARY:" + "カスハラ対策😀" * 30 + "\\,\\;" * 20
    folded = fold_line(line)
    pieces = folded.split("\r\n")
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line
    for index, piece in enumerate(pieces):
        assert len(piece.encode("utf-8")) <= 75
        assert index == 0 or piece.startswith(" ")
        assert not re.search(r"(?<!\\)(\\\\)*\\$", piece), "fold inside an escape"


def test_clean_text_removes_what_text_may_not_hold() -> None:
    assert clean_text("a\r\nb\rc\nd\u2028e\x85f") == "a\nb\nc\nd\ne\nf"
    assert clean_text("a\x00b\x0bc\x7fd\te") == "abcd\te"
    assert clean_text("x\ud800y") == "x\ufffdy"


# Text drawn from what breaks feeds: the TEXT specials, newlines, full-width
# punctuation that must stay as it is, 3- and 4-octet characters.
awkward_text = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ019 -_.") + list(",;:\\\"\n\r\t") + list("、，；：（）｜〇")
        # No NUL: a scenario refuses it (domain/limits.py), so no feed ever shows one.
        + list("東京都商店街組合連合会カスハラ対策ひらがな") + ["😀", "𠮷", "\u3099"]
    ),
    min_size=1,
    max_size=60,
)


def unescape_text(value: str) -> str:
    """TEXT unescaping, for the X- properties icalendar's parser leaves escaped."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(association_name=awkward_text, expert_name=awkward_text, address=awkward_text,
       contact=awkward_text)
def test_awkward_names_render_to_conforming_feeds(
    association_name: str, expert_name: str, address: str, contact: str
) -> None:
    raw = scenario_dict()
    raw["associations"][0]["name"] = association_name
    raw["associations"][0]["address"] = address
    raw["experts"][0]["name"] = expert_name
    raw["programme"]["secretariat_contact"] = contact
    scenario = parse_scenario(raw)
    # Two sessions keep each example fast: E001 leads A001-1 and joins A002-2.
    plan = make_plan([sessions_v1()[0], sessions_v1()[6]])
    for data in (
        expert_feed(scenario, plan, "E001", now=T1),
        association_feed(scenario, plan, "A001", now=T1),
        secretariat_feed(scenario, plan, now=T1),
    ):
        assert_conforms(data)
        assert parsed_icalendar(data) == parsed_vobject(data)
    data = expert_feed(scenario, plan, "E001", now=T1)
    calendar = icalendar.Calendar.from_ical(data)
    name = clean_text(f"相談セッション（{expert_name}）")
    assert unescape_text(str(calendar["X-WR-CALNAME"])) == name
    assert unescape_text(str(calendar["NAME"])) == name
    assert vobject.readOne(data.decode("utf-8")).x_wr_calname.value == name
    first = calendar.walk("VEVENT")[0]
    assert str(first["SUMMARY"]).endswith(clean_text(association_name))
    assert str(first["LOCATION"]) == clean_text(address)
    assert clean_text(contact) in str(first["DESCRIPTION"])
    assert read_feed(data) == list(build_feed(scenario, plan, expert_id="E001", now=T1).events)


def icalendar_vevent(event: FeedEvent, scenario: Scenario, zone: ZoneInfo,
                     audience: Audience) -> list[str]:
    """The reference: the event built property by property with icalendar's ``Event``."""
    association = scenario.association_by_id.get(event.association_id)
    vevent = icalendar.Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", event.last_modified.astimezone(dt.UTC))
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("STATUS", event.status)
    vevent.add("CREATED", event.created.astimezone(dt.UTC))
    vevent.add("LAST-MODIFIED", event.last_modified.astimezone(dt.UTC))
    day = dt.datetime.combine(event.date, dt.time(), zone)
    vevent.add("DTSTART", day + dt.timedelta(minutes=event.start))
    vevent.add("DTEND", day + dt.timedelta(minutes=event.end))
    vevent.add("SUMMARY", icalendar.vText(clean_text(summary(event, scenario, audience))))
    location = event_location(event, association)
    if location:
        vevent.add("LOCATION", icalendar.vText(clean_text(location)))
    vevent.add("DESCRIPTION", icalendar.vText(clean_text(describe(event, scenario, audience))))
    if event.mode == "online" and association and association.meeting_url:
        url = association.meeting_url.strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+", url):
            vevent.add("URL", url)
    vevent.add("TRANSP", "TRANSPARENT" if event.cancelled else "OPAQUE")
    vevent.add("X-HAKEN-ASSOCIATION", icalendar.vText(quote(event.association_id, safe="-._~")))
    vevent.add("X-HAKEN-SESSION", icalendar.vText(str(event.number)))
    vevent.add("X-HAKEN-PHASE", icalendar.vText(event.phase))
    vevent.add("X-HAKEN-EXPERTS", icalendar.vText(
        " ".join(quote(e, safe="-._~") for e in event.expert_ids)))
    vevent.add("X-HAKEN-MODE", icalendar.vText(event.mode))
    if event.digest:
        vevent.add("X-HAKEN-DIGEST", icalendar.vText(quote(event.digest, safe="-._~")))
    return [str(line) for line in vevent.content_lines() if line]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(association_name=awkward_text, expert_name=awkward_text, address=awkward_text,
       contact=awkward_text, meeting_url=awkward_text | st.just("https://m.example/a?b=1,2;3"),
       association_id=st.sampled_from(["A002", "A 0/2,;"]),
       timezone=st.sampled_from(["Asia/Tokyo", "UTC", "Europe/Berlin"]),
       cancelled=st.booleans(), audience=st.sampled_from(["expert", "association",
                                                         "secretariat"]))
def test_events_are_written_as_icalendar_writes_them(
    association_name: str, expert_name: str, address: str, contact: str, meeting_url: str,
    association_id: str, timezone: str, cancelled: bool, audience: Audience,
) -> None:
    raw = scenario_dict()
    raw["programme"]["timezone"] = timezone
    raw["programme"]["secretariat_contact"] = contact
    raw["associations"][1].update(id=association_id, name=association_name, address=address,
                                  meeting_url=meeting_url)
    raw["experts"][2]["name"] = expert_name
    scenario = parse_scenario(raw)
    sessions = [{**row, "association_id": association_id} for row in sessions_v1()
                if row["association_id"] == "A002"]
    previous = build_feed(scenario, make_plan(sessions), now=T1).events
    if cancelled:  # the sessions leave the plan: they stay, cancelled
        previous = build_feed(scenario, make_plan([]), previous=previous, now=T2).events
    zone = ZoneInfo(timezone)
    for event in previous:
        assert vevent_lines(event, scenario, zone, audience) == icalendar_vevent(
            event, scenario, zone, audience)


# --------------------------------------------------------------------------- golden files


def assert_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} is missing; create it with HAKEN_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), (
        f"{name} differs from the golden file; if the change is intended, "
        "regenerate with HAKEN_UPDATE_GOLDEN=1 and review the diff"
    )


def published_history(scenario: Scenario, **subject: str) -> list[bytes]:
    """The feeds of one subscriber through the five publications, each revising the last."""
    feeds: list[bytes] = []
    plans = plan_versions()
    for moment, plan in zip((T1, T2, T3, T4, T5), [*plans, plans[-1]], strict=True):
        previous = read_feed(feeds[-1]) if feeds else []
        feed = build_feed(scenario, plan, previous=previous, now=moment, **subject)
        feeds.append(feed.data)
    return feeds


def test_golden_feeds(scenario: Scenario, plan: Plan) -> None:
    assert_golden("expert_E001.ics", expert_feed(scenario, plan, "E001"))
    assert_golden("association_A002_after_expert_change.ics",
                  published_history(scenario, association_id="A002")[2])
    assert_golden("secretariat_after_cancellation.ics", published_history(scenario)[3])


# --------------------------------------------------------------------------- subscribers


class Subscriber:
    """A calendar client subscribed to a feed: events by UID, replaced by newer copies.

    Like Outlook, it takes a copy only when its SEQUENCE is higher (or equal and
    identical); an event that leaves the feed is deleted on the next poll.
    """

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}

    def poll(self, data: bytes) -> None:
        seen = set()
        for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
            copy = {
                "sequence": int(event.decoded("SEQUENCE")),
                "start": event.decoded("DTSTART"),
                "end": event.decoded("DTEND"),
                "summary": str(event["SUMMARY"]),
                "status": str(event["STATUS"]),
                "stamp": event.decoded("DTSTAMP"),
            }
            uid = str(event["UID"])
            seen.add(uid)
            held = self.events.get(uid)
            if held is not None:
                assert copy["sequence"] >= held["sequence"], f"{uid}: SEQUENCE went down"
                if copy["sequence"] == held["sequence"]:
                    # Not newer: a strict client ignores it, so it must be the same.
                    assert copy == held, f"{uid}: changed without a SEQUENCE bump"
                    continue
                assert copy["stamp"] > held["stamp"], f"{uid}: DTSTAMP did not advance"
            self.events[uid] = copy
        for uid in set(self.events) - seen:
            del self.events[uid]

    def confirmed(self) -> set[str]:
        return {uid for uid, e in self.events.items() if e["status"] == "CONFIRMED"}

    def cancelled(self) -> set[str]:
        return {uid for uid, e in self.events.items() if e["status"] == "CANCELLED"}


def uids(plan: Plan) -> set[str]:
    return {session_uid(s.association_id, s.number) for s in plan.sessions}


def test_a_subscriber_follows_replans_changes_and_cancellations(scenario: Scenario) -> None:
    plans = plan_versions()
    feeds = published_history(scenario)
    client = Subscriber()
    sequences = []
    for index, data in enumerate(feeds):
        assert_conforms(data)
        client.poll(data)
        sequences.append({uid: e["sequence"] for uid, e in client.events.items()})
        current = plans[min(index, len(plans) - 1)]
        assert client.confirmed() == uids(current)
        for s in current.sessions:
            held = client.events[session_uid(s.association_id, s.number)]
            assert held["start"] == dt.datetime.combine(s.date, dt.time(), TOKYO) + dt.timedelta(
                minutes=s.start
            )
    first, moved, changed, cancelled, later = sequences
    assert set(first.values()) == {0}
    assert moved["A001-2@haken.invalid"] == 1
    assert {u: q for u, q in moved.items() if u != "A001-2@haken.invalid"} == {
        u: q for u, q in first.items() if u != "A001-2@haken.invalid"
    }
    assert changed["A002-2@haken.invalid"] == 1
    assert client_summary_after(feeds[2], "A002-2@haken.invalid").endswith("（佐藤 次郎）")
    assert cancelled["A003-1@haken.invalid"] == 1
    assert client_summary_after(feeds[3], "A003-1@haken.invalid").startswith("【中止】")
    assert "A003-1@haken.invalid" not in later
    assert {u: q for u, q in later.items()} == {
        u: q for u, q in cancelled.items() if u != "A003-1@haken.invalid"
    }
    # UIDs never change: every UID ever published is a session's identity.
    everything = set().union(*(set(s) for s in sequences))
    assert everything == uids(plans[0])


def client_summary_after(data: bytes, uid: str) -> str:
    client = Subscriber()
    client.poll(data)
    return str(client.events[uid]["summary"])


def test_an_experts_subscription_follows_a_reassignment(scenario: Scenario) -> None:
    """In v3, E002 replaces E001 as A002-2's joining expert.

    E001's feed shows A002-2 as cancelled (then the event leaves it); E002's feed gains it.
    """
    e001 = published_history(scenario, expert_id="E001")
    e002 = published_history(scenario, expert_id="E002")
    before, after = read_feed(e001[1]), read_feed(e001[2])
    assert "A002-2@haken.invalid" in {e.uid for e in before if not e.cancelled}
    gone = next(e for e in after if e.uid == "A002-2@haken.invalid")
    assert gone.cancelled and gone.sequence == 1
    joined = next(e for e in read_feed(e002[2]) if e.uid == "A002-2@haken.invalid")
    assert joined.status == "CONFIRMED" and joined.expert_ids == ("E003", "E002")
    client = Subscriber()
    for data in e001:
        client.poll(data)
    assert "A002-2@haken.invalid" not in client.events


def test_an_experts_feed_never_holds_another_experts_sessions(scenario: Scenario) -> None:
    for plan in plan_versions():
        for member in scenario.experts:
            events = read_feed(expert_feed(scenario, plan, member.id, now=T1))
            theirs = {
                session_uid(s.association_id, s.number)
                for s in plan.sessions
                if member.id in s.expert_ids
            }
            assert {e.uid for e in events} == theirs
            assert all(member.id in e.expert_ids for e in events)
        for group in scenario.associations:
            events = read_feed(association_feed(scenario, plan, group.id, now=T1))
            own = {
                session_uid(s.association_id, s.number)
                for s in plan.sessions
                if s.association_id == group.id
            }
            assert {e.uid for e in events} == own


def test_unknown_ids_are_named(scenario: Scenario, plan: Plan) -> None:
    with pytest.raises(ValueError, match="unknown expert 'E999'"):
        expert_feed(scenario, plan, "E999")
    with pytest.raises(ValueError, match="unknown association 'A999'"):
        association_feed(scenario, plan, "A999")


# --------------------------------------------------------------------------- revise


def sessions_of(plan: Plan) -> list[Session]:
    return list(plan.sessions)


def test_revise_keeps_unchanged_events_whatever_the_clock(plan: Plan) -> None:
    first = revise([], sessions_of(plan), T1)
    assert all(e.sequence == 0 and e.created == e.last_modified == T1 for e in first)
    again = revise(first, list(reversed(sessions_of(plan))), T2)
    assert again == first


def test_revise_bumps_what_changed_and_cancels_what_left(plan: Plan) -> None:
    first = revise([], sessions_of(plan), T1)
    moved = [
        s.model_copy(update={"start": s.start + 60, "end": s.end + 60})
        if (s.association_id, s.number) == ("A001", 3) else s
        for s in plan.sessions if (s.association_id, s.number) != ("A001", 5)
    ]
    second = {e.uid: e for e in revise(first, moved, T2)}
    before = {e.uid: e for e in first}
    assert second["A001-3@haken.invalid"].sequence == 1
    assert second["A001-3@haken.invalid"].last_modified == T2
    assert second["A001-3@haken.invalid"].created == T1
    gone = second["A001-5@haken.invalid"]
    assert (gone.status, gone.sequence, gone.cancelled_at) == ("CANCELLED", 1, T2)
    assert gone.last_modified == T2
    untouched = set(second) - {"A001-3@haken.invalid", "A001-5@haken.invalid"}
    assert all(second[uid] == before[uid] for uid in untouched)


def test_a_cancelled_event_stays_30_days_then_drops_out(plan: Plan) -> None:
    first = revise([], sessions_of(plan), T1)
    rest = [s for s in plan.sessions if s.association_id != "A003"]
    cancelled = revise(first, rest, T4)
    assert "A003-1@haken.invalid" in {e.uid for e in cancelled}
    almost = revise(cancelled, rest, T4 + CANCELLED_GRACE - dt.timedelta(seconds=1))
    assert almost == cancelled
    assert "A003-1@haken.invalid" not in {e.uid for e in revise(almost, rest, T4 + CANCELLED_GRACE)}


def test_a_session_that_comes_back_gets_a_higher_sequence(plan: Plan) -> None:
    first = revise([], sessions_of(plan), T1)
    rest = [s for s in plan.sessions if s.association_id != "A003"]
    cancelled = revise(first, rest, T2)
    back = {e.uid: e for e in revise(cancelled, sessions_of(plan), T3)}["A003-1@haken.invalid"]
    assert (back.status, back.sequence, back.cancelled_at) == ("CONFIRMED", 2, None)
    assert back.last_modified == T3.astimezone(dt.UTC) and back.created == T1


def test_last_modified_advances_even_when_the_clock_does_not(plan: Plan) -> None:
    first = revise([], sessions_of(plan), T2)
    moved = [s.model_copy(update={"mode": "online"}) if s.number == 2 else s for s in plan.sessions]
    second = revise(first, moved, T1)  # an earlier clock
    for old, new in zip(first, second, strict=True):
        if old != new:
            assert new.last_modified == old.last_modified + dt.timedelta(seconds=1)


def test_a_changed_meeting_link_is_a_new_revision(scenario: Scenario, plan: Plan) -> None:
    first = build_feed(scenario, plan, association_id="A002", now=T1)
    raw = scenario_dict()
    raw["associations"][1]["meeting_url"] = "https://meet.example.jp/a002-new"
    changed = parse_scenario(raw)
    second = build_feed(changed, plan, association_id="A002", previous=first.events, now=T2)
    assert [e.sequence for e in second.events] == [1, 1, 1]
    same = build_feed(changed, plan, association_id="A002", previous=second.events, now=T3)
    assert same.data == second.data


def test_revise_rejects_a_naive_clock_and_duplicates(plan: Plan) -> None:
    with pytest.raises(ValueError, match="aware"):
        revise([], sessions_of(plan), dt.datetime(2025, 7, 20))
    with pytest.raises(ValueError, match="appears twice"):
        revise([], [*sessions_of(plan), plan.sessions[0]], T1)


def test_uids_come_from_the_sessions_identity_only() -> None:
    assert session_uid("A001", 2) == "A001-2@haken.invalid"
    assert session_uid("団体 1,;", 3) == "%E5%9B%A3%E4%BD%93%201%2C%3B-3@haken.invalid"
    assert session_uid("A001", 2, "feeds.example.jp") == "A001-2@feeds.example.jp"


def test_read_feed_gives_back_the_rendered_events(scenario: Scenario) -> None:
    feeds = published_history(scenario)
    for data in feeds:
        events = read_feed(data)
        rendered = render_feed(events, scenario, calendar_name="専門家派遣 全セッション（事務局）",
                               description=None)
        assert read_feed(rendered) == events
    with pytest.raises(ValueError, match="not an iCalendar feed"):
        read_feed(b"hello")


def test_read_feed_rejects_a_feed_it_did_not_write() -> None:
    foreign = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:x@y\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250102T010000Z\r\n"
        b"DTEND:20250102T020000Z\r\nSTATUS:CONFIRMED\r\nSEQUENCE:0\r\n"
        b"CREATED:20250101T000000Z\r\nLAST-MODIFIED:20250101T000000Z\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(ValueError, match="event x@y: no X-HAKEN-PHASE"):
        read_feed(foreign)


def test_revision_time_is_derived_from_the_plan(scenario: Scenario, plan: Plan) -> None:
    # The latest decision among A001..A003 is A002's, 2025-07-18 00:00 in Tokyo.
    assert revision_time(plan, scenario) == dt.datetime(2025, 7, 17, 15, 0, tzinfo=dt.UTC)
    stamped = plan.model_copy(update={"parameters": {"created_at": "2025-07-19T08:00:00+09:00"}})
    assert revision_time(stamped, scenario) == dt.datetime(2025, 7, 18, 23, 0, tzinfo=dt.UTC)
    only_a001 = make_plan([row for row in sessions_v1() if row["association_id"] == "A001"])
    assert revision_time(only_a001, scenario) == dt.datetime(2025, 7, 15, 15, tzinfo=dt.UTC)
    # After a previous feed: one second after the latest time published in it.
    published = revise([], list(plan.sessions), T2)
    assert revision_time(plan, scenario, published) == T2.astimezone(dt.UTC) + dt.timedelta(
        seconds=1
    )


def test_feed_event_fields_round_trip_through_replace(plan: Plan) -> None:
    event = revise([], sessions_of(plan), T1)[0]
    assert isinstance(event, FeedEvent)
    assert replace(event, sequence=3).sequence == 3


def test_events_round_trip_through_records(scenario: Scenario) -> None:
    """What the service stores beside a feed gives back the same events as the feed itself."""
    history = published_history(scenario)  # includes cancelled events
    for data in history:
        events = read_feed(data)
        records = json.loads(json.dumps([e.to_record() for e in events]))
        assert [FeedEvent.from_record(r) for r in records] == events
    cancelled = [e for e in read_feed(history[3]) if e.cancelled]
    assert cancelled and all(e.leaves_at() == e.last_modified + CANCELLED_GRACE
                             for e in cancelled)
    assert all(e.leaves_at() is None for e in read_feed(history[3]) if not e.cancelled)


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "scenario.json").write_text(
        json.dumps(scenario_dict(), ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "plan.json").write_text(json.dumps(plan_dict(sessions_v1())), encoding="utf-8")
    return tmp_path


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["feed", *args])


def test_cli_writes_an_experts_feed(files: Path, scenario: Scenario, plan: Plan) -> None:
    out = files / "e001.ics"
    result = run(str(files / "plan.json"), "--scenario", str(files / "scenario.json"),
                 "--expert", "E001", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == expert_feed(scenario, plan, "E001")
    assert_conforms(out.read_bytes())


def test_cli_continues_a_previous_feed(files: Path, scenario: Scenario) -> None:
    plans = plan_versions()
    first, second = files / "all-1.ics", files / "all-2.ics"
    base = ["--scenario", str(files / "scenario.json"), "--all"]
    assert run(str(files / "plan.json"), *base, "-o", str(first)).exit_code == 0
    (files / "plan2.json").write_text(plans[1].model_dump_json(), encoding="utf-8")
    result = run(str(files / "plan2.json"), *base, "--previous", str(first),
                 "--now", "2025-07-25T17:30:00+09:00", "-o", str(second))
    assert result.exit_code == 0, result.output
    events = {e.uid: e for e in read_feed(second.read_bytes())}
    assert events["A001-2@haken.invalid"].sequence == 1
    assert events["A001-2@haken.invalid"].last_modified == T2.astimezone(dt.UTC)
    assert events["A001-1@haken.invalid"].sequence == 0
    # Without --now the revision time is derived, and still advances.
    third = files / "all-3.ics"
    (files / "plan3.json").write_text(plans[2].model_dump_json(), encoding="utf-8")
    assert run(str(files / "plan3.json"), *base, "--previous", str(second),
               "-o", str(third)).exit_code == 0
    changed = {e.uid: e for e in read_feed(third.read_bytes())}["A002-2@haken.invalid"]
    assert changed.sequence == 1
    assert changed.last_modified == T2.astimezone(dt.UTC) + dt.timedelta(seconds=1)
    # And the same command again gives the same bytes.
    again = files / "all-3-again.ics"
    assert run(str(files / "plan3.json"), *base, "--previous", str(second),
               "-o", str(again)).exit_code == 0
    assert again.read_bytes() == third.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expert", "E999"], "unknown expert 'E999'"),
        (["--association", "A999"], "unknown association 'A999'"),
        ([], "exactly one of"),
        (["--expert", "E001", "--all"], "exactly one of"),
        (["--all", "--now", "yesterday"], "not an ISO 8601"),
        (["--all", "--now", "2025-07-20T09:00:00"], "no UTC offset"),
        (["--all", "--previous", "missing.ics"], "cannot read"),
    ],
)
def test_cli_bad_requests_exit_2_and_write_nothing(
    files: Path, args: list[str], message: str
) -> None:
    out = files / "out.ics"
    result = run(str(files / "plan.json"), "--scenario", str(files / "scenario.json"),
                 *[str(files / a) if a.endswith(".ics") else a for a in args], "-o", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_cli_bad_input_files_exit_2(files: Path) -> None:
    (files / "broken.json").write_text('{"sessions": [', encoding="utf-8")
    (files / "bad.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nnonsense")
    out = files / "out.ics"
    for plan_name, extra in (("broken.json", []),
                             ("plan.json", ["--previous", str(files / "bad.ics")])):
        result = run(str(files / plan_name), "--scenario", str(files / "scenario.json"),
                     "--all", *extra, "-o", str(out))
        assert result.exit_code == 2, result.output
        assert not out.exists()
