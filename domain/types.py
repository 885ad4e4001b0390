"""Value types of the exchange format: clock times and dates as strings on the wire."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    NaiveDatetime,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.fields import FieldInfo

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


_SCALARS = (bool, int, float)
# Written as text in JSON; pydantic would otherwise take a number as a Unix time.
_TIMES = (dt.datetime, dt.date, dt.time, AwareDatetime, NaiveDatetime)


def _scalar_kinds(field: FieldInfo) -> frozenset[type]:
    """The JSON scalar types a field takes as written, or none when the field parses its
    own text (clock times, dates) or is not a plain number or flag."""
    if any(isinstance(m, BeforeValidator | PlainValidator) for m in field.metadata):
        return frozenset()
    annotation = field.annotation
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (
        annotation,)
    if any(option not in (*_SCALARS, *_TIMES, type(None)) for option in options):
        return frozenset()
    return frozenset(option for option in options if option is not type(None))


def scalars_as_written(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    """Numbers and true/false only as JSON writes them: pydantic would otherwise take
    ``"5"`` or ``true`` for a number and ``"yes"`` or ``1`` for a flag, so a malformed
    document would pass as valid. A model takes it as
    ``field_validator("*", mode="before")(scalars_as_written)``."""
    if info.field_name is None or value is None:
        return value
    kinds = _field_kinds(cls, info.field_name)
    if not kinds:
        return value
    if not kinds.isdisjoint(_TIMES):
        if not isinstance(value, str | dt.date | dt.time):
            raise ValueError(f"{quoted(value)} is not a date or time written as text")
    elif bool in kinds:
        if not isinstance(value, bool):
            raise ValueError(f"{quoted(value)} is not true or false")
    elif isinstance(value, bool | str):
        raise ValueError(f"{quoted(value)} is not a number")
    return value


@cache
def _field_kinds(model: type[BaseModel], name: str) -> frozenset[type]:
    return _scalar_kinds(model.model_fields[name])
