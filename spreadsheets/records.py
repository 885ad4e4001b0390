"""One sheet row <-> one exchange-format record (an expert or an association)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from spreadsheets import cells
from spreadsheets.cells import CellProblem, Lexicon
from spreadsheets.columns import MULTI_VALUE_KINDS, Column, Sheet


def _choices(lexicon: Lexicon, column: Column) -> cells.Choices:
    return {
        "qualifications": lexicon.qualifications, "industries": lexicon.industries,
        "industry": lexicon.industries, "session_modes": lexicon.session_modes,
        "legal_form": lexicon.legal_forms, "status": lexicon.statuses,
        "primary_need": lexicon.needs, "secondary_needs": lexicon.needs,
        "association_mode": lexicon.association_modes,
    }[column.kind]


def parse_cell(column: Column, value: object, lexicon: Lexicon, timezone: str) -> Any:
    """The JSON value of one non-blank cell; raises ``CellProblem``."""
    kind = column.kind
    if kind == "text":
        return cells.parse_text(value)
    if kind == "int":
        return cells.parse_int(value)
    if kind == "bool":
        return cells.parse_bool(value)
    if kind == "date":
        return cells.parse_date(value)
    if kind == "datetime":
        return cells.parse_datetime(value, timezone)
    if kind == "ids":
        return cells.split_list(value)
    if kind == "weekly":
        return cells.parse_weekly(value)
    if kind == "dates":
        return cells.parse_dates(value)
    if kind == "blocked":
        return cells.parse_blocked(value)
    choices = _choices(lexicon, column)
    if kind in ("qualifications", "industries", "secondary_needs"):
        return [choices.lookup(part) for part in cells.split_list(value)]
    if kind == "session_modes":
        modes: list[str] = []
        for part in cells.split_list(value):
            # An expert who does both may write 訪問・オンラインいずれも可.
            key = lexicon.association_modes.lookup(part)
            for mode in ("onsite", "online") if key == "either" else (key,):
                if mode not in modes:
                    modes.append(mode)
        return modes
    return choices.lookup(cells.as_text(value))


def record_from_row(
    sheet: Sheet, row: Mapping[Column, object], lexicon: Lexicon, timezone: str
) -> tuple[dict[str, Any], list[tuple[Column, CellProblem]]]:
    """The record of one row, without the fields whose cells are blank or unreadable."""
    record: dict[str, Any] = {}
    problems: list[tuple[Column, CellProblem]] = []
    availability: dict[str, Any] = {}
    contact: dict[str, Any] = {}
    primary: str | None = None
    others: list[str] = []
    for column in sheet.columns:
        value = row.get(column)
        if cells.is_blank(value):
            continue
        try:
            parsed = parse_cell(column, value, lexicon, timezone)
        except CellProblem as problem:
            problems.append((column, problem))
            continue
        if column.field.startswith("availability."):
            availability[column.field.removeprefix("availability.")] = parsed
        elif column.field.startswith("contact."):
            contact[column.field.removeprefix("contact.")] = parsed
        elif column.field == "needs.primary":
            primary = parsed
        elif column.field == "needs.others":
            others = parsed
        else:
            record[column.field] = parsed
    if primary is not None or others:
        # Blank primary need with others filled: the domain names the missing first need.
        record["needs"] = [primary, *others] if primary is not None else [None, *others]
    if availability:
        record["availability"] = availability
    if contact:
        record["contact"] = contact
    return record, problems


def format_cell(column: Column, value: Any, lexicon: Lexicon, timezone: str,
                lang: str = "ja") -> Any:
    """The cell staff see for a JSON value (Excel dates and datetimes as such)."""
    kind = column.kind
    if value is None:
        return None
    if kind in ("text", "int"):
        return value
    if kind == "bool":
        return ("有" if value else "無") if lang == "ja" else ("yes" if value else "no")
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        moment = dt.datetime.fromisoformat(value).astimezone(zoneinfo.ZoneInfo(timezone))
        return moment.replace(tzinfo=None)
    if kind == "ids":
        return "、".join(value) if lang == "ja" else ", ".join(value)
    if kind == "weekly":
        return cells.format_weekly(value, lang)
    if kind == "dates":
        return cells.format_dates(value, lang)
    if kind == "blocked":
        return cells.format_blocked(value)
    choices = _choices(lexicon, column)
    if isinstance(value, list):
        separator = "、" if lang == "ja" else ", "
        return separator.join(choices.label(key, lang) for key in value)
    return choices.label(value, lang)


def row_from_record(sheet: Sheet, record: Mapping[str, Any], lexicon: Lexicon, timezone: str,
                    lang: str = "ja") -> list[Any]:
    """The cells of one record (a JSON dict of the exchange format), in column order."""
    availability = record.get("availability") or {}
    contact = record.get("contact") or {}
    needs = list(record.get("needs") or [])
    row = []
    for column in sheet.columns:
        value: Any
        if column.field.startswith("availability."):
            part = column.field.removeprefix("availability.")
            value = availability.get(part)
            # Blank weekly means business hours; an empty weekly has to be written out.
            if part != "weekly" and not value:
                value = None
        elif column.field.startswith("contact."):
            value = contact.get(column.field.removeprefix("contact.")) or None
        elif column.field == "needs.primary":
            value = needs[0] if needs else None
        elif column.field == "needs.others":
            value = needs[1:] or None
        else:
            value = record.get(column.field)
            if column.kind in MULTI_VALUE_KINDS and not value:
                value = None
        row.append(format_cell(column, value, lexicon, timezone, lang))
    return row

