"""The Zengin 総合振込 file: a golden file byte for byte, and read back field by field.

After an intended change, regenerate the golden file and review the diff:

    HAKEN_UPDATE_GOLDEN=1 pytest tests/spreadsheets/test_zengin.py
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from domain.payments import MonthClose, Remitter, close_month, facts_of
from spreadsheets.zengin import (
    CRLF,
    RECORD_BYTES,
    TransferError,
    read_transfer,
    transfer_file,
)
from tests.paths import GOLDEN
from tests.payments_support import july_sessions, payees, payments_scenario

GOLDEN_FILE = GOLDEN / "zengin_sogo_furikomi_2026-07.txt"
UPDATE_GOLDEN = os.environ.get("HAKEN_UPDATE_GOLDEN") == "1"


def july() -> tuple[MonthClose, Remitter]:
    scenario = payments_scenario()
    experts, associations = facts_of(scenario.experts, scenario.associations)
    rules = scenario.programme.payment_rules
    assert rules.remitter is not None
    return close_month(rules, "2026-07", dt.date(2026, 8, 31), july_sessions(), payees(),
                       experts, associations), rules.remitter


def test_the_transfer_file_is_the_golden_one_byte_for_byte() -> None:
    data = transfer_file(*july())
    if UPDATE_GOLDEN:
        GOLDEN_FILE.write_bytes(data)
    assert GOLDEN_FILE.exists(), f"{GOLDEN_FILE} is missing; create it with HAKEN_UPDATE_GOLDEN=1"
    assert data == GOLDEN_FILE.read_bytes(), (
        "the transfer file differs from the golden one; if intended, regenerate it with "
        "HAKEN_UPDATE_GOLDEN=1 and review the diff")


def test_the_golden_file_reads_back_field_by_field() -> None:
    data = GOLDEN_FILE.read_bytes()
    lines = data.split(CRLF)
    assert lines[-1] == b""
    assert all(len(line) == RECORD_BYTES for line in lines[:-1])
    records = read_transfer(data)
    assert [r.kind for r in records] == ["1", "2", "2", "2", "8", "9"]

    header = records[0]
    assert header.fields["種別コード"] == "21"  # 総合振込
    assert header.fields["コード区分"] == "0"  # JIS
    assert header.fields["振込依頼人コード"] == "0000012345"
    assert header.text("振込依頼人名") == "ﾄｳｷﾖｳﾄ ｶｽﾊﾗ ｼﾞﾑｷﾖｸ"
    assert header.fields["振込指定日"] == "0831"
    assert (header.fields["仕向銀行番号"], header.text("仕向銀行名")) == ("0005", "ﾐﾂﾋﾞｼUFJ")
    assert (header.fields["仕向支店番号"], header.text("仕向支店名")) == ("001", "ﾎﾝﾃﾝ")
    assert (header.fields["預金種目"], header.fields["口座番号"]) == ("1", "7654321")
    assert header.fields["ダミー"] == " " * 17

    close, _ = july()
    for record, entry in zip(records[1:4], close.entries, strict=True):
        account = entry.account
        assert record.fields["被仕向銀行番号"] == account.bank_code
        assert record.text("被仕向銀行名") == account.bank_name
        assert record.fields["被仕向支店番号"] == account.branch_code
        assert record.text("被仕向支店名") == account.branch_name
        assert record.fields["手形交換所番号"] == "0000"
        assert record.number("預金種目") == account.account_type
        assert record.fields["口座番号"] == account.account_number
        assert record.text("受取人名") == account.holder_name
        assert record.number("振込金額") == entry.net_yen
        assert record.fields["新規コード"] == "0"
        assert record.fields["振込指定区分"] == "7"  # 電信扱
    assert [r.text("受取人名") for r in records[1:4]] == [
        "ﾔﾏﾀﾞ ﾊﾅｺ", "ｶ)ｻﾄｳｹｲｴｲ", "ｽｽﾞｷ ｼﾞﾕﾝ"]
    assert [r.number("振込金額") for r in records[1:4]] == [79_680, 50_980, 24_334]
    assert records[2].fields["預金種目"] == "2"  # 当座

    trailer = records[4]
    assert trailer.number("合計件数") == 3
    assert trailer.number("合計金額") == 79_680 + 50_980 + 24_334 == close.totals.net_yen
    assert records[5].fields["ダミー"] == " " * 119


def test_without_line_endings_the_records_are_120_bytes_back_to_back() -> None:
    data = transfer_file(*july(), line_ending=b"")
    assert len(data) == 6 * RECORD_BYTES
    assert [r.kind for r in read_transfer(data)] == ["1", "2", "2", "2", "8", "9"]
    assert data == GOLDEN_FILE.read_bytes().replace(CRLF, b"")


def test_a_payee_with_nothing_to_transfer_has_no_data_record() -> None:
    close, remitter = july()
    zero = close.entries[1].model_copy(update={"fee_yen": 0, "travel_yen": 0, "gross_yen": 0,
                                               "net_yen": 0, "sessions": []})
    entries = [close.entries[0], zero, close.entries[2]]
    totals = close.totals.model_copy(update={
        "sessions": close.totals.sessions - 2,
        **{key: getattr(close.totals, key) - getattr(close.entries[1], key)
           for key in ("fee_yen", "travel_yen", "gross_yen", "net_yen")}})
    records = read_transfer(transfer_file(
        MonthClose(month=close.month, pay_on=close.pay_on, entries=entries, totals=totals),
        remitter))
    assert records[-2].number("合計件数") == 2


@pytest.mark.parametrize(("damage", "said"), [
    (lambda d: d[:-2], "does not end with CR LF"),
    (lambda d: d.replace(b"0000079680", b"0000079681"), "the transfers add up to 154995"),
    (lambda d: d.replace(b"8000003", b"8000004"), "counts 4 transfers; there are 3"),
    (lambda d: d.replace("ﾔﾏﾀﾞ".encode("cp932"), b"yamd"), "受取人名"),
    (lambda d: d.replace(b"\r\n9", b"\r\n7"), "none of 1, 2, 8, 9"),
    (lambda d: d.replace(CRLF, b"")[:-1], "not a whole number"),
])
def test_a_damaged_file_is_refused_naming_what(damage: object, said: str) -> None:
    data = GOLDEN_FILE.read_bytes()
    with pytest.raises(TransferError, match=said):
        read_transfer(damage(data))  # type: ignore[operator]
