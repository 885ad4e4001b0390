"""Stopping rules: each on its own, together, and in a whole solve that stops early."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings

from domain.loading import parse_scenario
from domain.scenario import Scenario
from matcher.core import match
from matcher.coverage import coverage_upper_bound
from matcher.encoding import encode
from scheduler import stop
from scheduler.greedy import plan_greedy
from scheduler.improve import Budget, Improver
from scheduler.model import configured_solver
from scheduler.scoring import ScoreBounds, coverable_needs, score
from scheduler.solve import SolveOptions
from simulation.generator import generate_scenario
from tests.scenarios import association, expert, scenario
from tests.scheduler.test_solve import generated_scenarios, planned


def state(seconds: float, last: float, at_bound: bool = False) -> stop.SearchState:
    return stop.SearchState(seconds, last, lambda: at_bound)


def test_no_improvement_waits_for_its_stretch() -> None:
    rule = stop.NoImprovement(2.0)
    assert rule(state(3.0, 1.5)) is None
    stopped = rule(state(3.5, 1.5))
    assert stopped is not None and stopped.reason == stop.NO_IMPROVEMENT
    assert "2.0 s" in stopped.detail


def test_no_improvement_needs_a_positive_stretch() -> None:
    with pytest.raises(ValueError):
        stop.NoImprovement(0)


def test_at_bound_stops_only_at_the_bound() -> None:
    assert stop.AtBound()(state(1.0, 0.0, at_bound=False)) is None
    stopped = stop.AtBound()(state(1.0, 0.0, at_bound=True))
    assert stopped is not None and stopped.reason == stop.AT_BOUND


def test_any_of_gives_the_first_reason() -> None:
    rule = stop.AnyOf(stop.AtBound(), stop.NoImprovement(1.0))
    assert rule(state(0.5, 0.0)) is None
    first = rule(state(5.0, 0.0, at_bound=True))
    assert first is not None and first.reason == stop.AT_BOUND
    second = rule(state(5.0, 0.0))
    assert second is not None and second.reason == stop.NO_IMPROVEMENT


def test_the_at_bound_rule_is_not_asked_for_the_bounds_it_does_not_need() -> None:
    asked: list[bool] = []

    def at_bound() -> bool:
        asked.append(True)
        return False

    assert stop.NoImprovement(5.0)(stop.SearchState(1.0, 0.0, at_bound)) is None
    assert asked == []


def test_a_stall_limit_ends_the_search_early_and_says_why() -> None:
    """One worker: deterministic seconds, so this instance stops the same way each run,
    after the one step that finds nothing better (the wall clock's backstop, twice the
    limit, is far enough away even on a busy machine)."""
    s = parse_scenario(generate_scenario(24, 6, 1, "balanced"))
    plan = planned(s, SolveOptions(time_limit=60.0, workers=1, seed=1, stall_seconds=0.3))
    parameters = plan.parameters or {}
    assert parameters["stopped"] == stop.NO_IMPROVEMENT
    assert "0.3 s" in parameters["stopped_detail"]
    assert parameters["stall_seconds"] == 0.3
    improve = (plan.stats.objectives or {})["improve"]
    assert 0 <= improve["last_improvement_seconds"] <= plan.stats.wall_seconds


def test_a_plan_at_every_bound_stops_at_once() -> None:
    """One association, one expert who covers both needs, one possible date pattern."""
    s = scenario([expert("E1", qualifications=["sharoushi", "psychologist"])],
                 [association("A1", needs=["labour_law", "mental_health"],
                              sessions_requested=1)])
    plan = planned(s, SolveOptions(time_limit=20.0, workers=1, seed=0))
    parameters = plan.parameters or {}
    assert parameters["stopped"] in (stop.AT_BOUND, stop.NOTHING_LEFT)
    assert plan.stats.secondary_need_coverage == 1.0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_scenarios())
def test_no_plan_beats_the_score_bounds(generated: tuple[Scenario, int]) -> None:
    """The bounds are proven: every plan the search makes is at them or worse, figure by
    figure, from the first plan to the improved one."""
    s, seed = generated
    enc = encode(s)
    matching = match(enc, bound_seconds=None)
    coverable = {a: coverable_needs(enc, a) for a in range(len(enc.association_ids))}
    first = plan_greedy(enc, matching, enc.pins)
    improver = Improver(enc, matching, enc.pins, enc.kept, seed=seed, coverable=coverable)
    improved = improver.run(first, Budget(seconds=1.0, deterministic=True))
    assert set(improved) == set(first)
    bounds = ScoreBounds(enc, matching.leads, first,
                         coverage_upper_bound(enc, matching, first))
    for solution in (first, improved):
        current = score(enc, solution, coverable)
        assert current.covered <= bounds.covered
        assert current.industry <= bounds.industry
        assert current.top_load >= bounds.top_load
        if current.top_load == bounds.top_load:
            assert current.at_top >= bounds.at_top
        assert current.gap_days >= bounds.gap_days()


def test_the_search_ends_with_its_deadline_and_says_so() -> None:
    """Past its deadline the search takes no step: the first plan comes back whole."""
    s = parse_scenario(generate_scenario(30, 8, 2, "balanced"))
    enc = encode(s)
    matching = match(enc, bound_seconds=None)
    first = plan_greedy(enc, matching, enc.pins)
    improver = Improver(enc, matching, enc.pins, enc.kept, seed=0)
    budget = Budget(seconds=10.0, deterministic=False, deadline=time.monotonic() - 1)
    assert improver.run(first, budget, stop.default_rule(1.0)) == first
    assert improver.steps == 0
    assert improver.stopped.reason == stop.TIME_LIMIT


def test_a_solve_whose_time_is_spent_still_returns_a_checked_plan() -> None:
    """The limit counts from ``started``: given a start long past, no search runs."""
    s = parse_scenario(generate_scenario(20, 6, 3, "balanced"))
    plan = planned(s, SolveOptions(time_limit=5.0, workers=2, seed=0,
                                   started=time.monotonic() - 60))
    assert (plan.parameters or {})["stopped"] == stop.TIME_LIMIT
    assert plan.stats.served > 0


def test_several_workers_never_get_more_than_the_wall_left() -> None:
    solver = configured_solver(workers=2, seed=0, seconds=10.0, deterministic=False,
                               wall_left=1.5)
    assert solver.parameters.max_time_in_seconds == 1.5
    solver = configured_solver(workers=2, seed=0, seconds=1.0, deterministic=False,
                               wall_left=-3.0)
    assert solver.parameters.max_time_in_seconds == pytest.approx(0.01)
