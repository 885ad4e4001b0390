"""``haken recommend`` as a user runs it: options as JSON, each passing ``haken check``
with the plan; bad input named, exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.checker import check_plan
from domain.loading import load_plan, load_scenario
from domain.plan import Plan, Session
from scheduler.solve import solve_greedy
from tests.cli.test_main import PLANNER, WEB_STACK, loaded_packages
from tests.scenarios import PROGRAMME, association, expert

runner = CliRunner()


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A scenario, its greedy plan, and that plan with A2 left out (listed unserved)."""
    scenario_path = write(tmp_path / "s.json", {
        "programme": dict(PROGRAMME),
        "experts": [expert("E1"), expert("E2", qualifications=["psychologist"])],
        "associations": [association("A1"), association(
            "A2", needs=["labour_law", "mental_health"], sessions_requested=3)],
        "pinned": []})
    scenario = load_scenario(scenario_path)
    plan = solve_greedy(scenario)
    assert check_plan(scenario, plan) == []
    plan_path = write(tmp_path / "plan.json", plan.model_dump(mode="json"))
    left_out = plan.model_dump(mode="json")
    left_out["sessions"] = [s for s in left_out["sessions"] if s["association_id"] != "A2"]
    left_out["unserved"].append({"association_id": "A2", "reason": "capacity"})
    return scenario_path, plan_path, write(tmp_path / "left-out.json", left_out)


def taken(plan_path: Path, option: dict[str, Any]) -> Path:
    """The plan with the option taken, as a user would write it for ``haken check``."""
    plan = load_plan(plan_path)
    sessions = [Session.model_validate(s) for s in option["sessions"]]
    replaced = {(s.association_id, s.number) for s in sessions}
    document = plan.model_dump(mode="json")
    document["sessions"] = [s.model_dump(mode="json") for s in plan.sessions
                            if (s.association_id, s.number) not in replaced]
    document["sessions"] += [s.model_dump(mode="json") for s in sessions]
    document["unserved"] = [u for u in document["unserved"]
                            if u["association_id"] != sessions[0].association_id]
    out = plan_path.with_name(f"taken-{option['rank']}.json")
    Plan.model_validate(document)
    return write(out, document)


def test_options_for_a_left_out_association_pass_haken_check(
        files: tuple[Path, Path, Path]) -> None:
    scenario_path, _, left_out = files
    out = left_out.with_name("options.json")
    result = runner.invoke(app, ["recommend", str(scenario_path), str(left_out),
                                 "--association", "A2", "-k", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert list(document) == ["association_id", "options", "unserved_reason"]
    assert document["association_id"] == "A2" and document["unserved_reason"] is None
    assert [o["rank"] for o in document["options"]] == [1, 2]
    for option in document["options"]:
        assert list(option) == ["rank", "sessions", "impact", "reasons"]
        assert set(option["reasons"]) == {"ja", "en"}
        assert len(option["sessions"]) == 3
        check = runner.invoke(app, ["check", str(scenario_path), str(taken(left_out, option))])
        assert check.exit_code == 0, check.output


def test_move_prints_other_dates_for_the_session(files: tuple[Path, Path, Path]) -> None:
    scenario_path, plan_path, _ = files
    result = runner.invoke(app, ["recommend", str(scenario_path), str(plan_path),
                                 "--move", "A2:2"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["session_number"] == 2 and document["options"]
    before = {(s.association_id, s.number): s for s in load_plan(plan_path).sessions}
    for option in document["options"]:
        assert option["sessions"][0]["number"] == 2
        moved = Session.model_validate(option["sessions"][0])
        assert (moved.date, moved.start) != (before["A2", 2].date, before["A2", 2].start)
        check = runner.invoke(app, ["check", str(scenario_path), str(taken(plan_path, option))])
        assert check.exit_code == 0, check.output


def test_no_option_prints_the_reason(tmp_path: Path) -> None:
    scenario_path = write(tmp_path / "s.json", {
        "programme": dict(PROGRAMME), "experts": [expert("E1")],
        "associations": [association("A1", needs=["mental_health"])], "pinned": []})
    plan = solve_greedy(load_scenario(scenario_path))
    plan_path = write(tmp_path / "plan.json", plan.model_dump(mode="json"))
    result = runner.invoke(app, ["recommend", str(scenario_path), str(plan_path),
                                 "--association", "A1"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["options"] == []
    assert document["unserved_reason"]["reason"] == "no_qualified_expert"
    assert document["unserved_reason"]["detail"] == plan.unserved[0].detail


@pytest.mark.parametrize(("arguments", "words"), [
    (["--association", "A9"], "--association: no association 'A9' in the scenario"),
    (["--association", "A1"], "served by the plan already"),
    (["--move", "A1"], "--move: 'A1' is not ASSOCIATION:N"),
    (["--move", "A1:7"], "--move: A1 has sessions 1 to 2, not 7"),
    ([], "give exactly one of --association ID and --move ASSOCIATION:N"),
    (["--association", "A2", "--move", "A1:1"], "give exactly one"),
])
def test_bad_questions_are_named_exit_2_and_write_nothing(
        files: tuple[Path, Path, Path], arguments: list[str], words: str) -> None:
    scenario_path, plan_path, _ = files
    out = plan_path.with_name("never.json")
    result = runner.invoke(app, ["recommend", str(scenario_path), str(plan_path),
                                 *arguments, "-o", str(out)])
    assert result.exit_code == 2
    assert words in result.stderr
    assert not out.exists()


def test_a_bad_plan_file_is_named(files: tuple[Path, Path, Path]) -> None:
    scenario_path, plan_path, _ = files
    plan_path.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["recommend", str(scenario_path), str(plan_path),
                                 "--association", "A2"])
    assert result.exit_code == 2
    assert str(plan_path) in result.stderr


def test_recommend_loads_the_planner_and_nothing_of_the_web_stack(
        files: tuple[Path, Path, Path]) -> None:
    scenario_path, _, left_out = files
    loaded = loaded_packages("recommend", str(scenario_path), str(left_out),
                             "--association", "A2")
    assert {"scheduler", "matcher"} <= loaded
    assert not loaded & set(WEB_STACK)
    assert "ortools" in PLANNER
