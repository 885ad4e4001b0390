"""``python -m benchmarks national``: generated, planned by region and as one, all checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT


def test_national_benchmark_reports_every_run_checked(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "national", "--associations", "90",
         "--experts", "30", "--time-limit", "4", "--whole", "--results-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = {line.split("|")[1].strip(): line for line in done.stdout.splitlines()
            if line.startswith(("| in_process", "| whole"))}
    assert set(rows) == {"in_process", "whole"}
    for row in rows.values():
        cells = [cell.strip() for cell in row.split("|")]
        served, bound = (int(x) for x in cells[3].split(" / "))
        assert 0 < served <= bound
        assert cells[11] == "0"  # rule violations
    written = list(tmp_path.glob("*-national-90x30.md"))
    assert len(written) == 1 and "| in_process |" in written[0].read_text(encoding="utf-8")
