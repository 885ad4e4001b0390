"""A plan seen as calendars (per expert or association, week or month), as a timeline of
the whole programme window, and compared with the published schedule before publishing.

Everything shown is read from the stored plan (its document and the scenario it was
solved from) and from ``logic.plans.shown_changes``, the same comparison the API gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from domain.errors import Issue
from domain.vocabulary import MODE_LABELS, PHASE_LABELS, WEEKDAY_LABELS, WEEKDAYS, Weekday
from service.console.texts import label
from service.console.toolkit import SignedInDep, language, render
from service.db.models import PlanRow
from service.logic import plans
from service.logic.errors import Invalid, NotFound
from service.web.dependencies import DbDep

router = APIRouter(include_in_schema=False)

View = Literal["week", "month"]
Rows = Literal["experts", "associations"]


@dataclass(frozen=True)
class Subject:
    """Whose calendar: an expert or an association of the plan's scenario."""

    kind: Literal["expert", "association"]
    id: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def _chosen_plan(db: DbDep, plan: int | None) -> PlanRow | None:
    """The plan asked for, else the newest one (None when there is no plan yet)."""
    if plan is not None:
        return plans.plan_row(db, plan)
    newest = plans.listing(db, limit=1)
    return newest[0] if newest else None


def _plan_choices(db: DbDep, row: PlanRow) -> list[PlanRow]:
    """The newest plans to choose from, and the one shown even when it is older."""
    newest = plans.listing(db, limit=20)
    return newest if row in newest else [*newest, row]


def _names(row: PlanRow) -> tuple[dict[str, str], dict[str, str]]:
    """Expert and association names as in the scenario the plan was solved from."""
    experts = {e["id"]: e["name"] for e in row.scenario["experts"]}
    associations = {a["id"]: a["name"] for a in row.scenario["associations"]}
    return experts, associations


def _subject(row: PlanRow, value: str | None) -> Subject | None:
    if not value:
        return None
    kind, _, subject_id = value.partition(":")
    experts, associations = _names(row)
    if kind == "expert" and subject_id in experts:
        return Subject("expert", subject_id, experts[subject_id])
    if kind == "association" and subject_id in associations:
        return Subject("association", subject_id, associations[subject_id])
    raise NotFound(f"no expert or association {value!r} in plan {row.id}")


def _involves(session: dict[str, Any], subject: Subject) -> bool:
    if subject.kind == "expert":
        return subject.id in session["expert_ids"]
    return bool(session["association_id"] == subject.id)


def _window(row: PlanRow) -> tuple[dt.date, dt.date]:
    period = row.scenario["programme"]["implementation_period"]
    return dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])


def _date(value: str | None) -> dt.date | None:
    """The date to show; the form sends an empty field when none was typed."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid([Issue("date", f"{value!r} is not a date (YYYY-MM-DD)")],
                      prefix=("query",)) from None


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _days(view: View, anchor: dt.date) -> tuple[list[dt.date], dt.date, dt.date]:
    """The days shown (whole weeks, Monday first), and the previous and next anchors."""
    if view == "week":
        monday = anchor - dt.timedelta(days=anchor.weekday())
        return ([monday + dt.timedelta(days=i) for i in range(7)],
                monday - dt.timedelta(days=7), monday + dt.timedelta(days=7))
    first = _month_start(anchor)
    following = _month_start(anchor, 1)
    start = first - dt.timedelta(days=first.weekday())
    end = following - dt.timedelta(days=1)
    end += dt.timedelta(days=6 - end.weekday())
    return ([start + dt.timedelta(days=i) for i in range((end - start).days + 1)],
            _month_start(anchor, -1), following)


def _weekday(day: dt.date | str) -> Weekday:
    """The day's key in WEEKDAYS; plan documents carry dates as ISO strings."""
    as_date = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return WEEKDAYS[as_date.weekday()]


def _labels(request: Request) -> dict[str, Any]:
    lang = language(request)
    return {
        "weekday": lambda day: label(WEEKDAY_LABELS[_weekday(day)], lang),
        "phase_label": lambda phase: label(PHASE_LABELS[phase], lang),
    }


@router.get("/planning/calendar")
def calendar(request: Request, db: DbDep, who: SignedInDep,
             plan: Annotated[int | None, Query()] = None,
             subject: Annotated[str | None, Query()] = None,
             view: Annotated[str, Query()] = "month",
             date: Annotated[str | None, Query()] = None) -> HTMLResponse:
    """One expert's or association's sessions in a plan, a week or a month at a time."""
    shown: View = "week" if view == "week" else "month"
    asked = _date(date)
    row = _chosen_plan(db, plan)
    if row is None:
        return render(request, "plan_calendar.html", {"plan": None}, who)
    chosen = _subject(row, subject)
    experts, associations = _names(row)
    sessions = sorted(row.document["sessions"], key=lambda s: (s["date"], s["start"]))
    if chosen is not None:
        sessions = [s for s in sessions if _involves(s, chosen)]
    anchor = asked or (dt.date.fromisoformat(sessions[0]["date"]) if sessions
                      else _window(row)[0])
    days, previous, following = _days(shown, anchor)
    by_day: dict[dt.date, list[dict[str, Any]]] = {day: [] for day in days}
    for session in sessions:
        day = dt.date.fromisoformat(session["date"])
        if day in by_day:
            by_day[day].append(session)

    def link(**changes: Any) -> str:
        query = {"plan": row.id, "subject": chosen.key if chosen else "", "view": shown,
                 "date": anchor.isoformat(), **changes}
        return "/planning/calendar?" + urlencode({k: v for k, v in query.items() if v})

    planned = {s["association_id"] for s in row.document["sessions"]}
    return render(request, "plan_calendar.html", {
        **_labels(request), "plan": row, "plans": _plan_choices(db, row),
        "subject": chosen, "view": shown, "anchor": anchor, "days": days,
        # Blank unless asked for, so choosing someone else opens their first session's period.
        "date_asked": asked.isoformat() if asked else "",
        "weeks": [days[i:i + 7] for i in range(0, len(days), 7)], "by_day": by_day,
        "month": _month_start(anchor), "count": len(sessions),
        "previous": link(date=previous.isoformat()), "next": link(date=following.isoformat()),
        "link": link, "expert_names": experts, "association_names": associations,
        "planned_associations": sorted(a for a in associations if a in planned),
    }, who)


# --- timeline ------------------------------------------------------------------------------

DAY_WIDTH = 4  # pixels per day: an eight-month window fits a 1366-pixel laptop screen
ROW_HEIGHT = 22
LABEL_WIDTH = 190
TOP = 34


@dataclass(frozen=True)
class Mark:
    x: int
    y: int
    lead: bool
    mode: str
    href: str
    text: str


@router.get("/planning/timeline")
def timeline(request: Request, db: DbDep, who: SignedInDep,
             plan: Annotated[int | None, Query()] = None,
             rows: Annotated[str, Query()] = "experts") -> HTMLResponse:
    """Every session of a plan over the whole programme window, a row per expert or
    association, as one server-drawn SVG."""
    by: Rows = "associations" if rows == "associations" else "experts"
    row = _chosen_plan(db, plan)
    if row is None:
        return render(request, "plan_timeline.html", {"plan": None}, who)
    experts, associations = _names(row)
    start, end = _window(row)
    sessions = sorted(row.document["sessions"], key=lambda s: (s["date"], s["start"]))
    if by == "experts":
        row_ids = list(experts)
        row_names = experts
    else:
        row_ids = sorted({s["association_id"] for s in sessions})
        row_names = associations
    y_of = {row_id: TOP + i * ROW_HEIGHT for i, row_id in enumerate(row_ids)}
    lang = language(request)
    marks = []
    for session in sessions:
        day = dt.date.fromisoformat(session["date"])
        x = LABEL_WIDTH + (day - start).days * DAY_WIDTH
        owners = (session["expert_ids"] if by == "experts" else [session["association_id"]])
        lead_name = experts.get(session["expert_ids"][0], session["expert_ids"][0])
        for owner in owners:
            lead = by == "associations" or owner == session["expert_ids"][0]
            subject = f"{'expert' if by == 'experts' else 'association'}:{owner}"
            href = "/planning/calendar?" + urlencode({
                "plan": row.id, "subject": subject, "view": "week", "date": session["date"]})
            text = (f"{session['date']} {session['start']}–{session['end']} "
                    f"{session['association_id']} "
                    f"{associations.get(session['association_id'], '')} "
                    f"#{session['number']} {label(MODE_LABELS[session['mode']], lang)} "
                    f"{lead_name}")
            marks.append(Mark(x, y_of[owner], lead, session["mode"], href, text))
    n_days = (end - start).days + 1
    first_monday = start + dt.timedelta(days=-start.weekday() % 7)
    weeks = [LABEL_WIDTH + (first_monday - start).days * DAY_WIDTH + 7 * DAY_WIDTH * i
             for i in range(((end - first_monday).days // 7) + 1)]
    months: list[tuple[int, str]] = []
    month = _month_start(start)
    while month <= end:
        shown = max(month, start)
        months.append((LABEL_WIDTH + (shown - start).days * DAY_WIDTH,
                       f"{month.year}/{month.month}" if month.month == 1 or not months
                       else f"{month.month}"))
        month = _month_start(month, 1)
    return render(request, "plan_timeline.html", {
        **_labels(request), "plan": row, "plans": _plan_choices(db, row), "rows": by,
        "row_ids": row_ids, "row_names": row_names, "y_of": y_of, "marks": marks,
        "weeks": weeks, "months": months, "start": start, "end": end,
        "width": LABEL_WIDTH + n_days * DAY_WIDTH + 10,
        "height": TOP + len(row_ids) * ROW_HEIGHT + 6, "label_width": LABEL_WIDTH,
        "row_height": ROW_HEIGHT, "day_width": DAY_WIDTH, "top": TOP,
    }, who)


# --- the draft against the published schedule --------------------------------------------


@router.get("/planning/changes")
def changes(request: Request, db: DbDep, who: SignedInDep,
            plan: Annotated[int | None, Query()] = None) -> HTMLResponse:
    """Side by side: what publishing a draft would move, add and cancel, and what stays."""
    row = _chosen_plan(db, plan)
    if row is None:
        return render(request, "plan_changes.html", {"plan": None}, who)
    experts, associations = _names(row)
    return render(request, "plan_changes.html", {
        **_labels(request), "plan": row, "changes": plans.shown_changes(db, row),
        "replacement": row.parameters.get("replacement"), "expert_names": experts,
        "association_names": associations,
    }, who)
