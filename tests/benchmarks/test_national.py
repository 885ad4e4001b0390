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
    lines = done.stdout.splitlines()
    # Cells by the header's names, so a column added to the table cannot shift them.
    header = [cell.strip() for cell in next(line for line in lines
                                            if line.startswith("| run |")).split("|")]
    rows = {}
    for line in lines:
        if line.startswith(("| in_process", "| whole")):
            cells = dict(zip(header, (cell.strip() for cell in line.split("|")), strict=True))
            rows[cells["run"]] = cells
    assert set(rows) == {"in_process", "whole"}
    for cells in rows.values():
        served, bound = (int(x) for x in cells["served / bound"].split(" / "))
        assert 0 < served <= bound
        assert cells["violations"] == "0"
        assert float(cells["check s"]) >= 0 and float(cells["load s"]) >= 0
    written = list(tmp_path.glob("*-national-90x30.md"))
    assert len(written) == 1 and "| in_process |" in written[0].read_text(encoding="utf-8")
