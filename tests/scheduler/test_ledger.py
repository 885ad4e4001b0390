"""The expert ledger: its verdicts are rule 6's, and its grid of free starts agrees with them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.checker import expert_workload
from domain.loading import load_scenario, scenario_sha256
from domain.plan import Plan, Session, Stats
from domain.scenario import Scenario
from domain.types import format_clock
from matcher.encoding import MODE_ONLINE, MODE_ONSITE, SLOT_MINUTES, SLOTS_PER_DAY, encode
from scheduler.ledger import ExpertLedger, expert_ledgers, on_grid, padded_gap, spec_gap
from tests.paths import EXAMPLES

TOKYO = load_scenario(EXAMPLES / "tokyo-2025.json")
BUFFER = TOKYO.programme.travel_buffer_minutes
# Two ISO weeks and a day of the Tokyo programme: caps per day and per week both bite.
FIRST_DAY = dt.date(2025, 9, 1)
DAYS = [FIRST_DAY + dt.timedelta(days=i) for i in range(15)]


def week_key(day: dt.date) -> int:
    year, week, _ = day.isocalendar()
    return year * 100 + week


def pad(mode: str) -> int:
    return BUFFER if mode == "onsite" else 0


def plan_of(scenario: Scenario, sessions: list[Session]) -> Plan:
    return Plan(scenario_sha256=scenario_sha256(scenario), sessions=sessions, unserved=[],
                stats=Stats(served=0, unserved=0, served_upper_bound=0, solver_status="TEST",
                            wall_seconds=0.0))


def session(expert_id: str, number: int, day: dt.date, start: int, minutes: int,
            mode: str) -> Session:
    return Session(association_id="A001", number=number, phase="drafting",
                   expert_ids=[expert_id], date=day, start=format_clock(start),
                   end=format_clock(start + minutes), mode=mode)


candidates = st.lists(
    st.tuples(st.sampled_from(DAYS), st.integers(9 * 6, 17 * 6).map(lambda x: 10 * x),
              st.sampled_from([60, 90, 120]), st.sampled_from(["onsite", "online"])),
    min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(expert=st.sampled_from(TOKYO.experts), wanted=candidates)
def test_spec_gap_agrees_with_the_checker(expert, wanted) -> None:  # type: ignore[no-untyped-def]
    """Offer sessions one by one to a Tokyo expert, booking those the ledger finds free:
    the ledger says free exactly when the checker finds the plan with it within rule 6."""
    ledger = ExpertLedger(expert.max_sessions_per_day, expert.max_sessions_per_week, spec_gap)
    booked: list[Session] = []
    for number, (day, start, minutes, mode) in enumerate(wanted, start=1):
        candidate = session(expert.id, number, day, start, minutes, mode)
        verdict = ledger.is_free(day.toordinal(), week_key(day), start, start + minutes,
                                 pad(mode))
        referee = expert_workload(TOKYO, plan_of(TOKYO, [*booked, candidate])) == []
        assert verdict == referee, (booked, candidate)
        if verdict:
            ledger.book(day.toordinal(), week_key(day), start, start + minutes, pad(mode))
            booked.append(candidate)
    assert len(ledger) == len(booked)


@settings(max_examples=60, deadline=None)
@given(expert=st.sampled_from(TOKYO.experts), wanted=candidates)
def test_padded_gap_is_never_looser_than_the_checker(expert, wanted) -> None:  # type: ignore[no-untyped-def]
    """The planner's padding refuses more than rule 6 does (two onsite sessions between
    one and two buffers apart), never less."""
    ledger = ExpertLedger(expert.max_sessions_per_day, expert.max_sessions_per_week)
    booked: list[Session] = []
    for number, (day, start, minutes, mode) in enumerate(wanted, start=1):
        if not ledger.is_free(day.toordinal(), week_key(day), start, start + minutes,
                              pad(mode)):
            continue
        booked.append(session(expert.id, number, day, start, minutes, mode))
        assert expert_workload(TOKYO, plan_of(TOKYO, booked)) == []
        ledger.book(day.toordinal(), week_key(day), start, start + minutes, pad(mode))


bookings = st.lists(
    st.tuples(st.integers(0, len(DAYS) - 1), st.integers(8 * 6, 18 * 6).map(lambda x: 10 * x),
              st.sampled_from([60, 90, 120]), st.sampled_from([0, BUFFER])),
    max_size=12)


@settings(max_examples=80, deadline=None)
@given(booked=bookings, minutes=st.sampled_from([60, 90, 120]),
       new_pad=st.sampled_from([0, BUFFER]), gap=st.sampled_from([padded_gap, spec_gap]),
       caps=st.tuples(st.integers(1, 3), st.integers(1, 6)))
def test_free_starts_are_is_free_on_every_slot(booked, minutes, new_pad, gap, caps) -> None:  # type: ignore[no-untyped-def]
    weeks = np.array([week_key(day) for day in DAYS], dtype=np.int64)
    ledger = ExpertLedger(*caps, gap)
    for day, start, length, p in booked:
        ledger.book(day, int(weeks[day]), start, start + length, p)
    free = ledger.free_starts(minutes, new_pad, weeks)
    assert free.shape == (len(DAYS), SLOTS_PER_DAY)
    expected = np.array([[ledger.is_free(d, int(weeks[d]), h * SLOT_MINUTES,
                                         h * SLOT_MINUTES + minutes, new_pad)
                          for h in range(SLOTS_PER_DAY)] for d in range(len(DAYS))])
    assert (free == expected).all()


def test_unbook_takes_back_exactly_one_booking() -> None:
    weeks = np.array([week_key(day) for day in DAYS], dtype=np.int64)
    ledger = ExpertLedger(2, 3)
    before = ledger.free_starts(60, BUFFER, weeks)
    ledger.book(0, int(weeks[0]), 600, 660, BUFFER)
    ledger.book(0, int(weeks[0]), 600, 660, BUFFER)  # a pin may clash; both are held
    ledger.unbook(0, int(weeks[0]), 600, 660, BUFFER)
    assert len(ledger) == 1 and ledger.in_week(int(weeks[0])) == 1
    assert not ledger.is_free(0, int(weeks[0]), 660, 720, 0)
    ledger.unbook(0, int(weeks[0]), 600, 660, BUFFER)
    assert (ledger.free_starts(60, BUFFER, weeks) == before).all()
    assert len(ledger) == 0 and ledger.in_week(int(weeks[0])) == 0
    with pytest.raises(ValueError):
        ledger.unbook(0, int(weeks[0]), 600, 660, BUFFER)


@pytest.mark.parametrize(("first", "second", "apart", "padded", "spec"), [
    ("onsite", "onsite", BUFFER, False, True),  # the spec's buffer, not twice it
    ("onsite", "onsite", 2 * BUFFER, True, True),
    ("onsite", "online", BUFFER, True, True),
    ("online", "onsite", BUFFER - 1, False, False),
    ("online", "online", 0, True, True),  # back to back
    ("online", "online", -1, False, False),  # a minute of overlap
])
def test_travel_buffer_between_two_sessions_of_a_day(
        first: str, second: str, apart: int, padded: bool, spec: bool) -> None:
    """10:00-11:00 is booked; is a session starting ``apart`` minutes after it free?"""
    for gap, expected in ((padded_gap, padded), (spec_gap, spec)):
        ledger = ExpertLedger(3, 5, gap)
        ledger.book(0, 0, 600, 660, pad(first))
        start = 660 + apart
        assert ledger.is_free(0, 0, start, start + 60, pad(second)) is expected
        # Rule 6 is symmetric: the same when the later one was booked first.
        ledger = ExpertLedger(3, 5, gap)
        ledger.book(0, 0, start, start + 60, pad(second))
        assert ledger.is_free(0, 0, 600, 660, pad(first)) is expected


def test_caps_per_day_and_per_iso_week() -> None:
    ledger = ExpertLedger(max_per_day=2, max_per_week=3)
    ledger.book(0, 7, 540, 600, 0)
    ledger.book(0, 7, 660, 720, 0)
    assert not ledger.is_free(0, 7, 900, 960, 0)  # third of the day
    assert ledger.is_free(1, 7, 900, 960, 0)
    assert not ledger.is_free(1, 7, 900, 960, 0, also_in_week=1)  # one more chosen with it
    ledger.book(1, 7, 900, 960, 0)
    assert not ledger.is_free(2, 7, 900, 960, 0)  # fourth of the week
    assert ledger.is_free(5, 8, 900, 960, 0)  # the next week
    weeks = np.array([7, 7, 7, 7, 7, 8, 8], dtype=np.int64)
    free = ledger.free_starts(60, 0, weeks)
    assert not free[:5].any() and free[5:].all()


def test_the_planner_books_the_encodings_experts_on_its_grid() -> None:
    """A Tokyo pin (A001, E010, 2025-07-28 10:00-11:30 onsite) as the planner books it."""
    enc = encode(TOKYO)
    pin = next(p for p in enc.pins if enc.association_ids[p.association] == "A001")
    day = (dt.date(2025, 7, 28) - enc.days[0]).days
    assert on_grid(enc, pin.association, pin.start, MODE_ONSITE) == (
        day, int(enc.iso_week[day]), 600, 690, BUFFER)
    assert on_grid(enc, pin.association, pin.start, MODE_ONLINE)[-1] == 0
    ledgers = expert_ledgers(enc)
    e = pin.lead
    assert (ledgers[e].max_per_day, ledgers[e].max_per_week) == (
        TOKYO.experts[e].max_sessions_per_day, TOKYO.experts[e].max_sessions_per_week)
    ledgers[e].book(*on_grid(enc, pin.association, pin.start, pin.mode))
    free = ledgers[e].free_starts(60, BUFFER, enc.iso_week)
    # An onsite hour must end two buffers before 10:00 or start two after 11:30.
    assert np.flatnonzero(~free[day]).tolist() == list(range(15, 27))
    assert free[day + 1].all() and len(ledgers[e]) == 1
