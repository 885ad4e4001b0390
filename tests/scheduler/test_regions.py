"""Planning a national programme by region: the split, the joined plan, Ray beside in-process."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.checker import check_plan
from domain.errors import InputError
from domain.loading import load_plan, parse_scenario, scenario_sha256
from domain.plan import Plan, Stats
from domain.prefectures import prefecture_of
from domain.scenario import Scenario
from scheduler.regions import (
    MIN_PART_SECONDS,
    ONLINE_PART,
    PartResult,
    PartTask,
    RegionalOptions,
    part_time_limits,
    plan_by_region,
    plan_part,
    run_in_process,
    share_of_what_is_left,
    split_by_region,
)
from simulation.generator import generate_scenario

runner = CliRunner()
EMPTY_STATS = Stats(served=0, unserved=0, served_upper_bound=0, solver_status="",
                    wall_seconds=0.0)


@pytest.fixture(scope="module")
def national() -> Scenario:
    return parse_scenario(generate_scenario(240, 60, 3, "national", pinned=3))


def keeps_travel_rule(scenario: Scenario, plan: Plan) -> list[str]:
    """Sessions that break the national rule: onsite experts only in their prefecture,
    an online association's experts online-only ones."""
    broken = []
    for session in plan.sessions:
        association = scenario.association_by_id[session.association_id]
        for expert_id in session.expert_ids:
            expert = scenario.expert_by_id[expert_id]
            if association.mode == "online":
                ok = expert.modes == ["online"]
            else:
                ok = "onsite" in expert.modes and \
                    prefecture_of(expert.base_area) == association.prefecture
            if not ok:
                broken.append(f"{session.association_id} #{session.number} {expert_id}")
    return broken


def test_the_parts_share_nothing_and_hold_everything(national: Scenario) -> None:
    parts = split_by_region(national)
    names = [p.name for p in parts]
    assert len(names) == len(set(names)) and ONLINE_PART in names
    associations = [a.id for p in parts for a in p.scenario.associations]
    experts = [e.id for p in parts for e in p.scenario.experts]
    assert sorted(associations) == sorted(a.id for a in national.associations)
    assert sorted(experts) == sorted(e.id for e in national.experts)
    for part in parts:
        ids = {a.id for a in part.scenario.associations}
        for association in part.scenario.associations:
            expected = ONLINE_PART if association.mode == "online" else association.prefecture
            assert part.name == expected
        for expert in part.scenario.experts:
            assert set(expert.conflicts) <= ids
            assert part.name == (prefecture_of(expert.base_area) if "onsite" in expert.modes
                                 else ONLINE_PART)
        for pin in part.scenario.pinned:
            assert pin.association_id in ids
    assert sum(len(p.scenario.pinned) for p in parts) == len(national.pinned)
    # Largest first, so that parallel runs start with the longest part.
    accepted = [p.accepted for p in parts]
    assert accepted == sorted(accepted, reverse=True)


def test_a_tokyo_scenario_is_refused_naming_the_expert() -> None:
    tokyo = parse_scenario(generate_scenario(30, 8, 1, "balanced"))
    with pytest.raises(InputError) as caught:
        split_by_region(tokyo)
    first = caught.value.issues[0]
    onsite = next(e for e in tokyo.experts if "onsite" in e.modes)
    assert first.path == f"experts[{tokyo.experts.index(onsite)}] ({onsite.id}).base_area"
    assert "names no prefecture" in first.message


def test_a_pin_across_regions_is_refused(national: Scenario) -> None:
    pin = national.pinned[0]
    association = national.association_by_id[pin.association_id]
    stranger = next(e for e in national.experts if "onsite" in e.modes
                    and prefecture_of(e.base_area) != association.prefecture)
    moved = pin.model_copy(update={"expert_ids": [stranger.id]})
    broken = national.model_copy(update={"pinned": [moved, *national.pinned[1:]]})
    with pytest.raises(InputError) as caught:
        split_by_region(broken)
    assert caught.value.issues[0].path.startswith(f"pinned[0] ({pin.association_id} session 1)")
    assert stranger.id in caught.value.issues[0].message


def test_part_limits_share_the_time_by_applications() -> None:
    parts = split_by_region(parse_scenario(generate_scenario(240, 60, 3, "national")))
    limits = part_time_limits(parts, 100.0, 1)
    assert all(limit >= 1.0 for limit in limits)
    assert limits[0] == max(limits)  # the largest part gets the most
    assert part_time_limits(parts, 100.0, 4)[0] == pytest.approx(min(100.0, 4 * limits[0]),
                                                                  abs=0.02)


def test_in_process_each_part_gets_its_share_of_what_the_parts_before_it_left(
        national: Scenario) -> None:
    parts = split_by_region(national)
    ends_by = time.time() + 1000.0
    tasks = [PartTask(p.name, p.scenario, 1.0, ends_by=ends_by) for p in parts]
    total = sum(p.accepted for p in parts)
    first = share_of_what_is_left(tasks)
    assert first == pytest.approx(1000.0 * parts[0].accepted / total, rel=0.01)
    # Later, with the first part done: the rest share what is left among themselves.
    assert share_of_what_is_left(tasks[1:]) == pytest.approx(
        1000.0 * parts[1].accepted / (total - parts[0].accepted), rel=0.01)
    late = [PartTask(p.name, p.scenario, 30.0, ends_by=time.time() - 5) for p in parts]
    assert share_of_what_is_left(late) == MIN_PART_SECONDS
    # What run_in_process hands each part is that share, not the limit set up front.
    seen: list[float] = []

    def record(task: PartTask) -> PartResult:
        seen.append(task.time_limit)
        return PartResult(task.name, Plan(scenario_sha256="", sessions=[], unserved=[],
                                          stats=EMPTY_STATS), 0.0, 0.0, task.time_limit)

    run_in_process(record, tasks)
    assert seen[0] == pytest.approx(first, abs=0.5)
    assert seen[1] > 1.0  # not the 1 s set up front: a share of the 1000 s left


def test_a_part_that_starts_after_the_deadline_still_gets_a_checked_first_plan(
        national: Scenario) -> None:
    part = max(split_by_region(national), key=lambda p: p.accepted)
    result = plan_part(PartTask(part.name, part.scenario, 30.0, ends_by=time.time() - 1))
    assert result.time_limit == MIN_PART_SECONDS
    assert result.plan.stats.served > 0
    assert check_plan(part.scenario, result.plan) == []


def test_the_joined_plan_is_checked_and_keeps_the_travel_rule(national: Scenario) -> None:
    result = plan_by_region(national, RegionalOptions(time_limit=8), run_in_process)
    plan = result.plan
    assert check_plan(national, plan) == []
    assert keeps_travel_rule(national, plan) == []
    assert plan.scenario_sha256 == scenario_sha256(national)
    served = {s.association_id for s in plan.sessions}
    assert plan.stats.served == len(served) > 0
    assert plan.stats.served <= plan.stats.served_upper_bound <= len(national.accepted)
    assert len(plan.unserved) == len(national.associations) - len(served)
    regions = plan.stats.objectives["regions"]  # type: ignore[index]
    assert sum(r["served"] for r in regions) == plan.stats.served
    assert all(pin in plan.sessions for pin in national.pinned)
    assert "served" in result.summary()
    # Why each part stopped, in words that account for every part.
    detail = str(plan.parameters["stopped_detail"])  # type: ignore[index]
    counted = re.findall(r"(\d+) ([a-z ]+?)(?:,|$)", detail.removeprefix("every part ended: "))
    assert sum(int(count) for count, _ in counted) == len(regions), detail
    assert not any("_" in words for _, words in counted), detail
    words = {w: int(count) for count, w in counted}
    empty = sum(1 for r in regions if r["associations"] == 0)
    unservable = sum(1 for r in regions if r["associations"] and r["served_upper_bound"] == 0)
    assert words.get("nothing to plan", 0) == empty, detail
    assert words.get("nobody servable", 0) == unservable, detail


def test_ray_with_two_workers_gives_the_in_process_plan() -> None:
    ray = pytest.importorskip("ray")
    from simulation.executor import RayCluster
    scenario = parse_scenario(generate_scenario(600, 120, 1, "national"))
    # Fixed shares: the same deterministic work in both, so the same plans.
    here = plan_by_region(scenario, RegionalOptions(time_limit=12, fixed_shares=True),
                          run_in_process).plan
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with RayCluster("local", local_cpus=2, reuse_workers=True) as cluster:
            assert int(ray.cluster_resources()["CPU"]) == 2
            there = plan_by_region(scenario, RegionalOptions(
                time_limit=12, description=cluster.description, fixed_shares=True),
                cluster.map).plan
    finally:
        ray.shutdown()
    for plan in (here, there):
        assert check_plan(scenario, plan) == []
        assert keeps_travel_rule(scenario, plan) == []
    # One deterministic CP-SAT worker per part: the same parts plan alike wherever they
    # run; a part that the wall clock cut short on a loaded machine may differ a little.
    assert there.stats.served == here.stats.served
    assert there.stats.served_upper_bound == here.stats.served_upper_bound
    assert there.stats.secondary_need_coverage == pytest.approx(
        here.stats.secondary_need_coverage, abs=0.02)
    assert there.stats.mean_gap_deviation_days == pytest.approx(
        here.stats.mean_gap_deviation_days, abs=0.3)


def test_cli_plans_by_region_and_refuses_a_tokyo_scenario(tmp_path: Path) -> None:
    scenario_path = tmp_path / "national.json"
    scenario_path.write_text(json.dumps(generate_scenario(120, 40, 4, "national"),
                                        ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "plan.json"
    done = runner.invoke(app, ["plan", str(scenario_path), "-o", str(out), "--by-region",
                               "--time-limit", "6"])
    assert done.exit_code == 0, done.output
    assert "by region" in done.output
    scenario = parse_scenario(json.loads(scenario_path.read_text(encoding="utf-8")))
    assert check_plan(scenario, load_plan(out)) == []

    tokyo_path = tmp_path / "tokyo.json"
    tokyo_path.write_text(json.dumps(generate_scenario(20, 6, 1, "balanced"),
                                     ensure_ascii=False), encoding="utf-8")
    refused = tmp_path / "refused.json"
    done = runner.invoke(app, ["plan", str(tokyo_path), "-o", str(refused), "--by-region"])
    assert done.exit_code == 2
    assert "base_area" in done.output and "names no prefecture" in done.output
    assert not refused.exists()
