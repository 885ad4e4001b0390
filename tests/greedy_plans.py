"""Fast plans for tests that need one: the greedy baseline, pinned sessions kept."""

from __future__ import annotations

from domain.checker import check_plan
from domain.plan import Plan
from domain.scenario import Scenario
from scheduler.solve import solve_greedy


def greedy_plan(scenario: Scenario) -> Plan:
    """A checked plan by the greedy baseline (a plan the checker rejects fails the test)."""
    plan = solve_greedy(scenario)
    violations = check_plan(scenario, plan)
    assert violations == [], violations
    return plan
