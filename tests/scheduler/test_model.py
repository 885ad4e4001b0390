"""The nine hard rules, each shown doing its work in the CP-SAT model.

Per rule a pair (the habit of the cpsat-primer's ``examples/tdd``): a tiny scenario where
the rule binds, planned by a ``PlanModel`` that holds every rule, whose plan the checker
accepts; and the same scenario planned with that one rule left out, whose plan breaks
that rule and no other. Objective 1 pushes: in each scenario serving everyone (or, for
rule 9, the earliest applicant) is possible only by breaking the rule.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from ortools.sat.python import cp_model

from domain.checker import RULES, check_plan
from domain.plan import Plan
from domain.scenario import Scenario
from matcher.core import match
from matcher.encoding import encode, widened_pair_starts
from scheduler.model import RULE_NAMES, PlanModel, configured_solver
from scheduler.solution import build_plan
from tests.scenarios import association, expert, scenario


def plan_with(s: Scenario, rules: Collection[str] = RULE_NAMES) -> Plan:
    """The plan of a ``PlanModel`` holding ``rules``, made as the planner's stages make it:
    encode, match, build (joiners included), maximise objective 1 on one worker with
    seed 0, decode, build the plan.

    The plan lists as unserved the associations the model does not count as served;
    rule 1 is what makes those exactly the ones without sessions.
    """
    enc = encode(s)
    matching = match(enc, bound_seconds=None)
    business_time, within_availability = "business_time" in rules, "within_availability" in rules
    widened = None if business_time and within_availability else (
        lambda a, e: widened_pair_starts(s, enc, a, e, business_time=business_time,
                                         within_availability=within_availability))
    pm = PlanModel(enc, matching, enc.pins, rules=rules, widened_starts=widened)
    service, _ = pm.objective_service()
    pm.model.maximize(service)
    solver = configured_solver(workers=1, seed=0, seconds=10.0, deterministic=True,
                               wall_left=30.0)
    status = solver.solve(pm.model)
    assert status == cp_model.OPTIMAL, solver.status_name(status)
    plan = build_plan(s, enc, matching, pm.decode(solver.value), upper_bound=matching.upper_bound,
                      solver_status=solver.status_name(status), wall_seconds=solver.wall_time)
    counted = {enc.association_ids[a] for a, v in pm.associations.items()
               if solver.value(v.served)}
    return plan.model_copy(update={
        "unserved": [u for u in plan.unserved if u.association_id not in counted]})


def without(rule: str) -> list[str]:
    assert rule in RULE_NAMES
    return [name for name in RULE_NAMES if name != rule]


def served(plan: Plan) -> set[str]:
    return {x.association_id for x in plan.sessions}


def broken(s: Scenario, plan: Plan) -> set[str]:
    """The rules the checker says the plan breaks."""
    return {v.rule for v in check_plan(s, plan)}


def assert_keeps_every_rule(s: Scenario, plan: Plan) -> None:
    violations = check_plan(s, plan)
    assert violations == [], "\n".join(map(str, violations))


def only_on(*dates: str, window: tuple[str, str] = ("10:00", "11:00")) -> dict[str, Any]:
    """Availability of one window on each of these dates and never otherwise."""
    return {"weekly": {}, "dates": {day: [list(window)] for day in dates}}


ONE = {"sessions_requested": 1}


def test_every_rule_of_the_checker_has_its_model_method() -> None:
    """One checker function and one ``add_`` method of the same name per rule, no more."""
    methods = {name.removeprefix("add_") for name in dir(PlanModel) if name.startswith("add_")}
    assert methods == {rule.__name__ for rule in RULES} == set(RULE_NAMES)
    s = scenario([expert("E1")], [association("A1")])
    enc = encode(s)
    with pytest.raises(ValueError, match="unknown rules"):
        PlanModel(enc, match(enc, None), rules=[*RULE_NAMES, "no_such_rule"])


# -- rule 1: accepted associations are served or unserved, never both ----------------------

def rule1_scenario() -> Scenario:
    return scenario([expert("E1", availability=only_on("2025-09-08"))],
                    [association("A1", applied_day=1, **ONE),
                     association("A2", applied_day=2, **ONE),
                     association("A3", status="received")])


def test_accepted_served_or_unserved() -> None:
    """The one expert has one hour for the two accepted associations: the earlier is
    served, the later listed unserved, and A3, only received, is listed not accepted."""
    s = rule1_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A1"}
    assert {u.association_id: u.reason for u in plan.unserved} == {
        "A2": "capacity", "A3": "not_accepted"}


def test_accepted_served_or_unserved_left_out() -> None:
    """Without rule 1 the model counts both accepted associations as served, though one
    hour holds the sessions of one at most: one is neither served nor listed unserved."""
    s = rule1_scenario()
    plan = plan_with(s, without("accepted_served_or_unserved"))
    assert {u.association_id for u in plan.unserved} == {"A3"}
    assert len(served(plan)) <= 1
    assert broken(s, plan) == {"accepted_served_or_unserved"}


# -- rule 2: sessions in order, at least min_days_between_sessions apart -------------------

def rule2_scenario() -> Scenario:
    expert_days = only_on("2025-09-01", "2025-09-02", "2025-09-08")
    return scenario([expert("E1", availability=expert_days)],
                    [association("A1", applied_day=1, sessions_requested=2),
                     association("A2", applied_day=2, availability=only_on("2025-09-01"), **ONE)])


def test_session_sequence() -> None:
    """The expert is free Monday 1, Tuesday 2 and Monday 8 September. A1's two sessions
    must be 7 days apart, so they take the two Mondays, and A2, free only on the first
    Monday, cannot be served."""
    s = rule2_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A1"}
    assert [x.date.isoformat() for x in plan.sessions] == ["2025-09-01", "2025-09-08"]


def test_session_sequence_left_out() -> None:
    """Without rule 2 A1 takes the Tuesday and the second Monday, 6 days apart, and
    leaves the first Monday to A2."""
    s = rule2_scenario()
    plan = plan_with(s, without("session_sequence"))
    assert served(plan) == {"A1", "A2"}
    assert broken(s, plan) == {"session_sequence"}


# -- rule 3: business days and hours, the period, the grid, the decision date ---------------

def rule3_scenario() -> Scenario:
    return scenario([expert("E1", availability=only_on("2025-09-06", "2025-09-08"))],
                    [association("A1", applied_day=1, **ONE),
                     association("A2", applied_day=2, **ONE)])


def test_business_time() -> None:
    """The expert offers an hour on Saturday 6 and on Monday 8 September; two associations
    want one session each. A Saturday is no business day: only one is served."""
    s = rule3_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A1"}


def test_business_time_left_out() -> None:
    """Without rule 3 the Saturday hour serves the second association."""
    s = rule3_scenario()
    plan = plan_with(s, without("business_time"))
    assert served(plan) == {"A1", "A2"}
    assert "2025-09-06" in {x.date.isoformat() for x in plan.sessions}
    assert broken(s, plan) == {"business_time"}


# -- rule 4: one lead, qualified for the primary need ----------------------------------------

def rule4_scenario() -> Scenario:
    return scenario([expert("E1", qualifications=["sharoushi"], max_associations=1),
                     expert("E2", qualifications=["sme_consultant"])],
                    [association("A1", applied_day=1), association("A2", applied_day=2)])


def test_qualified_lead() -> None:
    """Both associations need labour law first. The one sharoushi may take one association;
    the other expert, an SME consultant, may not lead on labour law: one is served."""
    s = rule4_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A1"}
    assert {x.lead_id for x in plan.sessions} == {"E1"}


def test_qualified_lead_left_out() -> None:
    """Without rule 4 the SME consultant leads one of them."""
    s = rule4_scenario()
    plan = plan_with(s, without("qualified_lead"))
    assert served(plan) == {"A1", "A2"}
    assert broken(s, plan) == {"qualified_lead"}


# -- rule 5: inside a window of every expert and of the association --------------------------

def rule5_scenario() -> Scenario:
    return scenario(
        [expert("E1", availability={"weekly": {"mon": [["10:00", "12:00"]]}})],
        [association("A1", applied_day=1),
         association("A2", applied_day=2, availability={"weekly": {"tue": [["10:00", "12:00"]]}})])


def test_within_availability() -> None:
    """The expert is free on Monday mornings, A2 only on Tuesday mornings: they share no
    window, so only A1 is served."""
    s = rule5_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A1"}


def test_within_availability_left_out() -> None:
    """Without rule 5 A2 is served at a time one of them is not free."""
    s = rule5_scenario()
    plan = plan_with(s, without("within_availability"))
    assert served(plan) == {"A1", "A2"}
    assert broken(s, plan) == {"within_availability"}


# -- rule 6: no overlap, travel buffer around onsite sessions, day and week caps -------------

def rule6_scenario() -> Scenario:
    onsite = {"sessions_requested": 1, "mode": "onsite"}
    e1 = expert("E1", availability=only_on("2025-09-08", window=("10:00", "12:30")))
    return scenario([e1], [association("A1", applied_day=1, **onsite),
                           association("A2", applied_day=2, **onsite)])


def test_expert_workload() -> None:
    """The expert has 10:00-12:30 on one day for two onsite sessions of an hour; onsite
    sessions need 60 minutes between them for travel, so only one fits."""
    s = rule6_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A1"}


def test_expert_workload_left_out() -> None:
    """Without rule 6 both sessions are that morning, too close or overlapping."""
    s = rule6_scenario()
    plan = plan_with(s, without("expert_workload"))
    assert served(plan) == {"A1", "A2"}
    assert broken(s, plan) == {"expert_workload"}


# -- rule 7: max_associations per expert, never a conflict -----------------------------------

def rule7_scenario() -> Scenario:
    return scenario([expert("E1", max_associations=1, conflicts=["A1"])],
                    [association(f"A{i}", applied_day=i, **ONE) for i in (1, 2, 3)])


def test_expert_associations() -> None:
    """The one expert works with at most one association and names A1 in its conflicts:
    A2, the earliest of the others, is served."""
    s = rule7_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A2"}


def test_expert_associations_left_out() -> None:
    """Without rule 7 the expert serves all three, A1 among them."""
    s = rule7_scenario()
    plan = plan_with(s, without("expert_associations"))
    assert served(plan) == {"A1", "A2", "A3"}
    assert broken(s, plan) == {"expert_associations"}


# -- rule 8: the association's mode, offered by every expert ---------------------------------

def rule8_scenario() -> Scenario:
    return scenario([expert("E1", modes=["online"])],
                    [association("A1", applied_day=1, mode="onsite"),
                     association("A2", applied_day=2, mode="online")])


def test_session_mode() -> None:
    """A1 wants its sessions onsite; the one expert works online only: only A2 is served."""
    s = rule8_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A2"}


def test_session_mode_left_out() -> None:
    """Without rule 8 the online-only expert is sent to A1 onsite."""
    s = rule8_scenario()
    plan = plan_with(s, without("session_mode"))
    assert served(plan) == {"A1", "A2"}
    assert broken(s, plan) == {"session_mode"}


# -- rule 9: pinned sessions unchanged -------------------------------------------------------

def rule9_scenario() -> Scenario:
    pin = {"association_id": "A2", "number": 1, "phase": "review", "expert_ids": ["E1"],
           "date": "2025-09-08", "start": "10:00", "end": "11:00", "mode": "online"}
    return scenario([expert("E1", availability=only_on("2025-09-08"))],
                    [association("A1", applied_day=1, **ONE),
                     association("A2", applied_day=2, **ONE)], pinned=[pin])


def test_pinned_unchanged() -> None:
    """The expert's one hour is pinned to A2, so A2 keeps it though A1 applied first."""
    s = rule9_scenario()
    plan = plan_with(s)
    assert_keeps_every_rule(s, plan)
    assert served(plan) == {"A2"}
    assert s.pinned[0] in plan.sessions


def test_pinned_unchanged_left_out() -> None:
    """Without rule 9 the earlier applicant A1 takes the hour and the pin is gone."""
    s = rule9_scenario()
    plan = plan_with(s, without("pinned_unchanged"))
    assert served(plan) == {"A1"}
    assert broken(s, plan) == {"pinned_unchanged"}
