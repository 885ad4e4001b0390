"""The ``haken`` command itself: one version everywhere, and each command loads only its work.

Start-up time is measured by ``python -m benchmarks startup``; what is tested here is
the cause of a fast start, which cannot drift silently: which packages a command
imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.paths import EXAMPLES

WEB_STACK = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "jinja2", "service")
PLANNER = ("ortools", "scheduler", "matcher", "numpy")

_LOADED = """
import json, sys
from cli.main import main
sys.argv = ["haken", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def loaded_packages(*arguments: str) -> set[str]:
    """The top-level packages a fresh ``haken ARGUMENTS`` process has imported when it ends."""
    result = subprocess.run([sys.executable, "-c", _LOADED, json.dumps(arguments)],
                            capture_output=True, text=True, timeout=600)
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_loads_neither_the_web_stack_nor_the_planner() -> None:
    loaded = loaded_packages("--help")
    assert "typer" in loaded  # the probe itself works
    assert not loaded & {*WEB_STACK, *PLANNER, "pydantic", "openpyxl", "icalendar"}


def test_check_loads_the_checker_and_nothing_of_the_web_stack(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"plan": "not one"}), encoding="utf-8")
    loaded = loaded_packages("check", str(EXAMPLES / "tokyo-2025.json"), str(plan))
    assert "domain" in loaded
    assert not loaded & {*WEB_STACK, *PLANNER}


def test_plan_loads_the_planner_and_nothing_of_the_web_stack(tmp_path: Path) -> None:
    loaded = loaded_packages("plan", str(EXAMPLES / "tokyo-2025.json"), "-o",
                             str(tmp_path / "plan.json"), "--time-limit", "1", "-q")
    assert (tmp_path / "plan.json").exists()
    assert {"scheduler", "ortools"} <= loaded
    assert not loaded & set(WEB_STACK)


@pytest.mark.parametrize("arguments", [["generate", "--help"], ["size", "--help"]])
def test_profiles_are_listed_without_loading_the_generator(arguments: list[str]) -> None:
    # (typer itself may load pydantic here, to see whether a parameter is a pydantic type)
    loaded = loaded_packages(*arguments)
    assert "simulation" in loaded
    assert not loaded & {*WEB_STACK, *PLANNER, "domain"}


def test_one_version_in_the_cli_the_plans_and_the_api(tmp_path: Path) -> None:
    installed = version("haken")
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"haken {installed}\n"

    out = tmp_path / "plan.json"
    planned = CliRunner().invoke(app, ["plan", str(EXAMPLES / "tokyo-2025.json"), "-o", str(out),
                                       "--time-limit", "1", "-q"])
    assert planned.exit_code == 0, planned.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["parameters"]["haken_version"] == installed

    from service.app import create_app
    from service.config import Settings

    app_ = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'haken.db'}"))
    assert app_.openapi()["info"]["version"] == installed
