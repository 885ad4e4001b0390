"""``haken payments``: a secretariat closing July from a sheet of approved sessions."""

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
from tests.paths import GOLDEN
from tests.payments_support import (
    PAYEES,
    july_sessions,
    payments_scenario,
    session,
    sessions_csv,
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HAKEN_DATABASE_URL", f"sqlite:///{tmp_path / 'haken.db'}")
    get_settings.cache_clear()
    scenario = payments_scenario()
    (tmp_path / "scenario.json").write_text(scenario.model_dump_json(exclude_none=True),
                                            encoding="utf-8")
    (tmp_path / "approved.csv").write_text(sessions_csv(july_sessions()), encoding="utf-8")
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


def test_close_a_month_from_a_sheet_and_write_its_files(folder: Path) -> None:
    set_payees(folder)
    listed = haken("payments", "payees")
    assert "E1\tindividual\t0001-123\t****567\tﾔﾏﾀﾞ ﾊﾅｺ" in listed.output
    assert "1234567" not in listed.output

    common = ("--scenario", folder / "scenario.json", "--sessions", folder / "approved.csv",
              "--month", "2026-07")
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


def test_a_claim_over_the_cap_is_named_and_nothing_is_closed_or_written(folder: Path) -> None:
    set_payees(folder)
    sheet = folder / "august.csv"
    sheet.write_text(sessions_csv([session("A1", 3, "E1", 5, month=8, travel=800),
                                   session("A2", 2, "E3", 6, month=8, travel=6_000)]),
                     encoding="utf-8")
    result = haken("payments", "close", "--scenario", folder / "scenario.json", "--sessions",
                   sheet, "--month", "2026-08", "-o", folder / "out")
    assert result.exit_code == 2
    assert ("[1] (A2 #2 E3).travel_claimed_yen: ¥6,000 is over the programme's cap of ¥5,000"
            in result.output)
    assert list((folder / "out").iterdir()) == []
    assert haken("payments", "transfer", "--month", "2026-08",
                 "-o", folder / "t.txt").exit_code == 2


def test_a_bad_sheet_row_is_named(folder: Path) -> None:
    sheet = folder / "bad.csv"
    sheet.write_text(sessions_csv(july_sessions()).replace("A1,2,E1,2026-07-27",
                                                           "A1,2,E1,2026-07-32"),
                     encoding="utf-8")
    result = haken("payments", "preview", "--scenario", folder / "scenario.json",
                   "--sessions", sheet, "--month", "2026-07")
    assert result.exit_code == 2
    assert "row 5 (A1 #2 E1).date" in result.output


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
