"""The payments' sheets: the payment statements (支払明細書) and the yearly totals
(支払調書の集計) as Excel workbooks. (What a month pays comes from the session's life, never
from a sheet.)"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from domain.payments import (
    ACCOUNT_TYPE_JA,
    PAYEE_TYPE_JA,
    MonthClose,
    PaymentEntry,
    YearlyTotal,
)
from domain.types import format_clock
from spreadsheets.workbook import workbook_bytes

# --- statements ------------------------------------------------------------------------

_BOLD = Font(bold=True)
_YEN = '"¥"#,##0'
_MODE_JA = {"onsite": "対面", "online": "オンライン"}


def _yen_row(sheet: Worksheet, label: str, amount: int, bold: bool = False) -> None:
    sheet.append([label, None, None, None, None, None, amount])
    cell = sheet.cell(sheet.max_row, 7)
    cell.number_format = _YEN
    if bold:
        sheet.cell(sheet.max_row, 1).font = _BOLD
        cell.font = _BOLD


def _statement_sheet(sheet: Worksheet, close: MonthClose, entry: PaymentEntry,
                     programme_name: str) -> None:
    account = entry.account.masked()
    year, month = close.month.split("-")
    sheet.append([f"支払明細書　{year}年{int(month)}月分"])
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append([programme_name])
    sheet.append([])
    sheet.append(["支払先", f"{entry.expert_name} 様（{entry.expert_id}）"])
    sheet.append(["区分", PAYEE_TYPE_JA[entry.payee_type]])
    sheet.append(["振込日", close.pay_on.isoformat()])
    sheet.append(["振込先", f"銀行 {account.bank_code} {account.bank_name} 支店 "
                            f"{account.branch_code} {account.branch_name} "
                            f"{ACCOUNT_TYPE_JA[account.account_type]} "
                            f"{account.account_number} {account.holder_name}"])
    sheet.append([])
    sheet.append(["実施日", "団体", "回", "時間", "形態", "謝金", "交通費"])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    for line in entry.sessions:
        sheet.append([line.date, f"{line.association_name}（{line.association_id}）",
                      line.number, f"{format_clock(line.start)}–{format_clock(line.end)}",
                      _MODE_JA[line.mode], line.fee_yen, line.travel_yen])
        sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
        for column in (6, 7):
            sheet.cell(sheet.max_row, column).number_format = _YEN
    for adjustment in entry.adjustments:
        sheet.append([None, f"調整：{adjustment.reason}", None, None, None,
                      adjustment.amount_yen, None])
        sheet.cell(sheet.max_row, 6).number_format = _YEN
    sheet.append([])
    _yen_row(sheet, "謝金 計", entry.fee_yen)
    _yen_row(sheet, "交通費 計", entry.travel_yen)
    if entry.adjustments:
        _yen_row(sheet, "調整 計", entry.adjustment_yen)
    _yen_row(sheet, "支払金額", entry.gross_yen, bold=True)
    _yen_row(sheet, "源泉徴収税額", -entry.withholding_yen)
    _yen_row(sheet, "差引振込額", entry.net_yen, bold=True)
    for letter, width in zip("ABCDEFG", (12, 36, 5, 13, 10, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.cell(4, 2).alignment = Alignment(wrap_text=False)


def statements_workbook(close: MonthClose, programme_name: str,
                        expert_ids: Sequence[str] | None = None) -> bytes:
    """One sheet per payee (named by expert id), in Japanese; account numbers masked."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for entry in close.entries:
        if expert_ids is None or entry.expert_id in expert_ids:
            _statement_sheet(book.create_sheet(entry.expert_id[:31]), close, entry,
                             programme_name)
    if not book.sheetnames:
        book.create_sheet("支払なし").append(["この月の支払はありません"])
    return workbook_bytes(book)


YEARLY_HEADERS = ("専門家ID", "氏名・名称", "区分", "支払月", "回数", "謝金", "交通費", "調整",
                  "支払金額", "源泉徴収税額", "差引支払額")


def yearly_workbook(totals: Sequence[YearlyTotal], year: int) -> bytes:
    """The year's totals per payee: the figures of each 支払調書."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}年"
    sheet.append([f"{year}年 支払調書の集計（支払日の属する年）"])
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append(list(YEARLY_HEADERS))
    for cell in sheet[2]:
        cell.font = _BOLD
    for total in totals:
        sheet.append([total.expert_id, total.expert_name, PAYEE_TYPE_JA[total.payee_type],
                      "、".join(total.months), total.sessions, total.fee_yen,
                      total.travel_yen, total.adjustment_yen, total.paid_yen,
                      total.withheld_yen, total.net_yen])
        for column in range(6, 12):
            sheet.cell(sheet.max_row, column).number_format = _YEN
    for letter, width in zip("ABCDEFGHIJK", (10, 20, 6, 24, 6, 12, 12, 12, 12, 14, 12),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(book)
