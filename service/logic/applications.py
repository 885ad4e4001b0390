"""Applications: the eligibility checklist, the pre-interview call, decisions, the status flow.

The flow is the programme page's: an application is received; the secretariat
calls within about five business days (事前ヒアリング) and it is interviewed; it is
accepted or rejected with a reason; it may be withdrawn; an accepted one is
completed when its sessions were held. No other step is allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import AwareDatetime, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.calendar import BusinessCalendar
from domain.errors import Issue
from domain.limits import Name, Note
from domain.scenario import Association
from domain.types import IsoDate
from domain.vocabulary import Label, Status
from service.db.models import AssociationRow, EligibilityCheckRow, SessionRow, utcnow
from service.logic import audit, letters
from service.logic.bodies import RequestBody
from service.logic.errors import Conflict, Invalid, NotFound
from service.logic.records import association_row
from service.logic.state import HELD_STATES, check_if_match, programme, today, validate

# The programme page's eligibility requirements (対象団体の要件), one item each.
ELIGIBILITY: dict[str, Label] = {
    "legal_form": Label(
        "①〜③のいずれかに該当する業界団体",
        "An industry organization of form ①-③ (SME cooperative, general incorporated, "
        "other legal entity with SME members)"),
    "tokyo_address": Label(
        "都内を活動範囲とし、都内に住所または主たる事務所があること",
        "Operates within Tokyo, with its address or main office in Tokyo"),
    "no_tax_arrears": Label(
        "法人事業税、法人住民税、法人税、消費税等の滞納がないこと",
        "No overdue corporate enterprise, inhabitant, corporate or consumption tax"),
    "no_serious_violations": Label(
        "過去5年間に重大な法令違反等がないこと",
        "No serious legal violations in the past five years"),
    "no_unpaid_metropolitan_tax": Label(
        "都税の未納がないこと", "No unpaid Tokyo metropolitan taxes"),
    "not_adult_entertainment": Label(
        "性風俗関連特殊営業、接客業務受託営業及びこれらに類する事業を行っていないこと",
        "Not engaged in adult entertainment businesses or similar"),
    "not_organized_crime": Label(
        "暴力団、暴力団員及び暴力団関係者に該当しないこと",
        "Not an organized crime group, nor its members or related persons"),
    "not_harmful_group": Label(
        "公共の安全及び福祉を脅かすおそれのある団体等に該当しないこと",
        "Not a group that threatens public safety and welfare or is otherwise inappropriate"),
    "not_religious_political": Label(
        "宗教活動や政治活動を主たる目的としていないこと",
        "Not primarily religious or political"),
    "labour_law_compliance": Label(
        "賃金や労働時間等に関する労働関係法令を遵守していること",
        "Complies with labour laws on wages and working hours"),
}

NEXT: dict[str, tuple[Status, ...]] = {
    "received": ("interviewed", "rejected", "withdrawn"),
    "interviewed": ("accepted", "rejected", "withdrawn"),
    "accepted": ("withdrawn", "completed"),
    "rejected": (),
    "withdrawn": (),
    "completed": (),
}
NEEDS_REASON: tuple[Status, ...] = ("accepted", "rejected", "withdrawn")


def check_item(db: Session, association_id: str, item: str, passed: bool, note: str | None,
               actor: str) -> EligibilityCheckRow:
    """Record one checklist item as checked by ``actor``; a later check replaces it."""
    row = association_row(db, association_id)
    if item not in ELIGIBILITY:
        raise NotFound(f"no eligibility item {item!r}; items: {', '.join(ELIGIBILITY)}")
    if row.status not in ("received", "interviewed"):
        raise Conflict(f"association {association_id} is {row.status}: screening is over")
    check = db.get(EligibilityCheckRow, (association_id, item))
    if check is None:
        check = EligibilityCheckRow(association_id=association_id, item=item, passed=passed,
                                    note=note, checked_by=actor, checked_at=utcnow())
        db.add(check)
    else:
        check.passed, check.note, check.checked_by = passed, note, actor
        check.checked_at = utcnow()
    audit.record(db, actor, "check", "association", association_id, item=item, passed=passed,
                 note=note)
    return check


def checks(db: Session, association_id: str) -> dict[str, EligibilityCheckRow]:
    return {row.item: row for row in db.scalars(
        select(EligibilityCheckRow).where(EligibilityCheckRow.association_id == association_id))}


@dataclass(frozen=True)
class OpenItem:
    """One checklist item that stands in the way of accepting: ``not_checked`` or
    ``not_met``; the console says it in the reader's language from these parts."""

    item: str
    label: Label
    state: str

    def __str__(self) -> str:
        return f"{self.item} ({self.label.en}): {self.state.replace('_', ' ')}"


def open_items(db: Session, association_id: str) -> list[OpenItem]:
    """Items not yet checked, or checked and failed, in the checklist's order."""
    found = checks(db, association_id)
    return [OpenItem(item, label, "not_checked" if item not in found else "not_met")
            for item, label in ELIGIBILITY.items()
            if item not in found or not found[item].passed]


def screening_gaps(db: Session, association_id: str) -> list[str]:
    """What stands in the way of accepting, in English (the API's open_items)."""
    return [str(gap) for gap in open_items(db, association_id)]


class TransitionIn(RequestBody):
    to: Status
    reason: Note | None = Field(default=None,
                                description="Required to accept, reject or withdraw.")
    note: Note | None = Field(default=None,
                              description="The call's notes when it becomes interviewed.")
    decided_on: IsoDate | None = Field(default=None,
                                       description="Decision date; default today.")
    called_at: AwareDatetime | None = Field(
        default=None, description="When the pre-interview call took place (to interviewed); "
                                  "default: now. Not in the future, not before applying.")
    called_by: Name | None = Field(
        default=None, description="Who made the call (to interviewed); default: the caller.")


@dataclass(frozen=True)
class Transition:
    to: Status
    reason: str | None = None
    note: str | None = None
    decided_on: dt.date | None = None
    # The pre-interview call as it happened (entered afterwards), not the moment typed.
    called_at: dt.datetime | None = None
    called_by: str | None = None


def transition(db: Session, association_id: str, step: Transition, if_match: str | None,
               actor: str) -> AssociationRow:
    row = association_row(db, association_id)
    check_if_match(row.version, if_match, f"association {association_id}")
    current = row.status
    if step.to not in NEXT[current]:
        allowed = ", ".join(NEXT[current]) or "none (final)"
        raise Conflict(f"association {association_id} is {current}; it cannot become "
                       f"{step.to} (allowed next: {allowed})")
    if step.to in NEEDS_REASON and not (step.reason and step.reason.strip()):
        raise Invalid([Issue("reason", f"a reason is required to mark it {step.to}")])
    data: dict[str, Any] = dict(row.data)
    if step.to != "interviewed" and (step.called_at or step.called_by):
        raise Invalid([Issue("called_at", "the call's time and caller are recorded only when "
                                          "it becomes interviewed")])
    if step.to == "interviewed":
        called_at = step.called_at or utcnow()
        _check_call_time(Association.model_validate(row.data), called_at)
        row.called_at, row.call_note = called_at, step.note
        row.called_by = (step.called_by or "").strip() or actor
    elif step.to == "accepted":
        gaps = screening_gaps(db, association_id)
        if gaps:
            raise Conflict("the eligibility checklist is not complete: " + "; ".join(gaps))
    elif step.to == "completed":
        _check_completed(db, association_id)
    if step.to in ("accepted", "rejected"):
        data["decided_on"] = (step.decided_on or today(db)).isoformat()
        row.decision_reason = step.reason
    elif step.to == "withdrawn":
        row.decision_reason = step.reason
    data["status"] = step.to
    row.data, row.status = data, step.to
    validate(db)
    called = ({"called_at": row.called_at.isoformat() if row.called_at else None,
               "called_by": row.called_by} if step.to == "interviewed" else {})
    audit.record(db, actor, "transition", "association", association_id,
                 **{"from": current, "to": step.to, "reason": step.reason, "note": step.note,
                    **called})
    if step.to in ("accepted", "rejected"):
        # The letter goes with the decision, in its transaction: a decision rolled back
        # sends nothing, and the key keeps a retried request from sending it twice.
        letters.queue_decision_letter(db, association_id)
    return row


# A clock a little ahead of ours must not refuse a call entered just as it ended.
_CLOCK_SLACK = dt.timedelta(minutes=5)


def _check_call_time(association: Association, called_at: dt.datetime) -> None:
    if called_at.tzinfo is None:
        raise Invalid([Issue("called_at", "give the call's time with its time zone")])
    if called_at > utcnow() + _CLOCK_SLACK:
        raise Invalid([Issue("called_at", f"{called_at.isoformat()} is in the future")])
    if called_at < association.applied_at:
        raise Invalid([Issue("called_at", f"{called_at.isoformat()} is before the application "
                                          f"({association.applied_at.isoformat()})")])


def _check_completed(db: Session, association_id: str) -> None:
    sessions = list(db.scalars(select(SessionRow)
                               .where(SessionRow.association_id == association_id)))
    open_ones = [s.number for s in sessions if s.state not in HELD_STATES]
    if not sessions or open_ones:
        raise Conflict(f"association {association_id} can be completed once all its sessions "
                       f"are held (not held yet: {open_ones or 'none scheduled'})")


@dataclass(frozen=True)
class DueCall:
    association_id: str
    name: str
    applied_at: dt.datetime
    due_on: dt.date
    late: bool
    business_days_left: int | None


def calls_due(db: Session, as_of: dt.date | None = None) -> list[DueCall]:
    """Received applications not yet called, the most urgent first; ``late`` when overdue."""
    day = as_of or today(db)
    calendar = BusinessCalendar(programme(db))
    due = []
    for row in db.scalars(select(AssociationRow).where(AssociationRow.status == "received")
                          .order_by(AssociationRow.call_due_on, AssociationRow.id)):
        association = Association.model_validate(row.data)
        due.append(DueCall(row.id, association.name, association.applied_at, row.call_due_on,
                           row.call_due_on < day, _business_days_between(calendar, day,
                                                                         row.call_due_on)))
    return due


# Counting business days walks the calendar day by day; beyond a year it means nothing here.
_COUNT_HORIZON = dt.timedelta(days=366)


def _business_days_between(calendar: BusinessCalendar, start: dt.date,
                           end: dt.date) -> int | None:
    """Business days after ``start`` up to ``end`` (negative when ``end`` has passed);
    None when they are more than a year apart."""
    if abs(end - start) > _COUNT_HORIZON:
        return None
    sign = 1 if end >= start else -1
    low, high = (start, end) if sign == 1 else (end, start)
    count = sum(1 for i in range(1, (high - low).days + 1)
                if calendar.is_business_day(low + dt.timedelta(days=i)))
    return sign * count
