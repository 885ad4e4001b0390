"""The results report for Excel (CSV and .xlsx, Japanese first, English beside it), and
the sheet of sessions held that it counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from domain.errors import InputError, Issue
from domain.report import HeldSession, Report
from spreadsheets import cells
from spreadsheets.importing import decode_csv
from spreadsheets.workbook import (
    add_table,
    csv_bytes,
    new_workbook,
    sheet_title,
    workbook_bytes,
)


def _cell(value: int | float | None) -> int | float | str:
    return "" if value is None else value


def report_csv(report: Report) -> bytes:
    """All tables in one CSV (UTF-8 with BOM): a title row, Japanese then English headers."""
    labels = report.figure_labels
    rows: list[list[object]] = [
        [report.programme],
        [],
        ["合計", "Totals"],
        ["項目", "件数"],
        ["Item", "Count"],
    ]
    rows += [[f"{labels[key]['ja']} ({labels[key]['en']})", _cell(value)]
             for key, value in report.totals.items()]
    for table in report.tables:
        rows += [[], [table.title, table.title_en]]
        if table.note:
            rows.append([table.note, table.note_en])
        rows.append(["区分", "Category", *(labels[c]["ja"] for c in table.columns)])
        rows.append(["", "", *(labels[c]["en"] for c in table.columns)])
        rows += [[row.label, row.label_en, *(_cell(row.values.get(c)) for c in table.columns)]
                 for row in table.rows]
    first, *rest = rows
    return csv_bytes([str(cell) for cell in first], rest)


def report_workbook(report: Report, lang: str = "ja") -> bytes:
    """The report as an Excel workbook: the totals, then a sheet per table, headers in
    ``lang`` ("ja" or "en"); a figure that does not apply yet is an empty cell."""
    labels = report.figure_labels
    book = new_workbook()
    english = lang == "en"
    # Excel refuses a sheet name over 31 characters: a title cut to fit is written in full
    # under its table.
    taken: set[str] = set()
    add_table(book, sheet_title("Totals" if english else "合計", taken),
              ["Item" if english else "項目", "Count" if english else "件数"],
              [[labels[key][lang], value] for key, value in report.totals.items()],
              widths=[28, 10])
    for table in report.tables:
        header = ["Category" if english else "区分", *(labels[c][lang] for c in table.columns)]
        title = table.title_en if english else table.title
        sheet = add_table(book, sheet_title(title, taken), header,
                          [[row.label_en if english else row.label,
                            *(row.values.get(c) for c in table.columns)] for row in table.rows],
                          widths=[24, *(16 for _ in table.columns)])
        cut = sheet.title != title
        if cut or table.note:
            sheet.append([])
        if cut:
            sheet.append([title])
        if table.note:
            sheet.append([table.note_en if english else table.note])
    return workbook_bytes(book)


_HELD_COLUMNS = {"association_id": ("団体id", "association_id", "associationid"),
                 "number": ("回", "number", "no."),
                 "date": ("実施日", "日付", "date")}


def read_held(data: bytes, source: str) -> list[HeldSession]:
    """Held sessions from JSON (``[{"association_id", "number", "date"?}]``) or CSV
    (columns 団体ID, 回 and optionally 実施日; English names accepted)."""
    text = decode_csv(data, source)
    if text.lstrip().startswith(("[", "{")):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(source, [Issue("", f"not valid JSON: {exc.msg} at line "
                                                f"{exc.lineno}")]) from None
        if not isinstance(raw, list):
            raise InputError(source, [Issue("", "expected a list of held sessions")])
        records = [(f"[{i}]", item) for i, item in enumerate(raw)]
    else:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [cells.normalise(h).casefold().replace(" ", "") for h in next(reader, [])]
        positions = {name: next((i for i, h in enumerate(header) if h in aliases), None)
                     for name, aliases in _HELD_COLUMNS.items()}
        missing = [name for name in ("association_id", "number") if positions[name] is None]
        if missing:
            raise InputError(source, [Issue("", f"missing column(s): {', '.join(missing)} "
                                                "(団体ID, 回)")])
        records = []
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            # The line a spreadsheet or text editor shows, the header being line 1.
            records.append((f"行{line} (line {line})", {
                name: row[i] if i is not None and i < len(row) and row[i].strip() else None
                for name, i in positions.items()}))
    held: list[HeldSession] = []
    issues: list[Issue] = []
    for where, item in records:
        if not isinstance(item, dict):
            issues.append(Issue(where, "expected an object with association_id and number"))
            continue
        try:
            association_id = cells.parse_text(item.get("association_id") or "")
            if not association_id:
                raise cells.CellProblem("団体IDが空です", "association_id is missing")
            number = cells.parse_int(item.get("number"))
            day = item.get("date")
            held.append(HeldSession(association_id, number, dt.date.fromisoformat(
                cells.parse_date(day)) if not cells.is_blank(day) else None,
                source_place=where if not where.startswith("[") else None))
        except cells.CellProblem as problem:
            issues.append(Issue(where, f"{problem.ja} / {problem.en}"))
    if issues:
        raise InputError(source, issues)
    return held
