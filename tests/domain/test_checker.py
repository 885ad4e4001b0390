"""The checker: a valid plan passes, and each hand-broken variant breaks exactly one rule.

The fixture is small enough to verify by hand. September 2025 starts on a
Monday; 2025-09-15 (敬老の日) and 2025-09-23 (秋分の日) are holidays,
2025-11-24 is the 振替休日 for 勤労感謝の日, 2025-10-31 is closed by the programme.

Valid plan:
  A001 (3 sessions, 120 min, either; lead E001, E002 joins session 2)
       1: Tue 09-02 10:00-12:00 onsite [E001]         (pinned)
       2: Tue 09-09 10:00-12:00 online [E001, E002]
       3: Tue 09-16 10:00-12:00 onsite [E001]
  A002 (1 session, 90 min, online; lead E002)
       1: Fri 08-29 14:00-15:30 online [E002]         (earliest allowed day)
  A003 accepted, unserved (capacity); A004 rejected, unserved (not_accepted).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.checker import (
    RULES,
    Violation,
    accepted_served_or_unserved,
    check_plan,
    scenario_hash_matches,
)
from domain.loading import parse_plan, parse_scenario, scenario_sha256
from domain.plan import Plan, Session
from domain.scenario import Scenario

WEEKDAYS_9_18 = {day: [["09:00", "18:00"]] for day in ("tue", "wed", "thu")}
A001_WEEKLY = {**{day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu")},
               "fri": [["09:00", "20:00"]]}


def _scenario_document() -> dict[str, Any]:
    return {
        "programme": {
            "name": "checker test programme",
            "implementation_period": {"start": "2025-08-01", "end": "2025-12-26"},
            "business_hours": {"start": "09:00", "end": "18:00"},
            "closed_dates": ["2025-10-31"],
            "max_sessions": 5,
            "session_minutes": {"min": 60, "max": 120},
            "min_days_between_sessions": 7,
            "target_days_between_sessions": 21,
            "first_session_after_decision_business_days": 5,
            "travel_buffer_minutes": 60,
        },
        "experts": [
            {
                "id": "E001", "name": "山田 花子",
                "qualifications": ["sharoushi", "career_consultant"],
                "modes": ["onsite", "online"],
                "max_associations": 2, "max_sessions_per_day": 2, "max_sessions_per_week": 3,
                "availability": {
                    # Two touching windows on Monday: a session must fit in ONE of them.
                    "weekly": {"mon": [["09:00", "12:00"], ["12:00", "18:00"]],
                               **WEEKDAYS_9_18, "fri": [["09:00", "20:00"]]},
                    "blocked": [{"start": "2025-10-06", "end": "2025-10-10"}],
                },
                "conflicts": ["A003"],
            },
            {
                "id": "E002", "name": "佐藤 一郎",
                "qualifications": ["industrial_counselor"],
                "modes": ["online"],
                "max_associations": 2, "max_sessions_per_day": 2, "max_sessions_per_week": 1,
            },
            {
                "id": "E003", "name": "鈴木 次郎",
                "qualifications": ["sharoushi"],
                "modes": ["online"],
                "max_associations": 1, "max_sessions_per_day": 2, "max_sessions_per_week": 3,
            },
        ],
        "associations": [
            _association("A001", "2025-08-25", ["labour_law", "mental_health"], 3, 120, "either",
                         availability={"weekly": A001_WEEKLY, "dates": {"2025-09-30": []}}),
            _association("A002", "2025-08-22", ["mental_health"], 1, 90, "online"),
            _association("A003", "2025-08-22", ["labour_law"], 1, 60, "online"),
            _association("A004", None, ["labour_law"], 1, 60, "online", status="rejected"),
        ],
        "pinned": [_session("A001", 1, "action_plan", ["E001"], "2025-09-02", "10:00", "12:00",
                            "onsite")],
    }


def _association(
    association_id: str, decided_on: str | None, needs: list[str], sessions: int, minutes: int,
    mode: str, status: str = "accepted", availability: dict[str, Any] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": association_id, "name": f"団体 {association_id}",
        "legal_form": "sme_cooperative", "prefecture": "東京都", "city": "千代田区",
        "industry": "retail", "applied_at": "2025-07-02T10:15:00+09:00",
        "decided_on": decided_on, "status": status, "needs": needs,
        "sessions_requested": sessions, "session_minutes": minutes, "mode": mode,
    }
    if availability is not None:
        document["availability"] = availability
    return document


def _session(
    association_id: str, number: int, phase: str, experts: list[str], date: str, start: str,
    end: str, mode: str,
) -> dict[str, Any]:
    return {"association_id": association_id, "number": number, "phase": phase,
            "expert_ids": experts, "date": date, "start": start, "end": end, "mode": mode}


def _plan_document(scenario: Scenario) -> dict[str, Any]:
    return {
        "scenario_sha256": scenario_sha256(scenario),
        "sessions": [
            _session("A001", 1, "action_plan", ["E001"], "2025-09-02", "10:00", "12:00", "onsite"),
            _session("A001", 2, "drafting", ["E001", "E002"], "2025-09-09", "10:00", "12:00",
                     "online"),
            _session("A001", 3, "finalisation", ["E001"], "2025-09-16", "10:00", "12:00",
                     "onsite"),
            _session("A002", 1, "review", ["E002"], "2025-08-29", "14:00", "15:30", "online"),
        ],
        "unserved": [
            {"association_id": "A003", "reason": "capacity", "detail": "E001 conflicts"},
            {"association_id": "A004", "reason": "not_accepted"},
        ],
        "stats": {"served": 2, "unserved": 1, "served_upper_bound": 2,
                  "solver_status": "HAND", "wall_seconds": 0.0},
    }


@pytest.fixture
def scenario() -> Scenario:
    return parse_scenario(_scenario_document())


@pytest.fixture
def plan(scenario: Scenario) -> Plan:
    return parse_plan(_plan_document(scenario))


# --- variant builders ------------------------------------------------------------


def edit_session(plan: Plan, association_id: str, number: int, **changes: Any) -> Plan:
    """The plan with one session's fields replaced (values in JSON form)."""
    sessions = []
    found = False
    for session in plan.sessions:
        if (session.association_id, session.number) == (association_id, number) and not found:
            found = True
            session = Session.model_validate({**session.model_dump(mode="json"), **changes})
        sessions.append(session)
    assert found, f"no session {association_id} {number} in the fixture"
    return plan.model_copy(update={"sessions": sessions})


def drop_session(plan: Plan, association_id: str, number: int) -> Plan:
    kept = [s for s in plan.sessions if (s.association_id, s.number) != (association_id, number)]
    return plan.model_copy(update={"sessions": kept})


def add_sessions(plan: Plan, *documents: dict[str, Any]) -> Plan:
    extra = [Session.model_validate(document) for document in documents]
    return plan.model_copy(update={"sessions": [*plan.sessions, *extra]})


def with_unserved(plan: Plan, *entries: dict[str, Any]) -> Plan:
    document = plan.model_dump(mode="json")
    document["unserved"] = list(entries)
    return parse_plan(document)


def edit_expert(scenario: Scenario, expert_id: str, **changes: Any) -> Scenario:
    document = scenario.model_dump(mode="json")
    for expert in document["experts"]:
        if expert["id"] == expert_id:
            expert.update(changes)
    return parse_scenario(document)


def only_rule(scenario: Scenario, plan: Plan, rule: str) -> list[Violation]:
    """The violations, after asserting they all belong to ``rule`` (and there is one)."""
    violations = check_plan(scenario, plan)
    assert violations, f"expected {rule} to be broken"
    assert {v.rule for v in violations} == {rule}, "\n".join(map(str, violations))
    return violations


def located(violations: list[Violation]) -> set[tuple[str | None, int | None, str | None]]:
    return {(v.association_id, v.number, v.expert_id) for v in violations}


# --- the valid plan ----------------------------------------------------------------


def test_valid_plan_has_no_violations(scenario: Scenario, plan: Plan) -> None:
    assert check_plan(scenario, plan) == []
    assert scenario_hash_matches(scenario, plan)


def test_rule_functions_are_named_and_ordered() -> None:
    assert [rule.__name__ for rule in RULES] == [
        "accepted_served_or_unserved", "session_sequence", "business_time", "qualified_lead",
        "within_availability", "expert_workload", "expert_associations", "session_mode",
        "pinned_unchanged",
    ]


def test_violation_prints_one_line_with_its_place() -> None:
    violation = Violation("expert_workload", "A003", 2, "E007",
                          "overlaps A011 session 1 on 2025-09-02 (10:00-12:00 vs 11:00-13:00)")
    assert str(violation) == (
        "expert_workload: A003 session 2, expert E007: "
        "overlaps A011 session 1 on 2025-09-02 (10:00-12:00 vs 11:00-13:00)"
    )
    assert str(Violation("expert_associations", None, None, "E001", "x")) == (
        "expert_associations: expert E001: x")
    assert "\n" not in str(Violation("r", "A\n1", None, None, "m"))


def test_hash_mismatch_is_detected_but_not_a_rule(scenario: Scenario, plan: Plan) -> None:
    stale = plan.model_copy(update={"scenario_sha256": "0" * 64})
    assert not scenario_hash_matches(scenario, stale)
    assert check_plan(scenario, stale) == []


# --- rule 1: accepted_served_or_unserved -------------------------------------------

RULE_1 = "accepted_served_or_unserved"


def test_non_accepted_association_gets_sessions(scenario: Scenario, plan: Plan) -> None:
    broken = add_sessions(
        with_unserved(plan, {"association_id": "A003", "reason": "capacity"}),
        _session("A004", 1, "review", ["E003"], "2025-09-03", "10:00", "11:00", "online"),
    )
    violations = only_rule(scenario, broken, RULE_1)
    assert located(violations) == {("A004", None, None)}
    assert "'rejected'" in violations[0].message


def test_accepted_association_neither_served_nor_unserved(scenario: Scenario, plan: Plan) -> None:
    broken = with_unserved(plan, {"association_id": "A004", "reason": "not_accepted"})
    assert located(only_rule(scenario, broken, RULE_1)) == {("A003", None, None)}


def test_association_both_served_and_unserved(scenario: Scenario, plan: Plan) -> None:
    broken = with_unserved(plan, *[u.model_dump(mode="json") for u in plan.unserved],
                           {"association_id": "A002", "reason": "no_common_time"})
    violations = only_rule(scenario, broken, RULE_1)
    assert located(violations) == {("A002", None, None)}
    assert "both served" in violations[0].message


@pytest.mark.parametrize(
    ("entries", "where"),
    [
        # accepted, but the reason says it was not
        ([{"association_id": "A003", "reason": "not_accepted"},
          {"association_id": "A004", "reason": "not_accepted"}], ("A003", None, None)),
        # rejected, but a planning reason
        ([{"association_id": "A003", "reason": "capacity"},
          {"association_id": "A004", "reason": "capacity"}], ("A004", None, None)),
        # listed twice
        ([{"association_id": "A003", "reason": "capacity"},
          {"association_id": "A003", "reason": "capacity"}], ("A003", None, None)),
        # unknown id
        ([{"association_id": "A003", "reason": "capacity"},
          {"association_id": "A999", "reason": "capacity"}], ("A999", None, None)),
    ],
)
def test_unserved_list_is_consistent(
    scenario: Scenario, plan: Plan, entries: list[dict[str, Any]], where: tuple[str, None, None]
) -> None:
    assert located(only_rule(scenario, with_unserved(plan, *entries), RULE_1)) == {where}


def test_session_with_unknown_expert(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 2, expert_ids=["E001", "E999"])
    assert located(only_rule(scenario, broken, RULE_1)) == {("A001", 2, "E999")}


def test_session_of_unknown_association(scenario: Scenario, plan: Plan) -> None:
    broken = add_sessions(
        plan, _session("A999", 1, "review", ["E003"], "2025-09-03", "10:00", "11:00", "online"))
    assert located(only_rule(scenario, broken, RULE_1)) == {("A999", 1, None)}


# --- rule 2: session_sequence ------------------------------------------------------

RULE_2 = "session_sequence"


def test_missing_session(scenario: Scenario, plan: Plan) -> None:
    broken = drop_session(plan, "A001", 3)
    violations = only_rule(scenario, broken, RULE_2)
    assert located(violations) == {("A001", 3, None)}
    assert "missing" in violations[0].message


def test_duplicate_session_number(scenario: Scenario, plan: Plan) -> None:
    broken = add_sessions(plan, _session("A001", 3, "finalisation", ["E001"], "2025-09-25",
                                         "10:00", "12:00", "onsite"))
    violations = only_rule(scenario, broken, RULE_2)
    assert located(violations) == {("A001", 3, None)}
    assert "2 times" in violations[0].message


def test_number_beyond_sessions_requested(scenario: Scenario, plan: Plan) -> None:
    broken = add_sessions(plan, _session("A002", 2, "finalisation", ["E002"], "2025-09-05",
                                         "14:00", "15:30", "online"))
    assert located(only_rule(scenario, broken, RULE_2)) == {("A002", 2, None)}


def test_wrong_length(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 2, end="11:30")
    violations = only_rule(scenario, broken, RULE_2)
    assert located(violations) == {("A001", 2, None)}
    assert "90 minutes" in violations[0].message and "120" in violations[0].message


def test_single_session_must_be_review(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A002", 1, phase="action_plan")
    violations = only_rule(scenario, broken, RULE_2)
    assert located(violations) == {("A002", 1, None)}
    assert "'review'" in violations[0].message


def test_middle_session_must_be_drafting(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 2, phase="finalisation")
    assert located(only_rule(scenario, broken, RULE_2)) == {("A001", 2, None)}


def test_sessions_too_close(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 3, date="2025-09-12")
    violations = only_rule(scenario, broken, RULE_2)
    assert located(violations) == {("A001", 3, None)}
    assert "only 3 days" in violations[0].message


def test_sessions_out_of_date_order(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(edit_session(plan, "A001", 2, date="2025-09-16"),
                          "A001", 3, date="2025-09-09")
    violations = only_rule(scenario, broken, RULE_2)
    assert located(violations) == {("A001", 3, None)}
    assert "not after session 2" in violations[0].message


# --- rule 3: business_time ---------------------------------------------------------

RULE_3 = "business_time"


@pytest.mark.parametrize(
    ("date", "why"),
    [
        ("2025-09-06", "Saturday"),
        ("2025-11-24", "振替休日"),
        ("2025-09-15", "敬老の日"),
        ("2025-10-31", "closed_dates"),
    ],
)
def test_not_a_business_day(scenario: Scenario, plan: Plan, date: str, why: str) -> None:
    # A002 has no availability (= business hours on every day), so only the calendar objects.
    broken = edit_session(plan, "A002", 1, date=date)
    violations = only_rule(scenario, broken, RULE_3)
    assert located(violations) == {("A002", 1, None)}
    assert why in violations[0].message


def test_outside_business_hours(scenario: Scenario, plan: Plan) -> None:
    # Friday windows of E001 and A001 run to 20:00; business hours end at 18:00.
    broken = edit_session(plan, "A001", 3, date="2025-09-19", start="17:00", end="19:00")
    violations = only_rule(scenario, broken, RULE_3)
    assert located(violations) == {("A001", 3, None)}
    assert "business hours 09:00-18:00" in violations[0].message


def test_outside_implementation_period(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A002", 1, date="2026-01-06")
    assert located(only_rule(scenario, broken, RULE_3)) == {("A002", 1, None)}


def test_start_not_on_half_hour(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 3, start="10:15", end="12:15")
    violations = only_rule(scenario, broken, RULE_3)
    assert located(violations) == {("A001", 3, None)}
    assert "10:15" in violations[0].message


def test_first_session_too_soon_after_decision(scenario: Scenario, plan: Plan) -> None:
    # Decided Fri 08-22: five business days later is Fri 08-29 (the valid plan's date).
    broken = edit_session(plan, "A002", 1, date="2025-08-28")
    violations = only_rule(scenario, broken, RULE_3)
    assert located(violations) == {("A002", 1, None)}
    assert "2025-08-29" in violations[0].message


# --- rule 4: qualified_lead --------------------------------------------------------

RULE_4 = "qualified_lead"


def test_lead_changes_between_sessions(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 3, expert_ids=["E003"], mode="online")
    # E003 is a 社労士 too, so only the change of lead is wrong.
    assert located(only_rule(scenario, broken, RULE_4)) == {("A001", 3, "E003")}


def test_lead_not_qualified_for_primary_need(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A002", 1, expert_ids=["E001"])
    violations = only_rule(scenario, broken, RULE_4)
    assert located(violations) == {("A002", None, "E001")}
    assert "'mental_health'" in violations[0].message


def test_expert_listed_twice_in_a_session(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 3, expert_ids=["E001", "E001"])
    assert located(only_rule(scenario, broken, RULE_4)) == {("A001", 3, "E001")}


# --- rule 5: within_availability ---------------------------------------------------

RULE_5 = "within_availability"


def test_session_across_two_touching_windows(scenario: Scenario, plan: Plan) -> None:
    # Monday 09-22, 11:00-13:00: E001 is free 09:00-12:00 and 12:00-18:00, but not in ONE window.
    broken = edit_session(plan, "A001", 3, date="2025-09-22", start="11:00", end="13:00")
    violations = only_rule(scenario, broken, RULE_5)
    assert located(violations) == {("A001", 3, "E001")}
    assert "09:00-12:00, 12:00-18:00" in violations[0].message


def test_session_inside_one_of_the_touching_windows(scenario: Scenario, plan: Plan) -> None:
    moved = edit_session(plan, "A001", 3, date="2025-09-22", start="12:00", end="14:00")
    assert check_plan(scenario, moved) == []


def test_expert_blocked_range(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 3, date="2025-10-07")
    violations = only_rule(scenario, broken, RULE_5)
    assert located(violations) == {("A001", 3, "E001")}
    assert "no window" in violations[0].message


def test_association_date_override(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 3, date="2025-09-30")
    assert located(only_rule(scenario, broken, RULE_5)) == {("A001", 3, None)}


def test_session_past_association_window(scenario: Scenario, plan: Plan) -> None:
    # Thursday: E001 is free until 18:00, A001 only until 17:00.
    broken = edit_session(plan, "A001", 3, date="2025-09-18", start="16:00", end="18:00")
    violations = only_rule(scenario, broken, RULE_5)
    assert located(violations) == {("A001", 3, None)}
    assert "the association: 09:00-17:00" in violations[0].message


# --- rule 6: expert_workload -------------------------------------------------------

RULE_6 = "expert_workload"


def _e001_joins_a002(plan: Plan, date: str, start: str, end: str) -> Plan:
    return edit_session(plan, "A002", 1, expert_ids=["E002", "E001"], date=date,
                        start=start, end=end)


def test_overlapping_sessions(scenario: Scenario, plan: Plan) -> None:
    broken = _e001_joins_a002(plan, "2025-09-02", "11:00", "12:30")
    violations = only_rule(scenario, broken, RULE_6)
    assert located(violations) == {("A002", 1, "E001")}
    assert violations[0].message == (
        "overlaps A001 session 1 on 2025-09-02 (10:00-12:00 vs 11:00-12:30)")


def test_travel_buffer_after_onsite(scenario: Scenario, plan: Plan) -> None:
    broken = _e001_joins_a002(plan, "2025-09-02", "12:30", "14:00")
    violations = only_rule(scenario, broken, RULE_6)
    assert located(violations) == {("A002", 1, "E001")}
    assert "30 minutes after A001 session 1" in violations[0].message


def test_travel_buffer_met_exactly(scenario: Scenario, plan: Plan) -> None:
    moved = _e001_joins_a002(plan, "2025-09-02", "13:00", "14:30")
    assert check_plan(scenario, moved) == []


def test_travel_buffer_only_when_either_is_onsite(scenario: Scenario, plan: Plan) -> None:
    # A001 session 1 is pinned onsite; unpin it to move it and change its mode.
    document = scenario.model_dump(mode="json")
    document["pinned"] = []
    unpinned = parse_scenario(document)
    # Both online, back to back: no buffer needed.
    online = edit_session(plan, "A001", 1, mode="online")
    assert check_plan(unpinned, _e001_joins_a002(online, "2025-09-02", "12:00", "13:30")) == []
    # Online first, then onsite 30 minutes later: the onsite one needs the buffer.
    later_onsite = _e001_joins_a002(
        edit_session(plan, "A001", 1, start="13:30", end="15:30"), "2025-09-02", "11:30", "13:00")
    violations = only_rule(unpinned, later_onsite, RULE_6)
    assert located(violations) == {("A001", 1, "E001")}
    assert "30 minutes after A002 session 1" in violations[0].message


def test_max_sessions_per_day(scenario: Scenario, plan: Plan) -> None:
    strict = edit_expert(scenario, "E001", max_sessions_per_day=1)
    broken = _e001_joins_a002(plan, "2025-09-02", "14:00", "15:30")
    violations = only_rule(strict, broken, RULE_6)
    assert located(violations) == {(None, None, "E001")}
    assert "max_sessions_per_day 1" in violations[0].message


def test_max_sessions_per_iso_week(scenario: Scenario, plan: Plan) -> None:
    # E002 (one a week) already has A001 session 2 on Tue 09-09 (ISO week 37).
    broken = edit_session(plan, "A002", 1, date="2025-09-11")
    violations = only_rule(scenario, broken, RULE_6)
    assert located(violations) == {(None, None, "E002")}
    assert "ISO week 2025-W37" in violations[0].message


def test_iso_week_not_rolling_seven_days(scenario: Scenario, plan: Plan) -> None:
    # Fri 09-05 and Tue 09-09 are four days apart but in ISO weeks 36 and 37.
    moved = edit_session(plan, "A002", 1, date="2025-09-05")
    assert check_plan(scenario, moved) == []


# --- rule 7: expert_associations ---------------------------------------------------

RULE_7 = "expert_associations"


def _serve_a003(plan: Plan, experts: list[str]) -> Plan:
    served = add_sessions(plan, _session("A003", 1, "review", experts, "2025-09-03", "10:00",
                                         "11:00", "online"))
    return with_unserved(served, {"association_id": "A004", "reason": "not_accepted"})


def test_too_many_associations(scenario: Scenario, plan: Plan) -> None:
    broken = _serve_a003(plan, ["E003", "E002"])  # E002 already works with A001 and A002
    violations = only_rule(scenario, broken, RULE_7)
    assert located(violations) == {(None, None, "E002")}
    assert "3 associations (A001, A002, A003), max_associations 2" in violations[0].message


def test_conflict_of_interest(scenario: Scenario, plan: Plan) -> None:
    broken = _serve_a003(plan, ["E001"])
    assert located(only_rule(scenario, broken, RULE_7)) == {("A003", None, "E001")}


# --- rule 8: session_mode ----------------------------------------------------------

RULE_8 = "session_mode"


def test_mode_differs_from_association(scenario: Scenario, plan: Plan) -> None:
    # A002 asked for online; E002 offers online only, so both are named.
    broken = edit_session(plan, "A002", 1, mode="onsite")
    assert located(only_rule(scenario, broken, RULE_8)) == {("A002", 1, None), ("A002", 1, "E002")}


def test_joining_expert_does_not_offer_mode(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 2, mode="onsite")  # A001 takes either
    assert located(only_rule(scenario, broken, RULE_8)) == {("A001", 2, "E002")}


# --- rule 9: pinned_unchanged ------------------------------------------------------

RULE_9 = "pinned_unchanged"


def test_pinned_session_moved(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 1, start="10:30", end="12:30")
    violations = only_rule(scenario, broken, RULE_9)
    assert located(violations) == {("A001", 1, None)}
    assert "start 10:00 -> 10:30" in violations[0].message


def test_pinned_session_missing(scenario: Scenario, plan: Plan) -> None:
    broken = drop_session(plan, "A001", 1)
    violations = check_plan(scenario, broken)
    assert ("pinned_unchanged", "A001", 1) in {(v.rule, v.association_id, v.number)
                                               for v in violations}


# --- robustness and speed ----------------------------------------------------------


def test_empty_plan_reports_every_accepted_association(scenario: Scenario, plan: Plan) -> None:
    empty = plan.model_copy(update={"sessions": [], "unserved": []})
    violations = check_plan(scenario, empty)
    assert located(accepted_served_or_unserved(scenario, empty)) == {
        ("A001", None, None), ("A002", None, None), ("A003", None, None)}
    assert {v.rule for v in violations} == {RULE_1, RULE_9}


def test_violations_are_sorted_by_rule_order(scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(edit_session(plan, "A001", 1, start="10:15", end="12:15"),
                          "A002", 1, phase="drafting")
    violations = check_plan(scenario, broken)
    order = [rule.__name__ for rule in RULES]
    positions = [order.index(v.rule) for v in violations]
    assert positions == sorted(positions)
    assert check_plan(scenario, broken) == violations


def test_large_plan_checks_quickly() -> None:
    """2,000 associations x 5 sessions, 400 experts: a couple of seconds at most."""
    weeks = [f"2025-09-{day:02d}" for day in (1, 8, 29)] + ["2025-10-06", "2025-10-20"]
    document = _scenario_document()
    document["pinned"] = []
    document["experts"] = [
        {"id": f"E{e:03d}", "name": f"expert {e}", "qualifications": ["sharoushi"],
         "modes": ["online"], "max_associations": 5, "max_sessions_per_day": 5,
         "max_sessions_per_week": 25}
        for e in range(400)
    ]
    document["associations"] = [
        _association(f"A{a:04d}", "2025-08-01", ["labour_law"], 5, 60, "online")
        for a in range(2000)
    ]
    sessions = []
    for a in range(2000):
        expert, slot = divmod(a, 5)
        for number, date in enumerate(weeks, start=1):
            phase = ("action_plan" if number == 1 else
                     "finalisation" if number == 5 else "drafting")
            start = f"{9 + slot}:00".zfill(5)
            end = f"{10 + slot}:00".zfill(5)
            sessions.append(_session(f"A{a:04d}", number, phase, [f"E{expert:03d}"], date,
                                     start, end, "online"))
    big_scenario = parse_scenario(document)
    big_plan = parse_plan({"scenario_sha256": "", "sessions": sessions, "unserved": [],
                           "stats": {"served": 2000, "unserved": 0, "served_upper_bound": 2000,
                                     "solver_status": "HAND", "wall_seconds": 0.0}})
    began = time.perf_counter()
    violations = check_plan(big_scenario, big_plan)
    elapsed = time.perf_counter() - began
    # 2025-09-15 is not in the list; the 5 dates are business days at least 7 days apart.
    assert violations == []
    assert elapsed < 3.0, f"checking took {elapsed:.2f}s"


# --- the command line --------------------------------------------------------------


def _invoke(*args: str) -> Any:
    # With a single registered command typer runs it without its name; keep the test
    # valid whether or not the other sub-commands exist yet in this checkout.
    names = [command.name for command in app.registered_commands]
    prefix = ["check"] if len(names) > 1 else []
    return CliRunner().invoke(app, [*prefix, *args])


def _write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_valid_plan_exits_0(tmp_path: Path, scenario: Scenario, plan: Plan) -> None:
    result = _invoke(str(_write(tmp_path, "scenario.json", _scenario_document())),
                     str(_write(tmp_path, "plan.json", plan.model_dump(mode="json"))))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 0 violations of 9 rules (4 sessions, 2 served)"
    assert result.stderr == ""


def test_cli_broken_plan_exits_1(tmp_path: Path, scenario: Scenario, plan: Plan) -> None:
    broken = edit_session(plan, "A001", 3, date="2025-09-12", start="10:15", end="12:15")
    result = _invoke(str(_write(tmp_path, "scenario.json", _scenario_document())),
                     str(_write(tmp_path, "plan.json", broken.model_dump(mode="json"))))
    assert result.exit_code == 1, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("session_sequence: A001 session 3: on 2025-09-12, only 3 days")
    assert lines[1] == ("business_time: A001 session 3: starts at 10:15, "
                        "not on the hour or half hour")
    assert lines[2] == "2 violations: session_sequence 1, business_time 1"


def test_cli_warns_on_hash_mismatch(tmp_path: Path, plan: Plan) -> None:
    stale = plan.model_copy(update={"scenario_sha256": "feed"})
    result = _invoke(str(_write(tmp_path, "scenario.json", _scenario_document())),
                     str(_write(tmp_path, "plan.json", stale.model_dump(mode="json"))))
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and "scenario_sha256" in result.stderr


def test_cli_malformed_plan_exits_2(tmp_path: Path, plan: Plan) -> None:
    document = plan.model_dump(mode="json")
    document["sessions"][1]["start"] = "25:00"
    del document["stats"]
    result = _invoke(str(_write(tmp_path, "scenario.json", _scenario_document())),
                     str(_write(tmp_path, "plan.json", document)))
    assert result.exit_code == 2, result.output
    assert "sessions[1] (A001).start" in result.stderr
    assert "stats: missing required field" in result.stderr
