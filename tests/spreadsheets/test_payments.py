"""The payments' sheets: approved sessions read from CSV, statements and the year as Excel."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from domain.payments import MonthClose, close_month, facts_of, yearly_totals
from spreadsheets.payments import (
    statements_workbook,
    yearly_workbook,
)
from tests.payments_support import july_sessions, payees, payments_scenario


def july() -> MonthClose:
    scenario = payments_scenario()
    experts, associations = facts_of(scenario.experts, scenario.associations)
    return close_month(scenario.programme.payment_rules, "2026-07", dt.date(2026, 8, 31),
                       july_sessions(), payees(), experts, associations)


def test_statements_have_a_sheet_per_payee_in_japanese_with_accounts_masked() -> None:
    close = july()
    book = load_workbook(io.BytesIO(statements_workbook(close, "カスハラ対策")))
    assert book.sheetnames == ["E1", "E2", "E3"]
    rows = list(book["E2"].iter_rows(values_only=True))
    assert rows[0][0] == "支払明細書　2026年7月分"
    assert rows[4][:2] == ("区分", "法人")
    assert "****345" in rows[6][1]
    figures = {row[0]: row[6] for row in rows if row[0] and row[6] is not None}
    assert figures["支払金額"] == 50_980 and figures["源泉徴収税額"] == 0
    assert figures["差引振込額"] == 50_980


def test_the_years_workbook_has_a_row_per_payee() -> None:
    totals = yearly_totals([july()], 2026)
    book = load_workbook(io.BytesIO(yearly_workbook(totals, 2026)))
    assert book.active is not None
    rows = list(book.active.iter_rows(values_only=True))
    assert [row[0] for row in rows[2:]] == ["E1", "E2", "E3"]
    assert [row[8:10] for row in rows[2:]] == [(88_740, 9_060), (50_980, 0), (27_100, 2_766)]
