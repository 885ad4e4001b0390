"""``haken check`` and ``haken export`` given the wrong scenario, and the help texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.loading import parse_scenario
from simulation.generator import generate_scenario
from tests.greedy_plans import greedy_plan

runner = CliRunner()


def unknown_ids(lines: list[str]) -> int:
    """Lines about ids the scenario does not have (the checker's and the exporter's words)."""
    return sum("not in the scenario" in line or "unknown expert" in line for line in lines)


@pytest.fixture(scope="module")
def wrong_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A plan for one scenario, and another scenario whose ids differ: every session of
    the plan names an expert the other does not have."""
    folder = tmp_path_factory.mktemp("wrong")
    made_for = parse_scenario(generate_scenario(12, 5, seed=3))
    other = generate_scenario(12, 5, seed=3)
    for record in other["experts"]:
        record["id"] = f"X{record['id']}"
    for record in other["associations"]:
        record.pop("conflicts", None)
    plan = greedy_plan(made_for)
    plan_path, other_path = folder / "plan.json", folder / "other.json"
    plan_path.write_text(plan.model_dump_json(exclude_none=True), encoding="utf-8")
    other_path.write_text(json.dumps(other), encoding="utf-8")
    assert len(plan.sessions) > 10
    return other_path, plan_path


def test_check_says_the_scenario_differs_first_and_stops_the_flood(
        wrong_pair: tuple[Path, Path]) -> None:
    scenario, plan = wrong_pair
    result = runner.invoke(app, ["check", str(scenario), str(plan)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "scenario_sha256" in lines[0], lines[:3]
    assert unknown_ids(lines) <= 5
    assert any(line.startswith("... and ") and "--all" in line for line in lines)
    every = runner.invoke(app, ["check", str(scenario), str(plan), "--all"])
    assert unknown_ids(every.output.splitlines()) > 5


def test_export_says_the_scenario_differs_first(wrong_pair: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    scenario, plan = wrong_pair
    result = runner.invoke(app, ["export", str(scenario), str(plan), "-o",
                                 str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert "scenario_sha256" in lines[0], lines[:3]
    assert unknown_ids(lines) <= 5
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("command", [[], ["plan"], ["check"], ["serve"], ["export"],
                                     ["token", "create"], ["size"]])
def test_help_shows_no_type_beside_plain_flags(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "--help" in result.output


def test_serve_help_names_the_console() -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert "console" in result.output and "API" in result.output
