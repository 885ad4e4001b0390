"""Experts, associations and the programme over the API: validation, ETags, audit."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app as cli
from service.api import examples
from service.config import get_settings
from service.db.engine import engine_for
from tests.service_support import Api, example_document


def load_example(api: Api) -> None:
    response = api.send("PUT", "/api/v1/scenario", body=example_document())
    assert response.status_code == 200, response.text


def test_expert_round_trip_with_etags(api: Api) -> None:
    load_example(api)
    expert = copy.deepcopy(examples.EXPERT)
    expert["id"] = "E900"
    created = api.send("POST", "/api/v1/experts", body=expert)
    assert created.status_code == 201, created.text
    etag = created.headers["ETag"]
    read = api.get("/api/v1/experts/E900")
    assert read.json() == created.json() and read.headers["ETag"] == etag
    # The stored record is the exchange format's, field for field.
    exported = api.get("/api/v1/scenario").json()
    assert next(e for e in exported["experts"] if e["id"] == "E900") == read.json()

    changed = {**expert, "max_associations": 3}
    assert api.send("PUT", "/api/v1/experts/E900", body=changed).status_code == 428
    updated = api.send("PUT", "/api/v1/experts/E900", body=changed, if_match=etag)
    assert updated.status_code == 200 and updated.json()["max_associations"] == 3
    stale = api.send("PUT", "/api/v1/experts/E900", body=expert, if_match=etag)
    assert stale.status_code == 412
    assert api.get("/api/v1/experts/E900").json()["max_associations"] == 3
    trail = api.get("/api/v1/audit?entity=expert&entity_id=E900", role="staff").json()
    assert [entry["action"] for entry in trail] == ["update", "create"]
    assert trail[0]["actor"] == "test-staff"
    assert trail[0]["detail"]["changed"]["max_associations"] == {"from": 6, "to": 3}


def test_bad_input_names_the_field_and_changes_nothing(api: Api) -> None:
    load_example(api)
    before = api.get("/api/v1/scenario").json()
    bad = {**examples.EXPERT, "id": "E901", "conflicts": ["A404"]}
    response = api.send("POST", "/api/v1/experts", body=bad)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"][-1].endswith("(E901).conflicts[0]")
    assert "unknown association 'A404'" in problem["msg"]
    window = copy.deepcopy(examples.EXPERT)
    window["id"] = "E902"
    window["availability"]["weekly"]["mon"] = [["17:00", "10:00"]]
    response = api.send("POST", "/api/v1/experts", body=window)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:4] == ["body", "availability", "weekly", "mon"]
    assert api.get("/api/v1/scenario").json() == before


def test_status_moves_only_by_transitions(api: Api) -> None:
    load_example(api)
    row = api.get("/api/v1/associations/A001")
    body = {**row.json(), "status": "completed"}
    response = api.send("PUT", "/api/v1/associations/A001", body=body,
                        if_match=row.headers["ETag"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]


def test_nul_characters_and_overlong_ids_are_refused_alike_on_every_database(api: Api) -> None:
    load_example(api)
    assert api.get("/api/v1/experts/E%00").status_code == 422
    named = api.send("POST", "/api/v1/tokens", role="admin", body={"name": "a\u0000b",
                                                                  "role": "viewer"})
    assert named.status_code == 422 and named.json()["detail"][0]["loc"] == ["body", "name"]
    long_id = api.send("POST", "/api/v1/experts", body={**examples.EXPERT, "id": "E" * 65})
    assert long_id.status_code == 422
    assert long_id.json()["detail"][0]["loc"] == ["body", "id"]


def test_db_upgrade_makes_a_wal_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("HAKEN_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "database at head" in result.output
    with engine_for(url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
