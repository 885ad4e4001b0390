"""The template staff fill in (and the same sheets filled with a scenario's records).

The workbook has the expert and application sheets (header and one example row,
or every record of a scenario), a notes sheet explaining each column in Japanese
with English beside it, and a hidden sheet of allowed values that the
enumerated columns' dropdowns point to. The CSV templates are the same sheets,
one file each.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from domain.scenario import Scenario, Vocabulary
from spreadsheets.cells import Choices, Lexicon
from spreadsheets.columns import (
    CHOICE_KINDS,
    EXPERT_SHEET,
    MULTI_VALUE_KINDS,
    SHEETS,
    Column,
    Sheet,
)
from spreadsheets.records import row_from_record
from spreadsheets.workbook import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    add_table,
    csv_bytes,
    fit_widths,
    new_workbook,
    workbook_bytes,
)

NOTES_SHEET = "記入方法"
CHOICES_SHEET = "選択肢"
# Rows that get dropdowns and formats in an empty template.
TEMPLATE_ROWS = 500

EXAMPLE_EXPERT: dict[str, Any] = {
    "id": "E001", "name": "山田 花子", "qualifications": ["sharoushi", "career_consultant"],
    "industries": ["retail", "food_service"], "modes": ["onsite", "online"],
    "base_area": "新宿区", "max_associations": 6, "max_sessions_per_day": 2,
    "max_sessions_per_week": 4,
    "availability": {
        "weekly": {"mon": [["10:00", "17:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]]},
        "dates": {"2025-08-21": []},
        "blocked": [{"start": "2025-08-11", "end": "2025-08-15"}],
    },
    "conflicts": ["A001"], "email": "yamada@example.jp",
}

EXAMPLE_APPLICATION: dict[str, Any] = {
    "id": "A001", "name": "東京都〇〇商店街振興組合連合会", "legal_form": "sme_cooperative",
    "prefecture": "東京都", "city": "千代田区", "address": "東京都千代田区〇〇1-2-3",
    "industry": "retail", "member_count": 350, "applied_at": "2025-07-02T10:15:00+09:00",
    "decided_on": "2025-07-16", "status": "accepted", "needs": ["labour_law", "mental_health"],
    "sessions_requested": 5, "session_minutes": 120, "mode": "either", "has_manual": False,
    "availability": {"weekly": {"tue": [["13:00", "17:00"]], "wed": [["09:00", "17:00"]]}},
    "contact": {"name": "佐藤 一郎", "email": "sato@example.jp", "phone": "03-0000-0000"},
}


def _records(scenario: Scenario | None, sheet: Sheet) -> list[dict[str, Any]]:
    if scenario is None:
        return [EXAMPLE_EXPERT if sheet is EXPERT_SHEET else EXAMPLE_APPLICATION]
    records = scenario.experts if sheet is EXPERT_SHEET else scenario.associations
    return [record.model_dump(mode="json", exclude_none=True) for record in records]


def _lexicon_and_zone(scenario: Scenario | None) -> tuple[Lexicon, str]:
    if scenario is None:
        return Lexicon.of(Vocabulary.default()), "Asia/Tokyo"
    return Lexicon.of(scenario.programme.words), scenario.programme.timezone


def sheet_rows(sheet: Sheet, scenario: Scenario | None, lang: str = "ja") -> list[list[Any]]:
    lexicon, zone = _lexicon_and_zone(scenario)
    return [row_from_record(sheet, record, lexicon, zone, lang)
            for record in _records(scenario, sheet)]


def _choices_of(column: Column, lexicon: Lexicon) -> Choices | None:
    name = CHOICE_KINDS.get(column.kind)
    if name is None or name == "bool":
        return None
    choices: Choices = getattr(lexicon, name)
    return choices


def _allowed(column: Column, lexicon: Lexicon, lang: str) -> list[str]:
    if column.kind == "bool":
        return ["有", "無"] if lang == "ja" else ["yes", "no"]
    choices = _choices_of(column, lexicon)
    if choices is None:
        return []
    values = [choices.label(key, lang) for key in choices.labels]
    if column.kind == "session_modes":
        values.append("訪問、オンライン" if lang == "ja" else "onsite, online")
    return values


def notes_rows(lexicon: Lexicon) -> tuple[list[str], list[list[Any]]]:
    header = ["シート", "列", "必須", "説明", "選べる値", "Sheet", "Column", "Required",
              "Description", "Allowed values"]
    rows = []
    for sheet in SHEETS:
        for column in sheet.columns:
            rows.append([
                sheet.ja, column.ja, "必須" if column.required else "", column.note_ja,
                "、".join(_allowed(column, lexicon, "ja")),
                sheet.en, column.en, "required" if column.required else "", column.note_en,
                ", ".join(_allowed(column, lexicon, "en")),
            ])
    return header, rows


def _add_validations(worksheet: Worksheet, sheet: Sheet, choice_ranges: dict[str, str],
                     last_row: int) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{last_row}"
        validation: DataValidation | None = None
        if column.kind in CHOICE_KINDS:
            # Several values per cell, or an open list (industries): a dropdown that
            # suggests, not one that refuses what staff type.
            strict = column.kind not in MULTI_VALUE_KINDS and column.kind != "industry"
            validation = DataValidation(
                type="list", formula1=choice_ranges[column.field], allow_blank=True,
                showErrorMessage=strict, errorTitle=column.ja,
                error=f"{column.note_ja} / {column.note_en}")
        elif column.kind == "int":
            validation = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                showErrorMessage=True, errorTitle=column.ja,
                error=f"整数を入力してください / enter a whole number. {column.note_ja}")
        if validation is not None:
            validation.promptTitle = column.ja[:32]
            validation.prompt = column.note_ja[:255]
            validation.showInputMessage = True
            worksheet.add_data_validation(validation)
            validation.add(cells)
        fmt = {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT}.get(column.kind)
        if fmt:
            for row in range(2, last_row + 1):
                worksheet[f"{letter}{row}"].number_format = fmt


def template_workbook(scenario: Scenario | None = None, lang: str = "ja") -> bytes:
    """The template (one example row per sheet), or the sheets of ``scenario``'s records."""
    lexicon, _ = _lexicon_and_zone(scenario)
    book = new_workbook()
    data_sheets = []
    for sheet in SHEETS:
        rows = sheet_rows(sheet, scenario, lang)
        worksheet = add_table(book, sheet.name(lang), [c.header(lang) for c in sheet.columns],
                              rows, [c.width for c in sheet.columns])
        data_sheets.append((worksheet, sheet, len(rows)))

    notes_header, notes = notes_rows(lexicon)
    notes_sheet = add_table(book, NOTES_SHEET if lang == "ja" else "notes", notes_header, notes)
    fit_widths(notes_sheet)

    choices_sheet = book.create_sheet(CHOICES_SHEET if lang == "ja" else "choices")
    choice_ranges: dict[str, str] = {}
    chosen = [c for sheet in SHEETS for c in sheet.columns if c.kind in CHOICE_KINDS]
    for index, column in enumerate(chosen, start=1):
        letter = get_column_letter(index)
        values = _allowed(column, lexicon, lang)
        choices_sheet.cell(row=1, column=index, value=column.header(lang))
        for row, value in enumerate(values, start=2):
            choices_sheet.cell(row=row, column=index, value=value)
        choice_ranges[column.field] = (
            f"{quote_sheetname(choices_sheet.title)}!${letter}$2:${letter}${len(values) + 1}")
    choices_sheet.sheet_state = "hidden"

    for worksheet, sheet, count in data_sheets:
        _add_validations(worksheet, sheet, choice_ranges, max(TEMPLATE_ROWS, count + 100))
    return workbook_bytes(book)


def template_csvs(scenario: Scenario | None = None, lang: str = "ja") -> dict[str, bytes]:
    """``experts.csv``, ``applications.csv`` and ``notes.csv`` (UTF-8 with BOM)."""
    lexicon, _ = _lexicon_and_zone(scenario)
    files = {}
    for sheet in SHEETS:
        files[f"{sheet.en}.csv"] = csv_bytes([c.header(lang) for c in sheet.columns],
                                             sheet_rows(sheet, scenario, lang))
    notes_header, notes = notes_rows(lexicon)
    files["notes.csv"] = csv_bytes(notes_header, notes)
    return files

