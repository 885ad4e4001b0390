"""``haken serve`` refuses bad settings before it starts, naming each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT


@pytest.mark.parametrize(("name", "value", "said"), [
    ("HAKEN_TRUSTED_PROXIES", "10.0.0.5, proxy.internal", "'proxy.internal' is not an IP"),
    ("HAKEN_PUBLIC_BASE_URL", "ftp://haken.example.org", "is not an http(s) address"),
    ("HAKEN_PUBLIC_BASE_URL", "https://haken.example.org/?x=1", "no query"),
])
def test_a_bad_setting_is_named_and_nothing_starts(tmp_path: Path, name: str, value: str,
                                                   said: str) -> None:
    database = tmp_path / "haken.db"
    result = subprocess.run(
        [sys.executable, "-m", "cli", "serve", "--port", "0"], cwd=ROOT, timeout=60,
        env={**os.environ, "HAKEN_DATABASE_URL": f"sqlite:///{database}", name: value},
        capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert f"{name}: " in result.stderr and said in result.stderr
    assert not database.exists()
