"""The house's arrows point one way: DESIGN.md's dependency rules, read from the code.

Every module's imports are read with ``ast`` (at module level and inside functions
alike, since a late import is still an arrow). The test fails on an import one room
may not make of another, on any loop between files, and on a loop between the
folders of one room (``service/api`` and ``service/console``), naming the files
and lines.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import ROOT

# DESIGN.md, "The way data flows": the rooms of ours each room may import.
ALLOWED: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "matcher": frozenset({"domain"}),
    "scheduler": frozenset({"domain", "matcher"}),
    "calendar_feeds": frozenset({"domain"}),
    "spreadsheets": frozenset({"domain"}),
    "reports": frozenset({"domain"}),
    "simulation": frozenset({"domain", "matcher", "scheduler"}),
    "service": frozenset({"domain", "matcher", "scheduler", "calendar_feeds", "spreadsheets",
                          "reports"}),
    "cli": frozenset({"domain", "matcher", "scheduler", "calendar_feeds", "spreadsheets",
                      "reports", "simulation", "service"}),
    "benchmarks": frozenset({"domain", "matcher", "scheduler", "calendar_feeds", "spreadsheets",
                             "reports", "simulation", "service"}),
}
DESIGN = ROOT.parent / "shared" / "DESIGN.md"


@dataclass(frozen=True)
class Arrow:
    source: str  # module name
    target: str
    path: Path  # the importing file, relative to ROOT
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the rooms, by dotted name."""
    modules = {}
    for room in ALLOWED:
        for path in sorted((root / room).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path.relative_to(root)
    return modules


def arrows(modules: dict[str, Path], root: Path = ROOT) -> Iterator[Arrow]:
    """Each import of one of our modules; ``from pkg import sub`` points at ``pkg.sub``
    when that is a module (Python then runs ``pkg/__init__`` only on the way)."""
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse((root / path).read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules:
                        yield Arrow(name, alias.name, path, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] not in ALLOWED:
                    continue
                submodules = [f"{target}.{a.name}" for a in node.names
                              if f"{target}.{a.name}" in modules]
                for submodule in submodules:
                    yield Arrow(name, submodule, path, node.lineno)
                if len(submodules) < len(node.names):
                    yield Arrow(name, target, path, node.lineno)


def forbidden(all_arrows: list[Arrow]) -> list[str]:
    problems = []
    for arrow in all_arrows:
        source_room, target_room = arrow.source.split(".")[0], arrow.target.split(".")[0]
        if source_room != target_room and target_room not in ALLOWED[source_room]:
            problems.append(f"{arrow} ({source_room} -> {target_room} is forbidden by "
                            f"DESIGN.md)")
    return problems


def loops(edges: dict[str, dict[str, Arrow]]) -> list[list[Arrow]]:
    """One cycle of arrows for each strongly connected group of more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan's algorithm, iteratively
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges.get(successor, {})))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_cycle(group, edges) for group in groups]


def _cycle(group: list[str], edges: dict[str, dict[str, Arrow]]) -> list[Arrow]:
    """A shortest way from the group's first member around and back to it."""
    members, start = set(group), group[0]
    came_from: dict[str, tuple[str, Arrow]] = {}
    frontier = [start]
    while frontier and start not in came_from:
        following = []
        for node in frontier:
            for target, arrow in sorted(edges.get(node, {}).items()):
                if target in members and target not in came_from:
                    came_from[target] = (node, arrow)
                    following.append(target)
        frontier = following
    cycle, node = [], start
    while True:
        node, arrow = came_from[node]
        cycle.append(arrow)
        if node == start:
            return cycle[::-1]


def _describe(cycle: list[Arrow]) -> str:
    return "import loop: " + "; ".join(str(arrow) for arrow in cycle)


def file_edges(all_arrows: list[Arrow]) -> dict[str, dict[str, Arrow]]:
    edges: dict[str, dict[str, Arrow]] = {}
    for arrow in all_arrows:
        if arrow.source != arrow.target:
            edges.setdefault(arrow.source, {}).setdefault(arrow.target, arrow)
    return edges


def folder_edges(all_arrows: list[Arrow],
                 modules: dict[str, Path]) -> dict[str, dict[str, Arrow]]:
    """Arrows between the sub-folders of one room (``service.api`` -> ``service.console``)."""
    def folder(name: str) -> str | None:
        parts = name.split(".")
        if len(parts) < 2 or modules.get(".".join(parts[:2]), Path()).name != "__init__.py":
            return None
        return ".".join(parts[:2])

    edges: dict[str, dict[str, Arrow]] = {}
    for arrow in all_arrows:
        source, target = folder(arrow.source), folder(arrow.target)
        if source and target and source != target and source.split(".")[0] == target.split(
                ".")[0]:
            edges.setdefault(source, {}).setdefault(target, arrow)
    return edges


@pytest.fixture(scope="module")
def house() -> tuple[dict[str, Path], list[Arrow]]:
    modules = module_files()
    return modules, list(arrows(modules))


def test_no_room_imports_what_design_forbids(house: tuple[dict[str, Path], list[Arrow]]) -> None:
    problems = forbidden(house[1])
    assert not problems, "\n".join(problems)


def test_no_import_loop_between_files(house: tuple[dict[str, Path], list[Arrow]]) -> None:
    found = loops(file_edges(house[1]))
    assert not found, "\n".join(_describe(cycle) for cycle in found)


def test_no_import_loop_between_folders(house: tuple[dict[str, Path], list[Arrow]]) -> None:
    found = loops(folder_edges(house[1], house[0]))
    assert not found, "\n".join(_describe(cycle) for cycle in found)


def test_every_room_is_read() -> None:
    # An empty walk would pass every test above: make sure the rooms are there.
    modules = module_files()
    assert {name.split(".")[0] for name in modules} == set(ALLOWED)
    assert len(modules) > 100


@pytest.mark.skipif(not DESIGN.exists(), reason="no ../shared/DESIGN.md beside this checkout")
def test_the_table_is_design_mds() -> None:
    """The rules above are DESIGN.md's table, row for row (where that file is at hand)."""
    table: dict[str, frozenset[str]] = {}
    for line in DESIGN.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2:
            continue
        rooms = [r.strip("/") for r in re.findall(r"`([a-z_]+/)`", cells[0].split("(")[0])]
        named = set(re.findall(r"`([a-z_]+)`", cells[1]))
        if not rooms or not (named or cells[1] == "nothing"):
            continue
        if cells[1].startswith("all of the above but"):
            allowed = set(table) - named
        elif cells[1].startswith("all but"):
            allowed = set(ALLOWED) - named - set(rooms)
        else:
            allowed = named
        for room in rooms:
            table[room] = frozenset(allowed)
    assert table == ALLOWED


# The checks themselves, on a house made for them: they must be able to fail.


def _write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return module_files(root)


def test_a_forbidden_arrow_is_named_with_file_and_line(tmp_path: Path) -> None:
    modules = _write(tmp_path, {
        "domain/__init__.py": "", "domain/model.py": "x = 1\n",
        "matcher/__init__.py": "", "matcher/core.py": "import os\n\n\ndef f():\n"
                                                      "    from scheduler import solve\n",
        "scheduler/__init__.py": "", "scheduler/solve.py": "from domain.model import x\n",
    })
    problems = forbidden(list(arrows(modules, tmp_path)))
    assert problems == ["matcher/core.py:5 imports scheduler.solve (matcher -> scheduler is "
                        "forbidden by DESIGN.md)"]


def test_a_loop_between_files_is_named_with_both_files(tmp_path: Path) -> None:
    modules = _write(tmp_path, {
        "service/__init__.py": "",
        "service/console/__init__.py": "",
        "service/console/pages.py": "def install():\n    from service.console import more\n",
        "service/console/more.py": "from service.console.pages import install\n",
        "service/api/__init__.py": "",
        "service/api/main.py": "from service.console import pages\n",
        "service/console/uses_api.py": "import service.api.main\n",
    })
    found = arrows(modules, tmp_path)
    all_arrows = list(found)
    described = [_describe(c) for c in loops(file_edges(all_arrows))]
    assert described == ["import loop: service/console/more.py:1 imports service.console.pages; "
                         "service/console/pages.py:2 imports service.console.more"]
    folder_loops = [_describe(c) for c in loops(folder_edges(all_arrows, modules))]
    assert folder_loops == ["import loop: service/api/main.py:1 imports service.console.pages; "
                            "service/console/uses_api.py:1 imports service.api.main"]
