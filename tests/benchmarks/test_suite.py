"""The benchmark suite: suites as data, the runner's results file and plots, the README table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.suite import (
    PERF_END,
    PERF_START,
    README,
    SUITES,
    latest_results,
    readme_results,
)
from simulation.profiles import PROFILES
from tests.paths import ROOT

PNG = b"\x89PNG\r\n\x1a\n"


def _benchmarks(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmarks", *arguments], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_suites_are_fixed_data() -> None:
    assert {"micro", "quick", "full"} <= set(SUITES)
    for suite in SUITES.values():
        names = [i.name for i in suite.instances]
        assert len(names) == len(set(names)), suite.name
        assert all(i.profile in PROFILES and i.time_limit > 0 for i in suite.instances)
    full = {(i.associations, i.experts): i.time_limit for i in SUITES["full"].instances}
    # The 10 and 30 minutes are wall time: the search leaves room to read,
    # match and write within them.
    assert 500 <= full[2000, 400] < 600 and 1600 <= full[5000, 1000] < 1800
    scale = {(i.profile, i.associations, i.experts): i.time_limit
             for i in SUITES["scale"].instances}
    assert scale == {("balanced", 2000, 400): full[2000, 400],
                     ("company", 2000, 400): full[2000, 400],
                     ("balanced", 5000, 1000): full[5000, 1000]}
    assert max(i.associations for i in SUITES["quick"].instances) <= 120
    assert {"balanced", "company"} <= {i.profile for i in SUITES["quick"].instances}


def test_latest_results_prefers_the_newest_date_then_the_full_suite(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no goal, quick or full results"):
        latest_results(tmp_path)
    for name in ("2026-01-05-quick.md", "2026-01-04-full.md", "2026-01-09-micro.md", "notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert latest_results(tmp_path).name == "2026-01-05-quick.md"
    (tmp_path / "2026-01-05-full.md").write_text("x", encoding="utf-8")
    assert latest_results(tmp_path).name == "2026-01-05-full.md"


def test_the_readme_shows_the_latest_scale_results_beside_a_goal_run(tmp_path: Path) -> None:
    for name in ("2026-01-05-goal.md", "2026-01-03-scale.md", "2026-01-04-scale.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in readme_results(tmp_path)] == ["2026-01-05-goal.md",
                                                          "2026-01-04-scale.md"]
    (tmp_path / "2026-01-06-full.md").write_text("x", encoding="utf-8")  # has every size
    assert [p.name for p in readme_results(tmp_path)] == ["2026-01-06-full.md"]


def test_the_readme_has_the_performance_markers() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(PERF_START) == 1 and text.count(PERF_END) == 1
    assert text.index(PERF_START) < text.index(PERF_END)


def test_micro_suite_writes_results_plots_and_the_readme_table(tmp_path: Path) -> None:
    results = tmp_path / "results"
    run = _benchmarks("run", "--suite", "micro", "--results-dir", str(results))
    assert run.returncode == 0, run.stderr
    (path,) = results.glob("*-micro.md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results: suite `micro`")
    machine = next(line for line in text.splitlines() if line.startswith("Machine: "))
    assert "cores" in machine and "GiB" in machine and "Python" in machine
    assert "OR-Tools" in machine
    rows = [line for line in text.splitlines() if line.startswith("| ")][2:]
    assert [row.split(" | ")[0] for row in rows] == ["| balanced-8x3-s1", "| company-10x4-s1"]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        greedy, haken = (int(x) for x in cells[1].split(" / "))
        assert greedy <= int(cells[2]) and haken <= int(cells[2])  # never above the bound
        assert float(cells[9].split(" / ")[1]) > 0  # peak memory measured
        assert cells[-1] == "0"  # both plans pass the checker
    for plot in ("served", "time"):
        (image,) = results.glob(f"*-micro-{plot}.png")
        assert image.read_bytes().startswith(PNG)

    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n{PERF_START}\nold table\n{PERF_END}\nafter\n",
                      encoding="utf-8")
    rewritten = _benchmarks("readme", "--readme", str(readme), "--results", str(path))
    assert rewritten.returncode == 0, rewritten.stderr
    new = readme.read_text(encoding="utf-8")
    assert new.startswith(f"# Title\n\nbefore\n{PERF_START}\n")
    assert new.endswith(f"\n{PERF_END}\nafter\n")
    assert "old table" not in new
    assert machine in new and rows[0] in new and rows[1] in new


def test_readme_without_markers_is_refused_and_left_alone(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nno markers\n", encoding="utf-8")
    results = tmp_path / "2026-01-05-quick.md"
    results.write_text("Machine: m.\n\n<!-- table:start -->\n| a |\n<!-- table:end -->\n",
                       encoding="utf-8")
    run = _benchmarks("readme", "--readme", str(readme), "--results-dir", str(tmp_path))
    assert run.returncode == 2
    assert "needs one <!-- perf:start -->" in run.stderr
    assert readme.read_text(encoding="utf-8") == "# Title\n\nno markers\n"
