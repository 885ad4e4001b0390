"""``haken plan`` as a user runs it: bad input is named, exits 2 and writes nothing."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.commands.common import write_atomically
from cli.main import app
from domain.checker import check_plan
from domain.loading import load_plan, load_scenario
from simulation.generator import generate_scenario
from tests.scenarios import PROGRAMME, association, expert

runner = CliRunner()


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def good_document() -> dict[str, Any]:
    return {"programme": dict(PROGRAMME), "experts": [expert("E1")],
            "associations": [association("A1"), association("A2")], "pinned": []}


def test_plan_writes_a_checked_plan(tmp_path: Path) -> None:
    scenario_path = write(tmp_path / "s.json", good_document())
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(scenario_path), "-o", str(out), "--time-limit", "3",
                                 "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert "served 2 / upper bound 2" in result.output
    plan = load_plan(out)
    assert check_plan(load_scenario(scenario_path), plan) == []
    check = runner.invoke(app, ["check", str(scenario_path), str(out)])
    assert check.exit_code == 0, check.output


def test_plan_says_why_and_when_it_stopped(tmp_path: Path) -> None:
    scenario_path = write(tmp_path / "s.json", generate_scenario(24, 6, 1, "balanced"))
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(scenario_path), "-o", str(out), "--time-limit", "60",
                                 "--workers", "1", "--seed", "1", "--stall-seconds", "0.3"])
    assert result.exit_code == 0, result.output
    assert "[stopped]" in result.output  # the progress lines say it too
    assert "stopped: nothing better for" in result.output
    assert "last improvement at" in result.output
    plan = load_plan(out)
    assert plan.parameters is not None and plan.parameters["stopped"] == "no_improvement"
    assert plan.parameters["stall_seconds"] == 0.3
    assert plan.stats.objectives is not None
    assert plan.stats.objectives["improve"]["last_improvement_seconds"] >= 0
    assert check_plan(load_scenario(scenario_path), plan) == []


def test_a_stall_limit_must_be_positive(tmp_path: Path) -> None:
    scenario_path = write(tmp_path / "s.json", good_document())
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(scenario_path), "-o", str(out),
                                 "--stall-seconds", "0"])
    assert result.exit_code == 2
    assert "--stall-seconds" in result.output
    assert not out.exists()


@pytest.mark.parametrize("flag,decomposed", [("--decompose", True), ("--single-model", False)])
def test_stage_one_can_be_chosen(tmp_path: Path, flag: str, decomposed: bool) -> None:
    scenario_path = write(tmp_path / "s.json", good_document())
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(scenario_path), "-o", str(out), "--time-limit", "2",
                                 "--workers", "1", "-q", flag])
    assert result.exit_code == 0, result.output
    plan = load_plan(out)
    assert plan.parameters is not None and plan.parameters["decomposed"] is decomposed
    assert check_plan(load_scenario(scenario_path), plan) == []
    # No secondary needs here: nothing to bound.
    assert "secondary-need coverage n/a (at most n/a for those served)" in result.output


def _broken(change: str) -> dict[str, Any]:
    document = good_document()
    experts, associations = document["experts"], document["associations"]
    if change == "window":
        associations[1]["availability"] = {"weekly": {"tue": [["10:00", "09:00"]]}}
    elif change == "weekday":
        associations[1]["availability"] = {"weekly": {"tues": [["10:00", "12:00"]]}}
    elif change == "duplicate":
        associations[1]["id"] = "A1"
    elif change == "conflict":
        experts[0]["conflicts"] = ["A404"]
    elif change == "pinned":
        document["pinned"] = [{"association_id": "A1", "number": 1, "phase": "action_plan",
                               "expert_ids": ["E9"], "date": "2025-09-10", "start": "10:00",
                               "end": "11:00", "mode": "online"}]
    elif change == "too_many":
        associations[1]["sessions_requested"] = 6
    elif change == "minutes":
        associations[1]["session_minutes"] = 150
    elif change == "time":
        associations[1]["availability"] = {"weekly": {"tue": [["10:00", "25:00"]]}}
    elif change == "date":
        associations[1]["decided_on"] = "2025-13-01"
    elif change == "unknown_field":
        associations[1]["colour"] = "red"
    elif change == "missing":
        del associations[1]["needs"]
    return document


@pytest.mark.parametrize("change,expected", [
    ("window", "associations[1] (A2).availability.weekly.tue[0]: end 09:00 is before start 10:00"),
    ("weekday", "associations[1] (A2).availability.weekly.tues: unknown weekday 'tues'"),
    ("duplicate", "associations[1] (A1).id: duplicate id 'A1'"),
    ("conflict", "experts[0] (E1).conflicts[0]: unknown association 'A404'"),
    ("pinned", "pinned[0] (A1).expert_ids[0]: unknown expert 'E9'"),
    ("too_many", "associations[1] (A2).sessions_requested: 6 is above the programme's "
                 "max_sessions 5"),
    ("minutes", "associations[1] (A2).session_minutes: 150 is outside the programme's range"),
    ("time", "associations[1] (A2).availability.weekly.tue[0][1]: '25:00' is not a clock time"),
    ("date", "associations[1] (A2).decided_on: '2025-13-01' is not a calendar date"),
    ("unknown_field", "associations[1] (A2).colour: unknown field"),
    ("missing", "associations[1] (A2).needs: missing required field"),
])
def test_bad_input_is_named_and_nothing_is_written(
    tmp_path: Path, change: str, expected: str
) -> None:
    scenario_path = write(tmp_path / "s.json", _broken(change))
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(scenario_path), "-o", str(out), "--time-limit", "2"])
    assert result.exit_code == 2
    assert expected in result.output
    assert list(tmp_path.iterdir()) == [scenario_path]


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(bad), "-o", str(tmp_path / "p.json")])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    result = runner.invoke(app, ["plan", str(tmp_path / "none.json"), "-o", str(tmp_path / "p")])
    assert result.exit_code == 2 and "file not found" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def _start_plan(tmp_path: Path, out: Path) -> subprocess.Popen[str]:
    scenario_path = tmp_path / "s.json"
    write(scenario_path, generate_scenario(80, 20, 5, "balanced"))
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "plan", str(scenario_path), "-o", str(out),
         "--time-limit", "300"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_progress(process: subprocess.Popen[str]) -> None:
    """Wait until the search has reported a solution (a line on stderr)."""
    assert process.stderr is not None
    while True:
        line = process.stderr.readline()
        assert line, "haken plan ended before reporting progress"
        if "[service]" in line or "[improve]" in line:
            return


def test_ctrl_c_stops_with_the_best_plan_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    process = _start_plan(tmp_path, out)
    _wait_for_progress(process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "plan written" in stdout
    assert check_plan(load_scenario(tmp_path / "s.json"), load_plan(out)) == []


def test_a_second_ctrl_c_leaves_a_whole_checked_plan_or_none(tmp_path: Path) -> None:
    """The second Ctrl-C aborts; if the plan was written by then, it is whole and checked,
    and otherwise there is no file, not even a temporary one."""
    out = tmp_path / "plan.json"
    process = _start_plan(tmp_path, out)
    _wait_for_progress(process)
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)  # two signals at once are delivered as one
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=120)
    assert list(tmp_path.glob(".plan.json.*")) == []
    if process.returncode == 0:
        assert out.exists()
    if out.exists():  # written before the second Ctrl-C came: whole and checked
        assert check_plan(load_scenario(tmp_path / "s.json"), load_plan(out)) == []


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    """A new file is 0666 less the umask, as open() makes it; a replaced one keeps its mode."""
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        write_atomically(fresh, b"{}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.json"
        kept.write_bytes(b"")
        kept.chmod(0o640)
        write_atomically(kept, b"{}")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_bytes() == b"{}"
    finally:
        os.umask(umask)


def test_progress_off_a_terminal_keeps_whole_lines_in_the_summary_words(tmp_path: Path) -> None:
    """A log or pipe gets one whole line per improvement (never cut at 80 columns), with
    the industry figure a share as in the summary, and no unexplained "kept"."""
    scenario_path = write(tmp_path / "s.json", generate_scenario(10, 4, seed=1))
    result = runner.invoke(app, ["plan", str(scenario_path), "-o", str(tmp_path / "p.json"),
                                 "--time-limit", "3", "--workers", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    progress = [line for line in lines if line.startswith(("[service]", "[improve]"))]
    assert progress, lines
    improving = [line for line in progress if line.startswith("[improve]")]
    assert improving, lines
    for line in improving:
        assert "; needs covered" in line and len(line) > 80, line
        assert "industry match 0." in line or "industry match 1.00" in line, line
        assert "kept" not in line, line  # no published plan: nothing to keep
    # Every line is one of ours: progress, why it stopped, the summary, or the file written.
    starts = ("[service]", "[improve]", "[stopped]", "served ", "solver ", "secondary-need",
              "stopped: ", "plan written")
    assert all(line.startswith(starts) for line in lines if line), lines
