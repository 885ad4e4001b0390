"""The encoding: read-only arrays and plain ids, pins and published sessions on the grid."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pytest

from domain.errors import InputError
from domain.loading import load_scenario
from domain.plan import Session
from matcher.encoding import (
    MODE_NAMES,
    SLOT_MINUTES,
    SLOTS_PER_DAY,
    ExpertStarts,
    KeptSession,
    encode,
)
from tests.paths import EXAMPLES
from tests.scenarios import association, expert, scenario

TOKYO = load_scenario(EXAMPLES / "tokyo-2025.json")


def pin(date: str, start: str, end: str, **fields: Any) -> dict[str, Any]:
    return {"association_id": "A1", "number": 1, "phase": "action_plan", "expert_ids": ["E1"],
            "date": date, "start": start, "end": end, "mode": "online", **fields}


def test_the_encoding_holds_read_only_arrays_and_plain_values_only() -> None:
    enc = encode(TOKYO)
    arrays = []
    for f in dataclasses.fields(enc):
        value = getattr(enc, f.name)
        if isinstance(value, np.ndarray):
            arrays.append(value)
        elif f.name == "expert_starts_by_minutes":
            assert all(isinstance(x, ExpertStarts) for x in value.values())
            arrays += [a for x in value.values() for a in (x.slots, x.days)]
        else:  # ids, dates, numbers and the pins: nothing of the scenario's models
            assert isinstance(value, tuple | int), f.name
    assert arrays and not any(a.flags.writeable for a in arrays)
    with pytest.raises(ValueError, match="read-only"):
        enc.association_starts[0, 0, 0] = True
    with pytest.raises(dataclasses.FrozenInstanceError):
        enc.min_gap_days = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        enc.expert_starts_by_minutes[60] = enc.expert_starts_by_minutes[60]  # type: ignore[index]


def test_expert_starts_exist_for_each_length_asked_for_and_agree_with_windows() -> None:
    """Monday 10:00-12:00: an hour may start at 10:00, 10:30 or 11:00, two hours only at 10:00."""
    s = scenario([expert("E1", availability={"weekly": {"mon": [["10:00", "12:00"]]}})],
                 [association("A1", session_minutes=60), association("A2", session_minutes=120)])
    enc = encode(s)
    assert sorted(enc.expert_starts_by_minutes) == [60, 120]
    monday = enc.days.index(dt.date(2025, 9, 8))
    hour = np.flatnonzero(enc.expert_starts(60)[0, monday]) * SLOT_MINUTES
    assert hour.tolist() == [600, 630, 660]
    assert (np.flatnonzero(enc.expert_starts(120)[0, monday]) * SLOT_MINUTES).tolist() == [600]
    # Nine Mondays in September and October, two of them holidays (09-15 and 10-13).
    assert enc.expert_starts(60)[0].any(axis=1).sum() == 7
    assert enc.expert_start_days(60)[0, monday] == sum(1 << (m // SLOT_MINUTES) for m in hour)
    # Two of the shortest (60 min) sessions fit each Monday, none on other days.
    assert enc.expert_day_fits[0, monday] == 2 and enc.expert_day_fits[0].sum() == 14


def test_pins_are_on_the_grid_of_the_encoding() -> None:
    enc = encode(TOKYO)
    assert len(enc.pins) == len(TOKYO.pinned) == 4
    for session, p in zip(TOKYO.pinned, enc.pins, strict=True):
        assert enc.association_ids[p.association] == session.association_id
        assert [enc.expert_ids[p.lead], *(enc.expert_ids[j] for j in p.joiners)] \
            == session.expert_ids
        day, half_hour = divmod(p.start, SLOTS_PER_DAY)
        assert (enc.days[day], half_hour * SLOT_MINUTES) == (session.date, session.start)
        assert MODE_NAMES[p.mode] == session.mode and p.number == session.number


@pytest.mark.parametrize(("pinned", "field", "message"), [
    (pin("2025-09-02", "10:15", "11:15"), "pinned[0] (A1).start", "half hour"),
    (pin("2025-11-20", "10:00", "11:00"), "pinned[0] (A1).date", "outside the period"),
])
def test_a_pin_off_the_grid_is_an_input_error(pinned: dict[str, Any], field: str,
                                              message: str) -> None:
    s = scenario([expert("E1")], [association("A1")], [pinned])
    with pytest.raises(InputError) as raised:
        encode(s)
    assert [issue.path for issue in raised.value.issues] == [field]
    assert message in str(raised.value)


def test_published_sessions_that_cannot_be_kept_are_left_out() -> None:
    s = scenario([expert("E1"), expert("E2")], [association("A1"), association("A2")])

    def published(association_id: str, expert_id: str, date: str, start: str) -> Session:
        return Session(association_id=association_id, number=1, phase="action_plan",
                       expert_ids=[expert_id], date=date, start=start, end="23:00",
                       mode="online")

    enc = encode(s, [
        published("A1", "E2", "2025-09-09", "10:00"),
        published("A9", "E1", "2025-09-09", "10:00"),  # no such association
        published("A1", "E9", "2025-09-09", "10:00"),  # no such expert
        published("A2", "E1", "2025-12-01", "10:00"),  # after the period
        published("A2", "E1", "2025-09-09", "10:10"),  # off the grid
    ])
    day = enc.days.index(dt.date(2025, 9, 9))
    assert enc.kept == (KeptSession(0, 1, day * SLOTS_PER_DAY + 20, 1),)
    assert encode(s).kept == ()



@pytest.mark.parametrize("profile", ["balanced", "narrow_availability", "tokyo"])
def test_windows_by_day_agree_with_the_calendar_on_every_day(profile: str) -> None:
    """Asked once per weekday and per named date, the windows are still each day's own."""
    from domain.calendar import BusinessCalendar, clip, windows_on
    from domain.loading import parse_scenario
    from matcher.encoding import _windows_by_day
    from simulation.generator import generate_scenario

    s = parse_scenario(generate_scenario(30, 10, 4, profile))
    programme = s.programme
    hours = (programme.business_hours.start, programme.business_hours.end)
    calendar = BusinessCalendar(programme)
    days = calendar.period_days()
    business = np.array([calendar.is_business_day(day) for day in days], dtype=bool)
    people = [x.availability for x in s.experts] + [x.availability for x in s.associations]
    assert any(a is not None and (a.blocked or a.dates) for a in people)
    for availability in [*people, None]:
        expected = [tuple(clip(windows_on(availability, day, hours), hours))
                    if business[d] else () for d, day in enumerate(days)]
        assert _windows_by_day(availability, days, business, hours) == expected


def test_the_flow_bound_is_the_maximum_flow() -> None:
    """Three associations wanting one expert who takes two: two can be served."""
    from matcher.core import match

    s = scenario([expert("E1", max_associations=2, max_sessions_per_week=5)],
                 [association(f"A{i}", applied_day=i) for i in range(1, 4)])
    from matcher.encoding import encode
    matching = match(encode(s), bound_seconds=None)
    assert matching.flow_bound == 2
