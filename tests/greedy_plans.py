"""Fast plans for tests that need one: the greedy baseline, pinned sessions kept."""

from __future__ import annotations

from domain.checker import check_plan
from domain.loading import scenario_sha256
from domain.plan import Plan
from domain.scenario import Scenario
from matcher.core import match
from matcher.encoding import encode
from scheduler.greedy import plan_greedy
from scheduler.solution import build_plan
from scheduler.solve import pinned_sessions


def greedy_plan(scenario: Scenario) -> Plan:
    """A checked plan by the greedy baseline (a plan the checker rejects fails the test)."""
    enc = encode(scenario)
    matching = match(enc)
    solution = plan_greedy(enc, matching, pinned_sessions(enc))
    plan = build_plan(enc, matching, solution, scenario_hash=scenario_sha256(scenario),
                      upper_bound=matching.upper_bound, solver_status="GREEDY",
                      wall_seconds=0.0)
    violations = check_plan(scenario, plan)
    assert violations == [], violations
    return plan
