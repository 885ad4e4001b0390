"""Value types of the exchange format: clock times and dates as strings on the wire."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from domain.errors import quoted

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_clock(value: Any) -> int:
    """``"HH:MM"`` -> minutes after midnight (``"24:00"`` allowed as an end)."""
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f"{quoted(value)} is not a clock time HH:MM")
    hours, minutes = int(value[:2]), int(value[3:])
    if hours == 24 and minutes:
        raise ValueError(f"{quoted(value)} is not a clock time HH:MM")
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError(f"{quoted(value)} is not a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{quoted(value)} is not a calendar date") from None


# Minutes after midnight inside the program; "HH:MM" in JSON.
ClockTime = Annotated[
    int,
    BeforeValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}$", "examples": ["09:30"]}),
]

IsoDate = Annotated[
    dt.date,
    BeforeValidator(parse_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
