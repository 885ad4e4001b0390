"""``haken size``: experts needed per volume, by simulation; the executors behind sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from simulation.executor import LocalPool, RayCluster
from simulation.generator import generate_expert_pool
from simulation.sizing import (
    KindTask,
    _bisect,
    applications,
    expert_kinds,
    size,
    size_kind,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_kinds_join_qualifications_that_cover_one_need() -> None:
    kinds = {k.key: k for k in expert_kinds("balanced")}
    assert list(kinds) == ["labour_law", "management", "mental_health", "training"]
    assert kinds["mental_health"].qualifications == ("industrial_counselor", "psychologist")
    assert kinds["mental_health"].ja == "産業カウンセラー・公認心理師"
    company = {k.key: k for k in expert_kinds("company")}
    assert company["legal"].qualifications == ("bengoshi",)
    assert company["legal"].ja == "弁護士"


def test_volumes_are_nested() -> None:
    by_volume = applications("balanced", 3, [10, 25, 40])
    ids = {n: [r["id"] for r in records] for n, records in by_volume.items()}
    assert [len(ids[n]) for n in (10, 25, 40)] == [10, 25, 40]
    assert set(ids[10]) < set(ids[25]) < set(ids[40])
    assert ids[40] == sorted(ids[40])  # in order of application


def test_expert_pools_hold_one_qualification_of_the_kind_and_grow_by_prefix() -> None:
    pool = generate_expert_pool(12, 1, "company", ["industrial_counselor", "psychologist"])
    assert {tuple(e["qualifications"]) for e in pool} == {("industrial_counselor",),
                                                         ("psychologist",)}
    assert generate_expert_pool(12, 1, "company", ["psychologist", "industrial_counselor"]) == pool
    with pytest.raises(ValueError, match="not in profile"):
        generate_expert_pool(3, 1, "balanced", ["bengoshi"])


@pytest.mark.parametrize(("low", "high", "threshold", "expected"),
                         [(0, 10, 4, 4), (0, 10, 0, 0), (5, 10, 3, 5), (0, 1, 1, 1), (3, 9, 9, 9)])
def test_bisect_finds_the_smallest_enough_count(low: int, high: int, threshold: int,
                                                expected: int) -> None:
    calls: list[int] = []

    def enough(k: int) -> bool:
        calls.append(k)
        return k >= threshold

    assert _bisect(low, high, enough) == expected
    assert len(calls) <= 6


def test_one_kind_never_needs_fewer_experts_for_more_applications() -> None:
    kind = {k.key: k for k in expert_kinds("scarce_experts")}["labour_law"]
    result = size_kind(KindTask("scarce_experts", 2, kind, (6, 12, 18, 24), 0.9))
    counts = [s.experts for s in result.sizes]
    assert counts == sorted(counts) and counts[-1] > 0
    for s in result.sizes:
        assert s.at_least <= s.experts
        assert s.served >= s.target >= 0.9 * s.servable
        assert s.servable <= s.applications


def test_haken_size_on_a_tiny_sweep(tmp_path: Path) -> None:
    plot, figures = tmp_path / "size.png", tmp_path / "size.json"
    result = CliRunner().invoke(app, [
        "size", "--applications", "12,6,18", "--profile", "company", "--seeds", "1",
        "--service-level", "0.9", "--time-limit", "1", "--workers", "2",
        "-o", str(plot), "--json", str(figures),
    ])
    assert result.exit_code == 0, result.output
    assert "弁護士 legal" in result.output and "applications" in result.output
    assert "greedy" in result.output and "planner" in result.output  # says what was used
    assert plot.read_bytes().startswith(PNG)
    data = json.loads(figures.read_text(encoding="utf-8"))
    assert data["volumes"] == [6, 12, 18]
    rows = data["rows"]
    for kind in data["kinds"]:
        counts = [row["experts"][kind["key"]] for row in rows]
        assert counts == sorted(counts), kind["key"]
        assert all(row["at_least"][kind["key"]] <= row["experts"][kind["key"]] for row in rows)
    for kind_result in data["kind_results"]:
        counts = [s["experts"] for s in kind_result["sizes"]]
        assert counts == sorted(counts)
    totals = [row["total"] for row in rows]
    assert totals == sorted(totals) and totals[0] > 0
    # The planner planned every combined pool, and the checker found nothing wrong.
    assert len(data["confirmations"]) == 3
    for check in data["confirmations"]:
        assert check["violations"] == 0
        assert check["planner_served"] is not None
        assert check["planner_served"] <= check["planner_bound"] <= check["accepted"]
    assert all(row["confirmed"] is not None for row in rows)


@pytest.mark.parametrize(("arguments", "message"), [
    (["--applications", "10,x"], "--applications"),
    (["--applications", "0,10"], "positive"),
    (["--profile", "crowded"], "unknown profile 'crowded'"),
])
def test_haken_size_refuses_bad_input_and_writes_nothing(
        tmp_path: Path, arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["size", *arguments, "-o", str(tmp_path / "p.png"),
                                      "--json", str(tmp_path / "f.json")])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_local_pool_runs_tasks_in_order_in_fresh_processes() -> None:
    with LocalPool(2) as pool:
        seen: list[int] = []
        results = pool.map(_pid_and_square, [1, 2, 3, 4], lambda i, _: seen.append(i))
    assert [square for _, square in results] == [1, 4, 9, 16]
    assert len({pid for pid, _ in results}) == 4  # one process per task
    assert sorted(seen) == [0, 1, 2, 3]


def _pid_and_square(value: int) -> tuple[int, int]:
    import os

    return os.getpid(), value * value


def test_a_tiny_sweep_on_a_local_ray_instance() -> None:
    pytest.importorskip("ray", reason="Ray is the optional extra haken[ray]; not installed")
    with RayCluster("local", local_cpus=2) as cluster:
        sizing = size([4, 8], "balanced", [1], 0.9, 0.0, 1, cluster)
        assert cluster.description == "local Ray instance, 2 CPUs"
    assert [row.volume for row in sizing.rows] == [4, 8]
    assert sizing.executor == "local Ray instance, 2 CPUs"
    for kind in sizing.kinds:
        assert sizing.rows[0].experts[kind.key] <= sizing.rows[1].experts[kind.key]
    assert all(row.confirmed is None for row in sizing.rows)  # time limit 0: planner skipped
    assert all(c.violations == 0 for c in sizing.confirmations)
