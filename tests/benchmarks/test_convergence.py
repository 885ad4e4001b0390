"""The convergence benchmark: each improvement with its time, plotted per size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from benchmarks.convergence import ConvergenceTask, run_trajectory, write_convergence
from benchmarks.suite import SUITES

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_trajectory_is_recorded_checked_and_plotted(tmp_path: Path) -> None:
    suite = SUITES["micro"]
    trajectories = [run_trajectory(ConvergenceTask(instance, workers=1))
                    for instance in suite.instances]
    for t in trajectories:
        assert t.violations == 0
        assert t.points, "the search reports at least the figures it starts from"
        seconds = [p.seconds for p in t.points]
        assert seconds == sorted(seconds)
        assert all(0 <= p.coverage <= 1 and p.gap_deviation >= 0 for p in t.points)
        if t.final_coverage is not None:  # the last point is the plan written
            assert t.final_coverage == pytest.approx(t.points[-1].coverage, abs=1e-4)
        assert t.stopped in ("time_limit", "no_improvement", "at_bound", "nothing_left")
        assert t.served <= t.bound
    day = dt.date(2026, 1, 2)
    path = write_convergence(suite, trajectories, tmp_path, "test pool", day)
    text = path.read_text(encoding="utf-8")
    assert path.name == "2026-01-02-convergence-micro.md"
    assert "Machine: " in text and "python -m benchmarks convergence --suite micro" in text
    for instance in suite.instances:
        assert instance.name in text
        image = tmp_path / f"2026-01-02-convergence-{instance.associations}x{instance.experts}.png"
        assert image.read_bytes().startswith(PNG)
        assert image.name in text


def test_the_speed_suite_holds_the_issues_goals() -> None:
    speed = {(i.profile, i.associations, i.experts, i.seed): i.time_limit
             for i in SUITES["speed"].instances}
    goal = {(i.profile, i.associations, i.experts, i.seed) for i in SUITES["goal"].instances}
    assert goal <= set(speed) and all(speed[key] == 10.0 for key in goal)
    assert speed[("balanced", 2000, 400, 1)] == 15.0
    assert speed[("scarce_experts", 2000, 400, 1)] == 120.0
