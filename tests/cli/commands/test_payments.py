"""``haken payments``: a secretariat closing July from the sessions the session's life
approved (on the service's database, SQLite and PostgreSQL as the API tests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from service.config import get_settings
from spreadsheets.zengin import read_transfer
from tests.cli.test_main import PLANNER, WEB_STACK, loaded_packages
from tests.closing_support import JULY_KEYS, july_approved, states
from tests.paths import GOLDEN
from tests.payments_support import PAYEES, payments_scenario
from tests.service_support import Api


@pytest.fixture
def folder(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The command line on the service's database (the API's, where the session's life
    approved July's sessions); the scenario as a file for ``payee``."""
    monkeypatch.setenv("HAKEN_DATABASE_URL", api.url)
    get_settings.cache_clear()
    july_approved(api, payees=False)
    scenario = payments_scenario()
    (tmp_path / "scenario.json").write_text(scenario.model_dump_json(exclude_none=True),
                                            encoding="utf-8")
    (tmp_path / "out").mkdir()
    yield tmp_path
    get_settings.cache_clear()


def haken(*arguments: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in arguments])


def set_payees(folder: Path) -> None:
    for expert_id, payee in PAYEES.items():
        account = payee["account"]
        result = haken("payments", "payee", expert_id, "--type", payee["payee_type"],
                       "--bank", account["bank_code"], "--bank-name",
                       account.get("bank_name", ""), "--branch", account["branch_code"],
                       "--branch-name", account.get("branch_name", ""), "--account-type",
                       str(account["account_type"]), "--number", account["account_number"],
                       "--holder", account["holder_name"],
                       "--scenario", folder / "scenario.json")
        assert result.exit_code == 0, result.output


def test_close_a_month_from_its_approved_sessions_and_write_its_files(
        folder: Path, api: Api) -> None:
    set_payees(folder)
    listed = haken("payments", "payees")
    assert "E1\tindividual\t0001-123\t****567\tﾔﾏﾀﾞ ﾊﾅｺ" in listed.output
    assert "1234567" not in listed.output

    common = ("--month", "2026-07")
    preview = haken("payments", "preview", *common)
    assert preview.exit_code == 0, preview.output
    assert "E1\tindividual\t3\t82500\t6240\t0\t88740\t9060\t79680" in preview.output
    assert "total\t\t6\t156500\t10320\t0\t166820\t11826\t154994" in preview.output

    closed = haken("payments", "close", *common, "--pay-on", "2026-08-31",
                   "-o", folder / "out")
    assert closed.exit_code == 0, closed.output
    out = folder / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "close-2026-07.json", "statements-2026-07.pdf", "statements-2026-07.xlsx",
        "zengin-sogo-furikomi-2026-07.txt"]
    transfer = (out / "zengin-sogo-furikomi-2026-07.txt").read_bytes()
    assert transfer == (GOLDEN / "zengin_sogo_furikomi_2026-07.txt").read_bytes()
    assert "1234567" not in (out / "close-2026-07.json").read_text(encoding="utf-8")
    assert {states(api)[key] for key in JULY_KEYS} == {"paid"}

    again = haken("payments", "close", *common, "-o", folder / "out")
    assert again.exit_code == 2
    assert "cannot change" in again.output

    rewritten = folder / "again.txt"
    assert haken("payments", "transfer", "--month", "2026-07", "-o", rewritten,
                 "--scenario", folder / "scenario.json").exit_code == 0
    assert rewritten.read_bytes() == transfer
    assert haken("payments", "transfer", "--month", "2026-07", "-o", folder / "flat.txt",
                 "--no-line-endings", "--scenario", folder / "scenario.json").exit_code == 0
    assert len(read_transfer((folder / "flat.txt").read_bytes())) == 6
    assert haken("payments", "statements", "--month", "2026-07", "-o", folder / "s.xlsx",
                 "--expert", "E2", "--scenario", folder / "scenario.json").exit_code == 0

    yearly = haken("payments", "yearly", "--year", "2026", "-o", folder / "year.json")
    assert yearly.exit_code == 0, yearly.output
    totals = json.loads((folder / "year.json").read_text(encoding="utf-8"))
    assert [(t["expert_id"], t["paid_yen"], t["withheld_yen"]) for t in totals] == [
        ("E1", 88_740, 9_060), ("E2", 50_980, 0), ("E3", 27_100, 2_766)]


def test_a_month_that_cannot_close_is_named_and_nothing_is_written(folder: Path,
                                                                     api: Api) -> None:
    # No payee records yet: the close names each expert, closes nothing, writes nothing.
    result = haken("payments", "close", "--month", "2026-07", "-o", folder / "out")
    assert result.exit_code == 2
    assert "nothing closed" in result.output
    assert "payees (E1): no payee record" in result.output
    assert list((folder / "out").iterdir()) == []
    assert {states(api)[key] for key in JULY_KEYS} == {"approved"}
    assert haken("payments", "transfer", "--month", "2026-07",
                 "-o", folder / "t.txt").exit_code == 2
    set_payees(folder)
    nothing = haken("payments", "preview", "--month", "2026-09")
    assert nothing.exit_code == 0 and "total\t\t0\t" in nothing.output
    empty = haken("payments", "close", "--month", "2026-09", "-o", folder / "out")
    assert empty.exit_code == 2 and "nothing to pay in 2026-09" in empty.output
    bad = haken("payments", "preview", "--month", "2026-7")
    assert bad.exit_code == 2 and "2026-7" in bad.output


def test_a_bad_account_is_named_and_not_stored(folder: Path) -> None:
    result = haken("payments", "payee", "E1", "--type", "individual", "--bank", "0001",
                   "--branch", "123", "--account-type", "1", "--number", "123456",
                   "--holder", "ヤマダ　ハナコ", "--scenario", folder / "scenario.json")
    assert result.exit_code == 2
    assert "account.account_number: an account number must be 7 digits, got 6" in result.output
    assert haken("payments", "payees").output == ""


def test_payments_help_loads_neither_the_web_stack_nor_the_planner() -> None:
    loaded = loaded_packages("payments", "close", "--help")
    assert not loaded & {*WEB_STACK, *PLANNER}
