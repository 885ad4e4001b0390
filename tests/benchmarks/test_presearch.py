"""Pre-search phases and the whole `haken plan`, this tree beside another (here itself)."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import ROOT


def _benchmarks(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmarks", *arguments], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_presearch_against_the_same_tree_makes_the_same_plans() -> None:
    done = _benchmarks("presearch", "--baseline", str(ROOT), "--instance", "balanced:8x3:1",
                       "--repeats", "1")
    assert done.returncode == 0, done.stderr
    assert "Same arrays, bound and first plans in both trees: yes" in done.stdout
    for phase in ("encode", "match", "greedy", "decomposed", "total"):
        assert f"| {phase} |" in done.stdout


def test_wall_times_the_whole_command_against_its_limit() -> None:
    done = _benchmarks("wall", "--baseline", str(ROOT), "--instance", "balanced:8x3:1",
                       "--time-limit", "2", "--repeats", "1")
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith(("| baseline",
                                                                          "| current"))]
    assert len(rows) == 2
    assert all("| 3 |" in row or "| 2 |" in row or "| 1 |" in row for row in rows), rows


def test_a_baseline_that_is_no_source_tree_is_refused(tmp_path: object) -> None:
    done = _benchmarks("presearch", "--baseline", str(tmp_path))
    assert done.returncode == 2
    assert "not a Haken source tree" in done.stderr
