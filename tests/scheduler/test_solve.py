"""The planner end to end: every plan it makes passes the checker."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain.checker import check_plan
from domain.loading import parse_scenario
from domain.plan import Plan
from domain.scenario import Scenario
from matcher.core import match
from matcher.coverage import coverage_upper_bound
from matcher.encoding import encode
from scheduler.decompose import plan_decomposed
from scheduler.greedy import plan_greedy
from scheduler.reinsert import Bookings, Reinserter
from scheduler.scoring import covered_needs
from scheduler.serve import eject_and_insert
from scheduler.solution import build_plan
from scheduler.solve import SolveOptions, solve, solve_greedy
from simulation.generator import generate_scenario
from simulation.profiles import PROFILES
from tests.scenarios import association, expert, scenario

QUICK = SolveOptions(time_limit=4.0, workers=1, seed=0)


def planned(s: Scenario, options: SolveOptions = QUICK) -> Plan:
    """Plan and check: a plan the checker rejects is a bug in the model."""
    plan = solve(s, options).plan
    violations = check_plan(s, plan)
    assert violations == [], "\n".join(map(str, violations))
    accepted = {a.id for a in s.associations if a.status == "accepted"}
    served = {x.association_id for x in plan.sessions}
    assert served | {u.association_id for u in plan.unserved if u.reason != "not_accepted"} \
        == accepted
    assert plan.stats.served <= plan.stats.served_upper_bound
    bound = (plan.parameters or {}).get("coverage_upper_bound")
    if bound is not None and plan.stats.secondary_need_coverage is not None:
        assert plan.stats.secondary_need_coverage <= bound  # the coverage bound is proven
    return plan


def served_ids(plan: Plan) -> set[str]:
    return {x.association_id for x in plan.sessions}


def reasons(plan: Plan) -> dict[str, str]:
    return {u.association_id: u.reason for u in plan.unserved}


@st.composite
def generated_scenarios(draw: st.DrawFn, largest: int = 12) -> tuple[Scenario, int]:
    """A generated scenario of any profile, pinned sessions and n=1 reviews included,
    and its seed."""
    profile = draw(st.sampled_from(sorted(PROFILES)))
    seed = draw(st.integers(0, 10_000))
    associations, experts = draw(st.integers(3, largest)), draw(st.integers(2, 6))
    pinned = draw(st.integers(0, 2))
    try:
        document = generate_scenario(associations, experts, seed, profile, pinned=pinned)
    except ValueError as error:  # too small a scenario to pin that many: not a planner case
        assume("could pin only" not in str(error))
        raise
    return parse_scenario(document), seed


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_scenarios())
def test_generated_plans_pass_the_checker(generated: tuple[Scenario, int]) -> None:
    s, seed = generated
    plan = planned(s, SolveOptions(time_limit=2.0, workers=1, seed=seed))
    for pin in s.pinned:
        assert pin in plan.sessions


def test_company_plans_lead_legal_needs_with_attorneys() -> None:
    # The sister programme's own vocabulary: only an attorney (bengoshi) covers "legal".
    s = parse_scenario(generate_scenario(12, 7, 4, "company", pinned=1))
    plan = planned(s, SolveOptions(time_limit=3.0, workers=1, seed=4))
    legal = [x for x in plan.sessions
             if s.association_by_id[x.association_id].primary_need == "legal"]
    assert legal
    assert all("bengoshi" in s.expert_by_id[x.lead_id].qualifications for x in legal)
    assert max(x.number for x in plan.sessions) <= s.programme.max_sessions == 4


def test_reviews_and_pinned_sessions_are_kept() -> None:
    s = scenario(
        [expert("E1"), expert("E2", qualifications=["psychologist"])],
        [association("A1", sessions_requested=1, has_manual=True),
         association("A2", needs=["labour_law", "mental_health"], sessions_requested=3)],
        pinned=[{"association_id": "A2", "number": 2, "phase": "drafting",
                 "expert_ids": ["E1", "E2"], "date": "2025-09-17", "start": "10:00",
                 "end": "11:00", "mode": "online"}],
    )
    plan = planned(s)
    assert served_ids(plan) == {"A1", "A2"}
    review = [x for x in plan.sessions if x.association_id == "A1"]
    assert [x.phase for x in review] == ["review"]
    assert s.pinned[0] in plan.sessions
    assert plan.stats.secondary_need_coverage == 1.0


# -- per hard rule: a tiny model where that rule is what stops service -----------------

def test_rule1_only_accepted_associations_are_planned() -> None:
    s = scenario([expert("E1")], [association("A1"), association("A2", status="received")])
    plan = planned(s)
    assert served_ids(plan) == {"A1"}
    assert reasons(plan) == {"A2": "not_accepted"}


def test_rule2_sessions_must_fit_the_window_at_the_minimum_gap() -> None:
    # Decided late: 5 sessions 7 days apart cannot fit before 2025-10-31; 2 can.
    late = {"decided_on": "2025-10-10"}
    plan = planned(scenario([expert("E1")], [association("A1", sessions_requested=5, **late),
                                             association("A2", sessions_requested=2, **late)]))
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "window_too_short"


def test_rule3_business_days_only() -> None:
    # A1 is free only on Saturdays and on the two September holidays.
    weekend = {"weekly": {"sat": [["10:00", "12:00"]]},
               "dates": {"2025-09-15": [["10:00", "12:00"]], "2025-09-23": [["10:00", "12:00"]]}}
    plan = planned(scenario([expert("E1")], [association("A1", availability=weekend),
                                             association("A2")]))
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "window_too_short"


def test_rule4_lead_must_cover_the_primary_need() -> None:
    plan = planned(scenario([expert("E1", qualifications=["sme_consultant"])],
                            [association("A1"), association("A2", needs=["management"])]))
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "no_qualified_expert"


def test_rule5_no_common_window() -> None:
    e1 = expert("E1", availability={"weekly": {"mon": [["09:00", "12:00"]]}})
    a1 = association("A1", availability={"weekly": {"tue": [["09:00", "12:00"]]}})
    a2 = association("A2", availability={"weekly": {"mon": [["10:00", "11:00"]]}})
    plan = planned(scenario([e1], [a1, a2]))
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "no_common_time"


def test_rule6_one_session_per_week_serves_the_earlier_applicant() -> None:
    # One window a week and one session a week: room for one association's 5 sessions only
    # in 2025-09-01..2025-10-03 (the period is 5 weeks long).
    e1 = expert("E1", max_sessions_per_week=1,
                availability={"weekly": {"wed": [["10:00", "12:00"]]}})
    both = {"sessions_requested": 5}
    plan = planned(scenario([e1], [association("A1", applied_day=2, **both),
                                   association("A2", applied_day=1, **both)],
                            implementation_period={"start": "2025-09-01", "end": "2025-10-03"}))
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "capacity"


def test_rule6_travel_buffer_between_onsite_sessions() -> None:
    # A 3-hour window: two 60-minute onsite sessions need 60 minutes between them, so
    # only one fits each day; with a single day available only one association is served.
    e1 = expert("E1", availability={"weekly": {}, "dates": {"2025-09-10": [["10:00", "13:00"]]}})
    onsite = {"sessions_requested": 1, "mode": "onsite"}
    plan = planned(scenario([e1], [association("A1", applied_day=1, **onsite),
                                   association("A2", applied_day=2, **onsite)]))
    assert served_ids(plan) == {"A1"}
    online = {"sessions_requested": 1, "mode": "online"}
    plan = planned(scenario([e1], [association("A1", **online), association("A2", **online)]))
    assert served_ids(plan) == {"A1", "A2"}


def test_rule7_max_associations_and_conflicts() -> None:
    plan = planned(scenario([expert("E1", max_associations=1)],
                            [association("A1", applied_day=3), association("A2", applied_day=1)]))
    assert served_ids(plan) == {"A2"}
    s = scenario([expert("E1", conflicts=["A1"])], [association("A1"), association("A2")])
    plan = planned(s)
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "no_qualified_expert"


def test_rule8_mode_must_be_offered() -> None:
    plan = planned(scenario([expert("E1", modes=["online"])],
                            [association("A1", mode="onsite"), association("A2", mode="either")]))
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "no_qualified_expert"
    assert {x.mode for x in plan.sessions} == {"online"}


def test_rule9_pinned_session_takes_the_only_slot() -> None:
    e1 = expert("E1", availability={"weekly": {}, "dates": {"2025-09-10": [["10:00", "11:00"]]}})
    one = {"sessions_requested": 1}
    pin = {"association_id": "A2", "number": 1, "phase": "review", "expert_ids": ["E1"],
           "date": "2025-09-10", "start": "10:00", "end": "11:00", "mode": "online"}
    plan = planned(scenario([e1], [association("A1", applied_day=1, **one),
                                   association("A2", applied_day=2, **one)], pinned=[pin]))
    assert served_ids(plan) == {"A2"}
    assert reasons(plan)["A1"] == "capacity"


# -- optimum known by brute force ------------------------------------------------------

def _brute_force_best(s: Scenario) -> tuple[int, tuple[str, ...]]:
    """Most associations served, then the earliest applicants, over every lead choice.

    In these instances every association has one session in a distinct fixed window per
    expert, so a plan is a choice of lead (or none) per association; the checker decides.
    """
    from domain.plan import Session, Stats

    ids = [a.id for a in sorted(s.accepted, key=lambda a: a.applied_at)]
    options = [None, *s.expert_by_id]
    best: tuple[int, tuple[int, ...]] = (-1, ())
    best_served: tuple[str, ...] = ()
    for choice in itertools.product(options, repeat=len(ids)):
        sessions = []
        for association_id, lead in zip(ids, choice, strict=True):
            if lead is None:
                continue
            expert_record = s.expert_by_id[lead]
            assert expert_record.availability is not None
            (day, windows), = expert_record.availability.dates.items()
            start = windows[0][0]
            sessions.append(Session.model_validate({
                "association_id": association_id, "number": 1, "phase": "review",
                "expert_ids": [lead], "date": day.isoformat(),
                "start": f"{start // 60:02d}:{start % 60:02d}",
                "end": f"{(start + 60) // 60:02d}:{start % 60:02d}", "mode": "online"}))
        served = [i for i, c in enumerate(choice) if c is not None]
        plan = Plan(scenario_sha256="", sessions=sessions, unserved=[
            {"association_id": a, "reason": "capacity"} for a, c in zip(ids, choice, strict=True)
            if c is None], stats=Stats(served=0, unserved=0, served_upper_bound=0,
                                       solver_status="", wall_seconds=0))
        if check_plan(s, plan):
            continue
        key = (len(served), tuple(-i for i in served))
        if key > best:
            best, best_served = key, tuple(ids[i] for i in served)
    return best[0], best_served


@pytest.mark.parametrize("seed", range(4))
def test_brute_force_optimum_is_found(seed: int) -> None:
    import random

    rng = random.Random(seed)
    experts = []
    for i in range(3):
        day = f"2025-09-{rng.choice([2, 3, 4, 9, 10]):02d}"
        experts.append(expert(
            f"E{i}", qualifications=[rng.choice(["sharoushi", "sme_consultant"])],
            max_associations=rng.choice([1, 2]), max_sessions_per_day=1,
            availability={"weekly": {}, "dates": {day: [["10:00", "11:00"]]}},
        ))
    associations = [
        association(f"A{i}", applied_day=i + 1, sessions_requested=1,
                    needs=[rng.choice(["labour_law", "management"])])
        for i in range(5)
    ]
    s = scenario(experts, associations)
    count, best = _brute_force_best(s)
    plan = planned(s, SolveOptions(time_limit=5.0, workers=1))
    assert plan.stats.served == count
    assert tuple(sorted(served_ids(plan))) == tuple(sorted(best))
    assert plan.stats.served_upper_bound >= count


def test_same_seed_one_worker_gives_the_same_plan() -> None:
    s = parse_scenario(generate_scenario(10, 4, 7, "balanced", pinned=1))
    options = SolveOptions(time_limit=3.0, workers=1, seed=3)
    first, second = solve(s, options).plan, solve(s, options).plan

    def stable(plan: Plan) -> str:
        data = plan.model_dump(mode="json")
        data["stats"].pop("wall_seconds")
        data["stats"].pop("objectives")
        return json.dumps(data, sort_keys=True)

    assert stable(first) == stable(second)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_scenarios(largest=16))
def test_decomposed_and_single_model_plans_both_pass_the_checker(
    generated: tuple[Scenario, int],
) -> None:
    """Stage one in parts (as at thousands of applications) and as one model, on the
    same instances: both checked, neither above the bound, both at least the greedy."""
    s, seed = generated
    greedy = solve_greedy(s, bound_seconds=1.0)
    plans = {decompose: planned(s, SolveOptions(time_limit=2.0, workers=1, seed=seed,
                                                decompose=decompose))
             for decompose in (True, False)}
    for decompose, plan in plans.items():
        assert plan.parameters is not None and plan.parameters["decomposed"] is decompose
        assert plan.stats.served >= greedy.stats.served
        for pin in s.pinned:
            assert pin in plan.sessions
    # One model proves the most that can be served; the parts may fall short, not above.
    assert plans[True].stats.served <= plans[False].stats.served_upper_bound


def test_coverage_bound_counts_the_slots_of_the_experts_who_cover_a_need() -> None:
    """Two experts cover mental health; one leads the association that needs it first, so
    of the three that ask for it as a second need, at most one more can have it."""
    experts = [
        expert("E1", qualifications=["psychologist"], max_associations=1),
        expert("E2", qualifications=["psychologist"], max_associations=1),
        *(expert(f"E{i}", qualifications=["sharoushi"], max_associations=1)
          for i in range(3, 6)),
    ]
    associations = [association("A0", applied_day=1, needs=["mental_health"]),
                    *(association(f"A{i}", applied_day=i + 1,
                                  needs=["labour_law", "mental_health"]) for i in (1, 2, 3))]
    s = scenario(experts, associations)
    enc = encode(s)
    matching = match(enc, None)
    assert coverage_upper_bound(enc, matching, range(4)) == 1
    assert coverage_upper_bound(enc, matching, [1, 2, 3]) == 2  # no primary one served
    plan = planned(s)
    assert plan.stats.served == 4
    # The free psychologist joins one of them: the bound is reached, and is in the plan.
    assert plan.stats.secondary_need_coverage == round(1 / 3, 4)
    assert plan.parameters is not None
    assert plan.parameters["coverage_upper_bound"] == round(1 / 3, 4)


@pytest.mark.parametrize("seed", [2, 3])
def test_an_ejection_chain_keeps_every_rule_or_changes_nothing(seed: int) -> None:
    """The greedy plan's booking of an association is forced into the decomposed plan,
    where others hold its hours and experts: they move elsewhere, or nothing changes."""
    s = parse_scenario(generate_scenario(30, 8, seed, "scarce_experts"))
    enc = encode(s)
    matching = match(enc, None)
    pins = enc.pins
    pinned = {pin.association for pin in pins}
    greedy = plan_greedy(enc, matching, pins)
    decomposed = plan_decomposed(enc, matching, pins)
    outcomes = []
    for a in sorted(set(greedy) & set(decomposed) - pinned):
        if greedy[a] == decomposed[a]:
            continue
        solution = {b: x for b, x in decomposed.items() if b != a}
        before = dict(solution)
        bookings = Bookings(enc, solution)
        reinserter = Reinserter(enc, matching, pinned=pinned, with_joiners=False)
        inserted = eject_and_insert(enc, a, greedy[a], solution, bookings, reinserter, pinned)
        if inserted:
            assert solution[a] == greedy[a] and set(solution) == set(decomposed)
            plan = build_plan(s, enc, matching, solution, upper_bound=matching.upper_bound,
                              solver_status="TEST", wall_seconds=0.0)
            violations = check_plan(s, plan)
            assert violations == [], "\n".join(map(str, violations))
        else:
            assert solution == before
            assert bookings.load.tolist() == Bookings(enc, before).load.tolist()
        moved = sum(1 for b in before if solution[b] != before[b])
        outcomes.append((inserted, moved))
    assert any(inserted and moved for inserted, moved in outcomes)  # a real chain
    assert not all(inserted for inserted, _ in outcomes)  # and one undone


def test_a_first_plan_serving_everyone_servable_settles_stage_one() -> None:
    """No model is needed to prove objective 1 when every servable association is served;
    when one cannot be, the model decides who."""
    everyone = scenario([expert("E1")], [association("A1"), association("A2", applied_day=2)])
    plan = planned(everyone, SolveOptions(time_limit=4.0, workers=1, seed=0,
                                          decompose=False))
    assert plan.stats.solver_status == "OPTIMAL" and plan.stats.served == 2
    service = (plan.stats.objectives or {})["service"]
    assert "first plan serves every association" in service["status"]
    crowded = scenario([expert("E1", max_associations=2)],
                       [association(f"A{i}", applied_day=i) for i in range(1, 4)])
    plan = planned(crowded, SolveOptions(time_limit=4.0, workers=1, seed=0, decompose=False))
    assert plan.stats.served == 2 and served_ids(plan) == {"A1", "A2"}
    service = (plan.stats.objectives or {})["service"]
    assert "first plan serves every association" not in service["status"]


@pytest.mark.parametrize("profile", ["balanced", "scarce_experts", "scarce_narrow"])
def test_the_decomposed_first_plan_keeps_every_rule_and_within_its_coverage_bound(
        profile: str) -> None:
    """Joiners beyond the flow's take only association slots no later team of the flow
    holds (on scarce experts a slot taken too early broke rule 7 for a later lead)."""
    s = parse_scenario(generate_scenario(300, 60, 2, profile))
    enc = encode(s)
    matching = match(enc, None)
    decomposed = plan_decomposed(enc, matching, enc.pins, enc.kept)
    plan = build_plan(s, enc, matching, decomposed, upper_bound=matching.upper_bound,
                      solver_status="TEST", wall_seconds=0.0)
    violations = check_plan(s, plan)
    assert violations == [], "\n".join(map(str, violations))
    covered = sum(len(covered_needs(enc, a, x)) for a, x in decomposed.items())
    assert covered <= coverage_upper_bound(enc, matching, decomposed)
