"""Writing readable sheets: header style, widths, frozen header, real dates; CSV with BOM."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def new_workbook() -> Workbook:
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    return book


def add_table(book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
              widths: Sequence[int] | None = None) -> Worksheet:
    """A sheet with a bold frozen header, set widths and Excel dates shown as dates."""
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    for index, title_text in enumerate(header, start=1):
        width = widths[index - 1] if widths else max(10, _display_width(title_text) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.number_format = _number_format(cell.value, cell.number_format)
    return sheet


def _number_format(value: Any, current: str) -> str:
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, dt.time):
        return TIME_FORMAT
    return current


def _display_width(text: str) -> int:
    """Columns a text takes: full-width (Japanese) characters count twice."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(text))


def fit_widths(sheet: Worksheet, minimum: int = 8, maximum: int = 60) -> None:
    """Set each column's width to its longest value (dates and times by their format)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            value = cell.value
            if isinstance(value, dt.datetime):
                length = len(DATETIME_FORMAT)
            elif isinstance(value, dt.date):
                length = len(DATE_FORMAT)
            elif isinstance(value, dt.time):
                length = len(TIME_FORMAT)
            else:
                length = max(_display_width(line) for line in str(value).split("\n"))
            column = int(cell.column)
            widths[column] = max(widths.get(column, 0), length)
    for column, length in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(
            maximum, max(minimum, length + 2))


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return "" if value is None else value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Japanese text correctly; CRLF as Excel writes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_text_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique worksheet title (at most 31 characters, none of []:*?/\\)."""
    base = _SHEET_TITLE_FORBIDDEN.sub("_", text).strip("'")[:31] or "sheet"
    title, counter = base, 2
    while title.casefold() in taken:
        suffix = f"~{counter}"
        title = base[: 31 - len(suffix)] + suffix
        counter += 1
    taken.add(title.casefold())
    return title


def file_stem(text: str) -> str:
    """A file name part from an id: letters, digits, - and _ only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text) or "_"
