"""The experts' pages: the list, and one expert's qualifications, caps, weekly availability
grid, dated exceptions and conflicts, saved through the same logic as the API's PUT."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.scenario import Expert, Programme
from domain.types import format_clock
from domain.vocabulary import INDUSTRY_LABELS, MODE_LABELS, SESSION_MODES, WEEKDAY_LABELS, WEEKDAYS
from service.console import sessions
from service.console.texts import Lang, label, text
from service.console.toolkit import (
    SignedInDep,
    StaffForm,
    form_number,
    form_text,
    language,
    redirect_to,
    render,
)
from service.db.models import ExpertRow
from service.logic import plans, records
from service.logic.errors import Invalid, PreconditionFailed, ServiceError
from service.logic.state import etag, programme
from service.web.dependencies import DbDep
from spreadsheets import cells

router = APIRouter(include_in_schema=False)

SLOT_MINUTES = 30
CAPS = ("max_associations", "max_sessions_per_day", "max_sessions_per_week")
# The form's fields, in the order an error summary lists them.
FIELDS = ("qualifications", "industries", "modes", *CAPS, "weekly", "dates", "blocked",
          "conflicts")


@router.get("/experts")
def expert_list(request: Request, db: DbDep, who: SignedInDep) -> HTMLResponse:
    rows = [Expert.model_validate(row.data) for row in records.experts(db)]
    sessions_of: Counter[str] = Counter()
    associations_of: dict[str, set[str]] = {}
    for session in plans.schedule(db):
        for expert_id in session.data["expert_ids"]:
            sessions_of[expert_id] += 1
            associations_of.setdefault(expert_id, set()).add(session.association_id)
    return render(request, "experts.html", {
        "rows": rows, "sessions_of": sessions_of,
        "associations_of": {key: len(value) for key, value in associations_of.items()},
        "weekly_text": lambda expert: _weekly_text(expert, language(request)),
        **_words(db, language(request)),
    }, who)


def _words(db: DbDep, lang: Lang) -> dict[str, Any]:
    """Labels of the programme's qualifications, the industries and the modes."""
    try:
        vocabulary = programme(db).words.qualifications
        qualifications = {key: words.ja if lang == "ja" else words.en
                          for key, words in vocabulary.items()}
    except ServiceError:  # no programme yet: show the keys
        qualifications = {}
    return {
        "qualification_names": qualifications,
        "industry_names": {key: label(value, lang) for key, value in INDUSTRY_LABELS.items()},
        "mode_names": {key: label(MODE_LABELS[key], lang) for key in SESSION_MODES},
    }


# --- the form's state ----------------------------------------------------------------------


@dataclass
class Draft:
    """What the form shows: a saved record, or what was entered (kept when not saved)."""

    qualifications: list[str]
    industries: list[str]
    modes: list[str]
    caps: dict[str, str]
    weekly_set: bool  # False: no weekly hours, i.e. business hours on every business day
    slots: set[str]  # "mon-0930": the 30 minutes from 09:30 on Mondays
    dates: str
    blocked: str
    conflicts: list[str]
    version: str
    unaligned: bool = False  # saved weekly hours that do not fall on the grid's steps
    errors: dict[str, str] = field(default_factory=dict)


def slot_key(day: str, minute: int) -> str:
    return f"{day}-{minute // 60:02d}{minute % 60:02d}"


def draft_of(expert: Expert, version: int) -> Draft:
    availability = expert.availability
    weekly = availability.weekly if availability else None
    slots: set[str] = set()
    unaligned = False
    if weekly is not None:
        for index, day in enumerate(WEEKDAYS):
            for start, end in weekly.on(index):
                unaligned |= start % SLOT_MINUTES != 0 or end % SLOT_MINUTES != 0
                first = -(-start // SLOT_MINUTES) * SLOT_MINUTES
                slots.update(slot_key(day, minute)
                             for minute in range(first, end - SLOT_MINUTES + 1, SLOT_MINUTES))
    dumped = expert.model_dump(mode="json")
    dated = (dumped.get("availability") or {})
    return Draft(
        qualifications=list(expert.qualifications), industries=list(expert.industries),
        modes=list(expert.modes), caps={name: str(getattr(expert, name)) for name in CAPS},
        weekly_set=weekly is not None, slots=slots,
        dates="\n".join(cells.format_dates(dated.get("dates") or {}).split("; ")),
        blocked="\n".join(cells.format_blocked(dated.get("blocked") or []).split("; ")),
        conflicts=list(expert.conflicts), version=str(version), unaligned=unaligned)


def draft_from_form(form: FormData) -> Draft:
    def chosen(name: str) -> list[str]:
        return [value for value in form.getlist(name) if isinstance(value, str)]

    def typed(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return Draft(
        qualifications=chosen("qualifications"), industries=chosen("industries"),
        modes=chosen("modes"), caps={name: typed(name) for name in CAPS},
        weekly_set=typed("weekly") == "grid", slots=set(chosen("slot")),
        dates=typed("dates"), blocked=typed("blocked"), conflicts=chosen("conflicts"),
        version=typed("version"))


_SLOT = re.compile(r"(mon|tue|wed|thu|fri|sat|sun)-([0-2]\d)(00|30)")


def weekly_windows(slots: set[str]) -> dict[str, list[list[str]]]:
    """Ticked slots joined into windows per weekday; raises ValueError on a forged slot."""
    minutes: dict[str, list[int]] = {day: [] for day in WEEKDAYS}
    for slot in slots:
        match = _SLOT.fullmatch(slot)
        if match is None or int(match[2]) * 60 + int(match[3]) > 24 * 60 - SLOT_MINUTES:
            raise ValueError(f"{slot!r} is not a slot of the grid")
        minutes[match[1]].append(int(match[2]) * 60 + int(match[3]))
    weekly: dict[str, list[list[str]]] = {}
    for day, starts in minutes.items():
        windows: list[list[int]] = []
        for start in sorted(starts):
            if windows and windows[-1][1] == start:
                windows[-1][1] = start + SLOT_MINUTES
            else:
                windows.append([start, start + SLOT_MINUTES])
        if windows:
            weekly[day] = [[format_clock(a), format_clock(b)] for a, b in windows]
    return weekly


def record_from(draft: Draft, saved: dict[str, Any], lang: Lang) -> Expert | None:
    """The edited record, or None with ``draft.errors`` filled per field."""
    data = dict(saved)
    data.update(qualifications=draft.qualifications, industries=draft.industries,
                modes=draft.modes, conflicts=draft.conflicts,
                **{name: form_number(draft.caps[name]) for name in CAPS})
    availability: dict[str, Any] = {}
    try:
        if draft.weekly_set:
            availability["weekly"] = weekly_windows(draft.slots)
    except ValueError as error:
        draft.errors["weekly"] = str(error)
    for name, parse in (("dates", cells.parse_dates), ("blocked", cells.parse_blocked)):
        try:
            parsed = parse(getattr(draft, name))
        except cells.CellProblem as problem:
            draft.errors[name] = problem.ja if lang == "ja" else problem.en
            continue
        if parsed:
            availability[name] = parsed
    data.pop("availability", None)
    if availability:
        data["availability"] = availability
    try:
        expert = Expert.model_validate(data)
    except ValidationError as error:
        for issue in error.errors():
            where = [str(part) for part in issue["loc"]]
            name = where[1] if where[0] == "availability" and len(where) > 1 else where[0]
            draft.errors.setdefault(name if name in FIELDS else "form", issue["msg"])
        return None
    return None if draft.errors else expert


def _field_of(path: str) -> str:
    """The form field an issue of the state's validation names (or the whole form)."""
    for name in FIELDS:
        if re.search(rf"\b{name}\b", path):
            return name
    return "form"


# --- one expert ----------------------------------------------------------------------------


def _grid(prog: Programme | None, draft: Draft) -> list[int]:
    """The grid's rows: business hours, widened to every ticked slot."""
    start, end = (prog.business_hours.start, prog.business_hours.end) if prog else (540, 1080)
    for slot in draft.slots:
        if match := _SLOT.fullmatch(slot):
            minute = int(match[2]) * 60 + int(match[3])
            start, end = min(start, minute), max(end, minute + SLOT_MINUTES)
    start -= start % SLOT_MINUTES
    return list(range(start, end - SLOT_MINUTES + 1, SLOT_MINUTES))


def _expert_page(request: Request, db: DbDep, who: sessions.SignedIn,
                 row: ExpertRow, draft: Draft, done: bool = False,
                 message: str | None = None, status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    expert = Expert.model_validate(row.data)
    try:
        prog: Programme | None = programme(db)
    except ServiceError:
        prog = None
    saved_draft = draft_of(expert, row.version)
    associations = [(a.id, a.data["name"]) for a in records.associations(db)]
    return render(request, "expert.html", {
        "expert": expert, "row": row, "draft": draft, "saved": saved_draft, "done": done,
        "message": message, "errors": draft.errors, "grid": _grid(prog, draft),
        "days": [(day, label(WEEKDAY_LABELS[day], lang)) for day in WEEKDAYS],
        "clock": format_clock, "slot_key": slot_key, "slot_minutes": SLOT_MINUTES,
        "associations": associations, "weekly_text": _weekly_text(expert, lang),
        "fields": FIELDS, **_words(db, lang),
    }, who, status_code=status_code)


def _weekly_text(expert: Expert, lang: Lang) -> str:
    weekly = expert.availability.weekly if expert.availability else None
    if weekly is None:
        return text("weekly_business", lang)
    return cells.format_weekly(weekly.model_dump(mode="json"), lang)


@router.get("/experts/{expert_id}")
def expert_page(request: Request, db: DbDep, who: SignedInDep, expert_id: str,
                done: str | None = None) -> HTMLResponse:
    row = records.expert_row(db, expert_id)
    draft = draft_of(Expert.model_validate(row.data), row.version)
    return _expert_page(request, db, who, row, draft, done=done == "saved")


@router.post("/experts/{expert_id}")
def save_expert(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                expert_id: str) -> Response:
    lang = language(request)
    row = records.expert_row(db, expert_id)
    draft = draft_from_form(form)
    expert = record_from(draft, row.data, lang)
    if expert is None:
        return _expert_page(request, db, who, row, draft, status_code=422)
    version = form_text(form, "version") or ""
    try:
        records.update_expert(db, expert_id, expert,
                              etag(int(version)) if version.isdigit() else None, who.actor.name)
        db.commit()
    except Invalid as error:
        db.rollback()
        for issue in error.issues:
            draft.errors.setdefault(_field_of(issue.path), issue.message)
        row = records.expert_row(db, expert_id)
        return _expert_page(request, db, who, row, draft, status_code=422)
    except PreconditionFailed:
        db.rollback()
        # Show what is saved now; the form keeps what was entered, on the current version.
        row = records.expert_row(db, expert_id)
        draft.version = str(row.version)
        return _expert_page(request, db, who, row, draft, message=text("stale", lang),
                            status_code=412)
    except ServiceError as error:
        db.rollback()
        row = records.expert_row(db, expert_id)
        return _expert_page(request, db, who, row, draft, message=error.message,
                            status_code=error.status_code)
    return redirect_to(f"/experts/{expert_id}?done=saved")
