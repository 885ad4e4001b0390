"""The business calendar and availability expanded to concrete windows."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import jpholiday

from domain.scenario import Availability, Programme


@lru_cache(maxsize=4096)
def is_national_holiday(day: dt.date) -> bool:
    """Japanese national holiday, 振替休日 and 国民の休日 included."""
    return bool(jpholiday.is_holiday(day))


class BusinessCalendar:
    """Business days of one programme: Mon-Fri, not a national holiday, not closed."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.closed = frozenset(programme.closed_dates)
        self.period = programme.implementation_period

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.closed and not is_national_holiday(day)

    def add_business_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th business day after ``day`` (``day`` itself when count is 0)."""
        current = day
        remaining = count
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def earliest_first_session(self, decided_on: dt.date) -> dt.date:
        return self.add_business_days(
            decided_on, self.programme.first_session_after_decision_business_days
        )

    def period_days(self) -> list[dt.date]:
        """Every calendar day of the implementation period."""
        start, end = self.period.start, self.period.end
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def windows_on(
    availability: Availability | None, day: dt.date, business_hours: tuple[int, int]
) -> list[tuple[int, int]]:
    """The stated windows ``[start, end)`` in minutes on ``day``, before business rules.

    ``blocked`` wins over ``dates``, ``dates`` replaces ``weekly``; no availability
    or no ``weekly`` means business hours on every day (business days are applied
    by the caller).
    """
    if availability is None:
        return [business_hours]
    for blocked in availability.blocked:
        if day in blocked:
            return []
    if day in availability.dates:
        return sorted(availability.dates[day])
    if availability.weekly is None:
        return [business_hours]
    return sorted(availability.weekly.on(day.weekday()))


def clip(windows: list[tuple[int, int]], bounds: tuple[int, int]) -> list[tuple[int, int]]:
    low, high = bounds
    clipped = [(max(s, low), min(e, high)) for s, e in windows]
    return [(s, e) for s, e in clipped if e > s]


def fits_in_some_window(windows: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in windows)
