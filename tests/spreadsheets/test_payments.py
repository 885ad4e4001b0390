"""The payments' sheets: approved sessions read from CSV, statements and the year as Excel."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from domain.errors import InputError
from domain.payments import MonthClose, close_month, facts_of, yearly_totals
from spreadsheets.payments import (
    read_payable_sessions,
    statements_workbook,
    yearly_workbook,
)
from tests.payments_support import july_sessions, payees, payments_scenario, sessions_csv


def test_the_sheet_reads_back_as_the_sessions_it_was_made_from() -> None:
    assert read_payable_sessions(sessions_csv(july_sessions()).encode("utf-8"),
                                 "approved.csv") == july_sessions()


def test_japanese_headers_modes_and_shift_jis_are_read() -> None:
    text = ("団体ID,回,専門家ID,実施日,開始,終了,形態,交通費請求額,承認日時\r\n"
            "A1,1,E1,2026-07-06,10:00,12:00,対面,\"1,240\",2026-08-03T09:00:00+00:00\r\n")
    [read] = read_payable_sessions(text.encode("cp932"), "承認済み.csv")
    assert (read.mode, read.travel_claimed_yen, read.start) == ("onsite", 1_240, 600)


def test_bad_rows_are_named_by_row_and_column() -> None:
    text = sessions_csv(july_sessions()[:2]).replace(",1240,", ",12.5,").replace(
        "onsite,980", "bus,980")
    with pytest.raises(InputError) as caught:
        read_payable_sessions(text.encode("utf-8"), "approved.csv")
    said = [str(issue) for issue in caught.value.issues]
    assert said[0].startswith("row 2 (A1 #1 E1).travel_claimed_yen:")
    assert said[1].startswith("row 3 (A1 #1 E2).mode:")


def test_a_missing_column_is_named() -> None:
    with pytest.raises(InputError, match="missing column"):
        read_payable_sessions(b"association_id,number\nA1,1\n", "approved.csv")


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
