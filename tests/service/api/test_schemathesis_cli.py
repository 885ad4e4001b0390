"""schemathesis' own CLI, as a client would run it, against a running ``haken serve`` with
the bundled example loaded and an admin token: every check, a bounded number of examples
per operation, deterministic; 0 failures. What JSON Schema cannot say is said, with its
reasons, in schemathesis.toml beside this file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from service.db.engine import transaction
from service.logic import exchange, tokens
from tests.service_support import example_document, fresh_database, served_api

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = "3"


def test_schemathesis_finds_no_failure_with_every_check(tmp_path: Path) -> None:
    url = fresh_database("sqlite", tmp_path)
    with transaction(url) as db:
        exchange.import_scenario(db, example_document(), "test")
        admin = tokens.create(db, "schemathesis", "admin", "test")[1]
    # Its calls without a token must not lock out the valid one.
    with served_api(url, tmp_path, "--no-worker", tokens={"admin": admin},
                    HAKEN_AUTH_FAILURES_ALLOWED="1000000") as api:
        run = subprocess.run(
            [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG),
             "run", f"{api.client.base_url}/openapi.json", "--checks", "all",
             "--header", f"Authorization: Bearer {admin}",
             "--max-examples", EXAMPLES_PER_OPERATION, "--generation-deterministic",
             "--workers", "1", "--request-timeout", "60", "--no-color"],
            capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    summary = run.stdout[run.stdout.find("SUMMARY"):]
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    tested = re.search(r"Tested: (\d+)", summary)
    assert tested and int(tested[1]) >= 40, summary  # every operation but those excluded
