"""Payment statements (支払明細書) as PDF, in Japanese: one page per payee of a closed month.

Drawn with reportlab, with a Japanese TrueType font embedded (IPAexGothic from Debian's
fonts-ipaexfont-gothic, or the file ``HAKEN_PDF_FONT`` names), so the PDF reads the same
on any machine; account numbers are masked.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from domain.payments import ACCOUNT_TYPE_JA, PAYEE_TYPE_JA, MonthClose, PaymentEntry
from domain.types import format_clock

FONT_NAME = "HakenGothic"
FONT_FILES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
_MODE_JA = {"onsite": "対面", "online": "オンライン"}


class NoJapaneseFont(RuntimeError):
    pass


@cache
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    chosen = os.environ.get("HAKEN_PDF_FONT")
    candidates = [chosen] if chosen else list(FONT_FILES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            pdfmetrics.registerFont(TTFont(FONT_NAME, candidate))
            return FONT_NAME
    raise NoJapaneseFont("no Japanese TrueType font for the PDF statements: install "
                         "fonts-ipaexfont-gothic, or name a .ttf file in HAKEN_PDF_FONT "
                         f"(looked for {', '.join(str(c) for c in candidates)})")


def _yen(amount: int) -> str:
    return f"¥{amount:,}" if amount >= 0 else f"-¥{-amount:,}"


def statements_pdf(close: MonthClose, programme_name: str,
                   expert_ids: Sequence[str] | None = None) -> bytes:
    """A page per payee (all of them, or those of ``expert_ids``)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    font = _register_font()
    buffer = io.BytesIO()
    # invariant=True: no creation date or random id, so the same close gives the same bytes.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(f"支払明細書 {close.month}")
    canvas.setAuthor(programme_name)
    entries = [e for e in close.entries if expert_ids is None or e.expert_id in expert_ids]
    for entry in entries:
        _page(canvas, font, close, entry, programme_name, A4, mm)
        canvas.showPage()
    if not entries:
        canvas.setFont(font, 12)
        canvas.drawString(20 * mm, A4[1] - 30 * mm, f"{close.month} の支払はありません")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _page(canvas: object, font: str, close: MonthClose, entry: PaymentEntry,
          programme_name: str, size: tuple[float, float], mm: float) -> None:
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(canvas, Canvas)
    width, height = size
    left, right = 20 * mm, width - 20 * mm
    y = height - 25 * mm
    year, month = close.month.split("-")
    canvas.setFont(font, 16)
    canvas.drawString(left, y, f"支払明細書　{year}年{int(month)}月分")
    y -= 8 * mm
    canvas.setFont(font, 10)
    canvas.drawString(left, y, programme_name)
    y -= 10 * mm
    account = entry.account.masked()
    for label, value in (
            ("支払先", f"{entry.expert_name} 様（{entry.expert_id}）"),
            ("区分", PAYEE_TYPE_JA[entry.payee_type]),
            ("振込日", close.pay_on.isoformat()),
            ("振込先", f"銀行 {account.bank_code} {account.bank_name}　支店 "
                       f"{account.branch_code} {account.branch_name}　"
                       f"{ACCOUNT_TYPE_JA[account.account_type]} {account.account_number}　"
                       f"{account.holder_name}")):
        canvas.drawString(left, y, label)
        canvas.drawString(left + 20 * mm, y, value)
        y -= 6 * mm
    y -= 4 * mm
    columns = (left, left + 24 * mm, left + 94 * mm, left + 104 * mm, left + 128 * mm)
    for x, title in zip(columns, ("実施日", "団体", "回", "時間", "形態"), strict=True):
        canvas.drawString(x, y, title)
    canvas.drawRightString(right - 24 * mm, y, "謝金")
    canvas.drawRightString(right, y, "交通費")
    y -= 2 * mm
    canvas.line(left, y, right, y)
    y -= 5 * mm
    for line in entry.sessions:
        for x, text in zip(columns, (
                line.date.isoformat(), f"{line.association_name[:18]}（{line.association_id}）",
                str(line.number), f"{format_clock(line.start)}–{format_clock(line.end)}",
                _MODE_JA[line.mode]), strict=True):
            canvas.drawString(x, y, text)
        canvas.drawRightString(right - 24 * mm, y, _yen(line.fee_yen))
        canvas.drawRightString(right, y, _yen(line.travel_yen))
        y -= 6 * mm
    for adjustment in entry.adjustments:
        canvas.drawString(columns[1], y, f"調整：{adjustment.reason[:40]}")
        canvas.drawRightString(right - 24 * mm, y, _yen(adjustment.amount_yen))
        y -= 6 * mm
    canvas.line(left, y + 3 * mm, right, y + 3 * mm)
    y -= 4 * mm
    rows = [("謝金 計", entry.fee_yen), ("交通費 計", entry.travel_yen)]
    if entry.adjustments:
        rows.append(("調整 計", entry.adjustment_yen))
    rows += [("支払金額", entry.gross_yen), ("源泉徴収税額", -entry.withholding_yen),
             ("差引振込額", entry.net_yen)]
    for label, amount in rows:
        canvas.drawString(columns[2], y, label)
        canvas.drawRightString(right, y, _yen(amount))
        y -= 6 * mm
