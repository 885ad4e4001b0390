"""The application window: whether applications are taken today, in one place.

The programme's ``application_period`` is the source of truth; staff may close the window
early or extend it (``change``), kept as rows of their own (``application_window_overrides``,
never changed: a correction is a new row), the newest in force, each in the audit log.
``state`` is the one answer the public form (/apply), the home page and the API give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.errors import Issue
from service.db.models import ApplicationWindowOverrideRow, utcnow
from service.logic import audit
from service.logic.errors import Conflict, Invalid
from service.logic.state import check_if_match, programme, today

Phase = Literal["not_set", "not_open_yet", "open", "closed"]
PHASES: tuple[Phase, ...] = ("not_set", "not_open_yet", "open", "closed")


@dataclass(frozen=True)
class WindowState:
    """Whether applications are taken on ``today``, and why: the programme's period, and
    the staff override of its end when there is one."""

    phase: Phase
    today: dt.date | None
    opens_on: dt.date | None
    closes_on: dt.date | None  # in force: the override's if any, else the period's
    period_closes_on: dt.date | None
    override: ApplicationWindowOverrideRow | None
    # How many changes staff made: the ETag of the window, for If-Match.
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.phase == "open"

    @property
    def closed_early(self) -> bool:
        """Closed by staff before the period's announced end."""
        return (self.phase == "closed" and self.override is not None
                and self.period_closes_on is not None
                and self.override.closes_on < self.period_closes_on)


def current_override(db: Session) -> ApplicationWindowOverrideRow | None:
    """The staff override of the window's end in force (the newest), if any."""
    return db.scalars(select(ApplicationWindowOverrideRow)
                      .order_by(ApplicationWindowOverrideRow.id.desc()).limit(1)).first()


def _version(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(ApplicationWindowOverrideRow)) or 0)


def state(db: Session, as_of: dt.date | None = None) -> WindowState:
    """The window on ``as_of`` (default today in the programme's time zone): open from the
    period's start to the end in force, inclusive. No programme or no period: not_set."""
    try:
        period = programme(db).application_period
    except Conflict:  # no programme imported yet
        return WindowState("not_set", as_of, None, None, None, None)
    day = as_of or today(db)
    if period is None:
        return WindowState("not_set", day, None, None, None, None)
    override = current_override(db)
    closes_on = override.closes_on if override is not None else period.end
    phase: Phase = ("closed" if closes_on < period.start or day > closes_on
                    else "not_open_yet" if day < period.start else "open")
    return WindowState(phase, day, period.start, closes_on, period.end, override,
                       _version(db))


def change(db: Session, closes_on: dt.date, reason: str | None, actor: str,
           if_match: str | None = None, *, check_version: bool = False
           ) -> ApplicationWindowOverrideRow:
    """Close the window early (``closes_on`` before the period's end; the day before today
    closes it now) or extend it (after); the reason is required and the change is in the
    audit log. With ``check_version``, ``if_match`` must name the window's current version."""
    period = programme(db).application_period
    if period is None:
        raise Conflict("the programme has no application_period to close or extend")
    if check_version:
        check_if_match(_version(db), if_match, "the application window")
    issues = []
    if not (reason and reason.strip()):
        issues.append(Issue("reason", "a reason is required to close or extend the window"))
    if closes_on < period.start - dt.timedelta(days=1):
        issues.append(Issue("closes_on", f"{closes_on} is before the period opens "
                                         f"({period.start}); the day before it closes the "
                                         "window before it opens"))
    if issues:
        raise Invalid(issues)
    assert reason is not None
    previous = current_override(db)
    row = ApplicationWindowOverrideRow(closes_on=closes_on, reason=reason.strip(),
                                       created_by=actor, created_at=utcnow())
    db.add(row)
    db.flush()
    in_force = previous.closes_on if previous is not None else period.end
    audit.record(db, actor, "close" if closes_on < in_force else "extend"
                 if closes_on > in_force else "set_window", "application_window", row.id,
                 closes_on=closes_on.isoformat(), previous_closes_on=in_force.isoformat(),
                 period_end=period.end.isoformat(), reason=row.reason)
    return row
