"""Import experts and applications from the secretariat's Excel or CSV sheets.

Rows become exchange-format records and ``domain.loading.parse_scenario``
validates the merged scenario, so every rule is the domain's. Problems come back
all at once, each naming the sheet, the row and the column header
(``専門家!行5 (E004) 上限団体数: 整数ではありません``), and nothing is returned
unless every row imports.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import re
import zipfile
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from domain.errors import InputError, Issue, excerpt, format_path
from domain.loading import parse_scenario
from domain.programmes import TOKYO_PROGRAMME
from domain.scenario import Scenario, Vocabulary
from spreadsheets import cells
from spreadsheets.cells import Lexicon
from spreadsheets.columns import SHEETS, Column, Sheet
from spreadsheets.records import record_from_row


@dataclass(frozen=True)
class Table:
    """One sheet as read: its header and its non-blank rows with their row numbers."""

    sheet: Sheet
    name: str  # what staff see: the sheet's name, or the CSV file's name
    header: list[object]
    rows: list[tuple[int, list[object]]]  # (row number as Excel shows it, cells)


@dataclass(frozen=True)
class SheetIssue:
    """One problem, located as staff see it: sheet, row, record id, column."""

    table: str
    table_en: str
    row: int | None
    record_id: str | None
    column: Column | None
    ja: str
    en: str

    def where(self, lang: str = "ja") -> str:
        text = self.table if lang == "ja" else self.table_en
        if self.row is not None:
            text += f"!行{self.row}" if lang == "ja" else f"!row {self.row}"
        if self.record_id:
            text += f" ({self.record_id})"
        if self.column is not None:
            text += f" {self.column.header(lang)}"
        return text

    def text(self, lang: str = "ja") -> str:
        where = self.where(lang)
        message = self.ja if lang == "ja" else self.en
        return f"{where}: {message}" if where else message

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for an API's error response."""
        return {"sheet": self.table, "row": self.row, "record_id": self.record_id,
                "column": self.column.ja if self.column else None,
                "column_en": self.column.en if self.column else None,
                "message": self.ja, "message_en": self.en,
                "text": self.text("ja"), "text_en": self.text("en")}


class SpreadsheetError(InputError):
    """Sheets that do not import; every problem in Japanese, each with its English line."""

    def __init__(self, source: str, sheet_issues: Sequence[SheetIssue]) -> None:
        self.sheet_issues = list(sheet_issues)
        super().__init__(source, [Issue(item.where("ja"), item.ja) for item in sheet_issues])

    def render(self) -> str:
        count = len(self.sheet_issues)
        lines = [f"{self.source}: {count}件のエラー ({count} error(s))"]
        for item in self.sheet_issues:
            lines.append(f"  {item.text('ja')}")
            lines.append(f"    {item.text('en')}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    document: dict[str, Any]  # the scenario in the exchange format, ready for JSON
    scenario: Scenario
    imported: dict[str, int] = field(default_factory=dict)  # rows read per kind


# --------------------------------------------------------------------------- reading


def _sheet_for(name: str) -> Sheet | None:
    folded = cells.fold(name)
    for sheet in SHEETS:
        if folded in {cells.fold(n) for n in (sheet.ja, sheet.en, sheet.kind, *sheet.aliases)}:
            return sheet
    return None


Rows = list[tuple[int, list[object]]]

# Excel keeps at most this many characters in a cell; a longer one was not made by Excel.
CELL_TEXT_LENGTH = 32_767


@dataclass(frozen=True)
class SheetLimits:
    """What one upload may unpack to, so that a small hostile file cannot take the
    server's memory: the workbook's files uncompressed, and the cells of all its sheets."""

    unpacked_bytes: int = 64 * 2**20
    cells: int = 1_000_000


class _Counter:
    def __init__(self, limits: SheetLimits, source: str) -> None:
        self.limits, self.source, self.cells = limits, source, 0

    def row(self, table: str, number: int, cells_of_row: Sequence[object]) -> None:
        self.cells += len(cells_of_row)
        if self.cells > self.limits.cells:
            raise InputError(self.source, [Issue(table, (
                f"セルが{self.limits.cells:,}個を超えています / more than "
                f"{self.limits.cells:,} cells (the limit of one file)"))])
        for index, value in enumerate(cells_of_row):
            if isinstance(value, str) and len(value) > CELL_TEXT_LENGTH:
                place = f"{table}!{get_column_letter(index + 1)}{number}"
                raise InputError(self.source, [Issue(place, (
                    f"{len(value):,}文字あります（1セル{CELL_TEXT_LENGTH:,}文字まで） / "
                    f"{len(value):,} characters, more than a cell holds "
                    f"({CELL_TEXT_LENGTH:,}): {excerpt(value)}"))])


def _rows(values: Iterable[Sequence[object]], counter: _Counter,
          table: str) -> tuple[list[object], Rows]:
    header: list[object] = []
    rows: list[tuple[int, list[object]]] = []
    for number, row in enumerate(values, start=1):
        cells_of_row = list(row)
        counter.row(table, number, cells_of_row)
        if number == 1:
            header = cells_of_row
        elif not all(cells.is_blank(value) for value in cells_of_row):
            rows.append((number, cells_of_row))
    return header, rows


def _check_unpacked_size(handle: io.BytesIO, source: str, limits: SheetLimits) -> None:
    """Refuse a workbook whose files unpack past the limit, before openpyxl reads them
    (it reads all shared strings at once). zipfile stops at each file's declared size,
    so a file cannot unpack to more than the sizes summed here."""
    with zipfile.ZipFile(handle) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    handle.seek(0)
    if unpacked > limits.unpacked_bytes:
        raise InputError(source, [Issue("", (
            f"展開すると{unpacked:,}バイトになり、上限の{limits.unpacked_bytes:,}バイトを"
            "超えます / "
            f"unpacks to {unpacked:,} bytes, more than the {limits.unpacked_bytes:,} bytes "
            "a workbook may"))])


def read_xlsx(data: bytes | Path, source: str, limits: SheetLimits | None = None) -> list[Table]:
    """The expert and application sheets of a workbook (other sheets are ignored)."""
    limits = limits or SheetLimits()
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as error:
            raise InputError(source, [Issue("", f"cannot read: {error.strerror}")]) from None
    counter = _Counter(limits, source)
    with io.BytesIO(data) as handle:
        try:
            _check_unpacked_size(handle, source, limits)
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
            not_xlsx = "Excelブック(.xlsx)として読めません / not an Excel workbook (.xlsx)"
            raise InputError(source, [Issue("", not_xlsx)]) from None
        try:
            tables = []
            for worksheet in book.worksheets:
                sheet = _sheet_for(worksheet.title)
                if sheet is not None:
                    header, rows = _rows(worksheet.iter_rows(values_only=True), counter,
                                         worksheet.title)
                    tables.append(Table(sheet, worksheet.title, header, rows))
        finally:
            book.close()
    if not tables:
        names = "、".join(f"「{sheet.ja}」" for sheet in SHEETS)
        raise InputError(source, [Issue("", f"{names}のシートがありません / no sheet named "
                                            f"{' or '.join(sheet.en for sheet in SHEETS)}")])
    return tables


def decode_csv(data: bytes, source: str) -> str:
    """UTF-8 with or without BOM; Shift_JIS (cp932), which Excel in Japan saves by default."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(source, [Issue("", "UTF-8でもShift_JISでもありません / "
                                        "not UTF-8 or Shift_JIS text")])


def read_csv(data: bytes | Path, sheet: Sheet, name: str | None = None,
             limits: SheetLimits | None = None) -> Table:
    """One CSV file as the given sheet; rows are numbered as Excel shows them."""
    source = name or (str(data) if isinstance(data, Path) else sheet.en)
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as error:
            raise InputError(source, [Issue("", f"cannot read: {error.strerror}")]) from None
    text = decode_csv(data, source)
    table = Path(source).name
    counter = _Counter(limits or SheetLimits(), source)
    header, rows = _rows(csv.reader(io.StringIO(text, newline="")), counter, table)
    return Table(sheet, table, header, rows)


# --------------------------------------------------------------------------- headers

_IGNORED_HEADER = re.compile(r"^(#|備考|メモ|note)", re.IGNORECASE)


def _header_names(column: Column) -> set[str]:
    names = {column.ja, column.en, column.field}
    if not column.field.startswith("contact."):  # contact.name is not the name column
        names.add(column.field.rsplit(".", 1)[-1])
    if column.field.startswith("contact."):
        names.add(column.field.replace(".", "_"))  # contact_email
    if column.field == "needs.primary":
        names.add("primary_need")
    if column.field == "needs.others":
        names |= {"other_needs", "secondary_needs"}
    return {cells.fold(name) for name in names}


def _map_header(table: Table) -> tuple[dict[int, Column], list[SheetIssue]]:
    by_name = {name: column for column in table.sheet.columns for name in _header_names(column)}
    positions: dict[int, Column] = {}
    seen: dict[Column, str] = {}
    issues = []
    for index, title in enumerate(table.header):
        text = cells.as_text(title) if not cells.is_blank(title) else ""
        if not text or _IGNORED_HEADER.match(text):
            continue
        column = by_name.get(cells.fold(text))
        if column is None:
            known = "、".join(c.ja for c in table.sheet.columns)
            issues.append(SheetIssue(table.name, table.name, 1, None, None,
                                     f"列「{text}」は使えません（使える列: {known}）",
                                     f"unknown column {text!r} (columns: "
                                     f"{', '.join(c.en for c in table.sheet.columns)})"))
        elif column in seen:
            issues.append(SheetIssue(table.name, table.name, 1, None, column,
                                     f"列が二つあります（「{seen[column]}」と「{text}」）",
                                     f"column given twice ({seen[column]!r} and {text!r})"))
        else:
            positions[index] = column
            seen[column] = text
    return positions, issues


# --------------------------------------------------------------------------- importing


@dataclass(frozen=True)
class _Origin:
    table: Table
    row: int
    record_id: str | None


def _default_base() -> dict[str, Any]:
    return {"programme": copy.deepcopy(TOKYO_PROGRAMME), "experts": [], "associations": [],
            "pinned": []}


def _programme_words(programme: Any) -> tuple[Lexicon, str]:
    """Vocabulary and time zone of the base programme; defaults if it is malformed
    (the domain then reports the programme's own errors)."""
    vocabulary = Vocabulary.default()
    timezone = "Asia/Tokyo"
    if isinstance(programme, dict):
        if programme.get("vocabulary") is not None:
            with contextlib.suppress(ValidationError):
                vocabulary = Vocabulary.model_validate(programme["vocabulary"])
        zone = programme.get("timezone")
        if isinstance(zone, str):
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                zoneinfo.ZoneInfo(zone)
                timezone = zone
    return Lexicon.of(vocabulary), timezone


# The domain's messages are in English; the frequent ones read in Japanese here.
_JAPANESE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"missing required field", "必須項目が空です"),
        (r"String should have at most (\S+) characters?", r"\1文字以内にしてください"),
        (r"NUL characters and lone surrogates are not accepted",
         "使えない文字（NUL）が含まれています"),
        (r"unknown field", "不明な項目です"),
        (r"Input should be greater than or equal to (\S+)", r"\1以上にしてください"),
        (r"Input should be greater than (\S+)", r"\1より大きくしてください"),
        (r"end (\S+) is before start (\S+)", r"終了 \1 が開始 \2 より前です"),
        (r"end (\S+) is equal to start (\S+)", r"終了 \1 と開始 \2 が同じです"),
        (r"'(.*)' is not a clock time HH:MM", r"「\1」は時刻(HH:MM)ではありません"),
        (r"duplicate id '(.*)'", r"ID「\1」が重複しています"),
        (r"'(.*)' is not an e-mail address: .*", r"「\1」はメールアドレスの形式ではありません"),
        (r"unknown association '(.*)'", r"団体ID「\1」の団体がありません"),
        (r"unknown qualification '(.*)'", r"資格「\1」は事業の資格にありません"),
        (r"unknown need '(.*)'", r"ニーズ「\1」は事業のニーズにありません"),
        (r"a need is listed twice", "同じニーズが二度書かれています"),
        (r"(\d+) is above the programme's max_sessions (\d+)",
         r"\1回は事業の上限 \2回を超えています"),
        (r"(\d+) is outside the programme's range (\d+)\.\.(\d+)",
         r"\1分は事業の範囲（\2〜\3分）の外です"),
        (r"decided_on is required when status is '(.*)'", r"状況が「\1」のときは決定日が必要です"),
    ))


def _translate(message: str) -> str:
    for pattern, replacement in _JAPANESE_MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


def _validate(document: dict[str, Any], source: str,
              origins: dict[tuple[str, int], tuple[int, _Origin]],
              cell_problems: set[tuple[int, int, Column]], base_source: str,
              ) -> tuple[Scenario | None, list[SheetIssue]]:
    """The domain's verdict on the whole document, every issue placed on its row.

    The domain names every problem in one pass (cross-record rules are run on the
    records that validate even when others do not), so one pass names every problem.
    """
    try:
        return parse_scenario(document, source), []
    except InputError as error:
        return None, _locate(error.issues, document, origins, cell_problems, base_source)


def _column_for(sheet: Sheet, rest: str) -> Column | None:
    """The column of a domain path's remainder (``.needs[1]``, ``.availability.dates``)."""
    match = re.match(r"\.(\w+)(?:\[(\d+)\])?(?:\.(\w+))?", rest)
    if match is None:
        return None
    name, index, sub = match.groups()
    if name == "needs":
        name = "needs.others" if index and int(index) > 0 else "needs.primary"
    elif name == "availability":
        name = f"availability.{sub}" if sub in ("weekly", "dates", "blocked") else (
            "availability.weekly")
    elif name == "contact":
        name = f"contact.{sub}" if sub in ("name", "email", "phone") else "contact.email"
    return next((column for column in sheet.columns if column.field == name), None)


def import_tables(tables: Sequence[Table], base: dict[str, Any] | None = None,
                  source: str = "sheets", base_source: str = "base scenario") -> ImportResult:
    """Merge the tables' rows into ``base`` (default: the Tokyo programme, no records).

    A row replaces the base record with the same id; base records of a kind that
    no table gives stay. Raises ``SpreadsheetError`` naming every problem.
    """
    document = copy.deepcopy(base) if base is not None else _default_base()
    if not isinstance(document, dict):
        raise InputError(base_source, [Issue("", "not a JSON object")])
    lexicon, timezone = _programme_words(document.get("programme"))

    issues: list[SheetIssue] = []
    cell_problems: set[tuple[int, int, Column]] = set()  # (table, row, column) already named
    sheet_records: dict[str, list[tuple[dict[str, Any], _Origin]]] = {}
    for table_index, table in enumerate(tables):
        positions, header_issues = _map_header(table)
        issues += header_issues
        records = sheet_records.setdefault(table.sheet.kind, [])
        for number, values in table.rows:
            row = {column: values[i] for i, column in positions.items() if i < len(values)}
            record, problems = record_from_row(table.sheet, row, lexicon, timezone)
            record_id = record.get("id") if isinstance(record.get("id"), str) else None
            for column, problem in problems:
                cell_problems.add((table_index, number, column))
                issues.append(SheetIssue(table.name, table.name, number, record_id, column,
                                         problem.ja, problem.en))
            records.append((record, _Origin(table, number, record_id)))

    origins: dict[tuple[str, int], tuple[int, _Origin]] = {}
    for kind, records in sheet_records.items():
        given = {record.get("id") for record, _ in records}
        kept = [r for r in document.get(kind) or [] if not (isinstance(r, dict)
                                                            and r.get("id") in given)]
        document[kind] = kept + [record for record, _ in records]
        for offset, (_, origin) in enumerate(records):
            origins[(kind, len(kept) + offset)] = (tables.index(origin.table), origin)
    imported = {kind: len(records) for kind, records in sheet_records.items()}

    scenario, domain_issues = _validate(document, source, origins, cell_problems, base_source)
    issues += domain_issues
    if issues or scenario is None:
        order = {table.name: i for i, table in enumerate(tables)}
        issues.sort(key=lambda item: (order.get(item.table, len(order)), item.row or 0,
                                      _column_index(item)))
        raise SpreadsheetError(source, issues)
    return ImportResult(document, scenario, imported)


def _column_index(item: SheetIssue) -> int:
    if item.column is None:
        return -1
    for sheet in SHEETS:
        if item.column in sheet.columns:
            return sheet.columns.index(item.column)
    return -1


def _locate(domain_issues: Iterable[Issue], document: dict[str, Any],
            origins: dict[tuple[str, int], tuple[int, _Origin]],
            cell_problems: set[tuple[int, int, Column]], base_source: str) -> list[SheetIssue]:
    """Domain issues (``experts[3] (E004).max_associations``) as sheet, row and column."""
    prefixes = {key: format_path(key, document) for key in origins}
    located = []
    for issue in domain_issues:
        for key, prefix in prefixes.items():
            rest = issue.path[len(prefix):]
            if issue.path.startswith(prefix) and (not rest or rest[0] == "."):
                table_index, origin = origins[key]
                column = _column_for(origin.table.sheet, rest)
                if column is not None and (table_index, origin.row, column) in cell_problems:
                    break  # the unreadable cell is already named
                message = issue.message if column is not None or not rest else (
                    f"{rest.lstrip('.')}: {issue.message}")
                located.append(SheetIssue(origin.table.name, origin.table.name, origin.row,
                                          origin.record_id, column, _translate(message),
                                          message))
                break
        else:
            located.append(SheetIssue(base_source, base_source, None, None, None,
                                      f"{issue.path}: {_translate(issue.message)}",
                                      str(issue)))
    return located
