"""The secretariat's working day: what needs doing today and this week, in one place.

``working_day`` gathers the home page's lines: the pre-interview calls late, due today and
due this week; the decisions to send (applications called, not yet decided); the week's
sessions; the associations the published plan leaves out, with their reasons; the plan jobs
running; the application window's state (service.logic.application_window); and the expert
reports and association confirmations due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.plan import Unserved
from domain.scenario import Association
from domain.vocabulary import Label
from service.db.models import AssociationRow, JobRow, PlanRow, SessionRow
from service.logic import application_window, jobs, session_life
from service.logic.applications import DueCall, calls_due
from service.logic.state import today

# --- what is due ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """A line of work another part of the service reports for the home page (an expert's
    report or an association's confirmation due): what, for whom, by when, and where it
    is handled."""

    label: Label
    due_on: dt.date | None
    late: bool
    href: str


def reports_and_confirmations_due(db: Session, as_of: dt.date) -> list[DueItem]:
    """Expert reports not filed yet (late ones first), then sessions reported and waiting
    for the association's confirmation; each handled on the sessions page."""
    reports = session_life.reports_due(db)
    items = [DueItem(Label(f"{r.association_name}（{r.association_id}）第{r.number}回の"
                           f"{'最終' if r.final else ''}報告書（{r.lead_id}）",
                           f"{'Final report' if r.final else 'Report'} of session {r.number}"
                           f" with {r.association_id} ({r.lead_id})"),
                     r.due_on, r.due_on < as_of, f"/sessions#session-{r.session_id}")
             for r in sorted(reports, key=lambda r: (not r.due_on < as_of, r.due_on))]
    items += [DueItem(Label(f"{row.association_id} 第{row.number}回の従事証明（団体の確認待ち）",
                            f"{row.association_id}: session {row.number} awaits the "
                            "association's confirmation"),
                      None, False, f"/sessions#session-{row.id}")
              for row in session_life.sessions(db, ("reported",))]
    return items


@dataclass(frozen=True)
class DecisionDue:
    """An application called (interviewed) and not yet accepted or rejected."""

    association_id: str
    name: str
    called_at: dt.datetime | None


@dataclass(frozen=True)
class WeekSession:
    session_id: int
    association_id: str
    association_name: str
    number: int
    phase: str
    date: dt.date
    start: str
    end: str
    mode: str
    lead_id: str
    expert_ids: list[str]
    state: str


@dataclass(frozen=True)
class WorkingDay:
    today: dt.date
    week_start: dt.date  # Monday
    week_end: dt.date  # Sunday
    calls_late: list[DueCall]
    calls_today: list[DueCall]
    calls_this_week: list[DueCall]  # due after today, within the week
    decisions: list[DecisionDue]
    sessions_this_week: list[WeekSession]
    published_plan_id: int | None
    unserved: list[Unserved]  # accepted, yet not in the published plan
    jobs_running: list[JobRow]
    window: application_window.WindowState
    reports_due: list[DueItem] | None  # None: not provided (yet)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def week_sessions(db: Session, first: dt.date, last: dt.date) -> list[WeekSession]:
    """The schedule's sessions from ``first`` to ``last``, in time order."""
    names = {row.id: str(row.data.get("name", row.id)) for row in db.scalars(
        select(AssociationRow))}
    found = []
    for row in db.scalars(select(SessionRow)):
        data: dict[str, Any] = row.data
        day = dt.date.fromisoformat(data["date"])
        if first <= day <= last:
            found.append(WeekSession(row.id, row.association_id,
                                     names.get(row.association_id, row.association_id),
                                     row.number, data["phase"], day, data["start"],
                                     data["end"], data["mode"],
                                     data["expert_ids"][0], list(data["expert_ids"]),
                                     row.state))
    return sorted(found, key=lambda s: (s.date, s.start, s.association_id))


def working_day(db: Session, as_of: dt.date | None = None) -> WorkingDay:
    """Everything the home page lists for ``as_of`` (default today) and its week."""
    day = as_of or today(db)
    monday, sunday = week_of(day)
    calls = calls_due(db, day)
    decisions = [DecisionDue(row.id, Association.model_validate(row.data).name, row.called_at)
                 for row in db.scalars(select(AssociationRow)
                                       .where(AssociationRow.status == "interviewed")
                                       .order_by(AssociationRow.called_at, AssociationRow.id))]
    published = db.scalars(select(PlanRow).where(PlanRow.status == "published")
                           .order_by(PlanRow.id.desc()).limit(1)).first()
    accepted = set(db.scalars(select(AssociationRow.id)
                              .where(AssociationRow.status == "accepted")))
    unserved = [] if published is None else [
        item for item in (Unserved.model_validate(u) for u in published.document["unserved"])
        if item.reason != "not_accepted" and item.association_id in accepted]
    running = [row for row in jobs.listing(db, limit=20) if row.status not in jobs.FINISHED]
    return WorkingDay(
        today=day, week_start=monday, week_end=sunday,
        calls_late=[c for c in calls if c.due_on < day],
        calls_today=[c for c in calls if c.due_on == day],
        calls_this_week=[c for c in calls if day < c.due_on <= sunday],
        decisions=decisions,
        sessions_this_week=week_sessions(db, monday, sunday),
        published_plan_id=published.id if published is not None else None,
        unserved=unserved, jobs_running=running, window=application_window.state(db, day),
        reports_due=reports_and_confirmations_due(db, day),
    )
