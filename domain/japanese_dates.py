"""Dates as Japanese letters and pages write them: 令和7年7月16日, 2025年7月16日（水）."""

from __future__ import annotations

import datetime as dt

# (first day, name) of the eras a date of this programme can fall in, newest first.
ERAS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
)
WEEKDAYS_JA = "月火水木金土日"


def wareki(day: dt.date) -> str:
    """The era's year: 令和7年7月16日; the first year of an era is 元年."""
    for first, name in ERAS:
        if day >= first:
            year = day.year - first.year + 1
            return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    raise ValueError(f"{day.isoformat()} is before the Heisei era (1989-01-08)")


def seireki(day: dt.date) -> str:
    """The Western year in Japanese: 2025年7月16日."""
    return f"{day.year}年{day.month}月{day.day}日"


def with_weekday(day: dt.date) -> str:
    """2025年6月30日（月）, as the programme page writes its dates."""
    return f"{seireki(day)}（{WEEKDAYS_JA[day.weekday()]}）"
