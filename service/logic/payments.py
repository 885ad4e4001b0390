"""Payees and their accounts, the monthly close, adjustments, the year's totals.

The rules are domain.payments'; this module reads their inputs from the database and
keeps what a close decided. What a month pays comes from the session's life alone (its
approved, unpaid sessions) and the close marks each of them paid in its own transaction:
no caller hands in sessions to pay. A closed month is written once and never changed: a
correction is an adjustment, paid in a later month with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence, Set

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.calendar import BusinessCalendar
from domain.errors import InputError, Issue
from domain.limits import Note
from domain.payments import (
    Adjustment,
    BankAccount,
    MonthClose,
    PayableSession,
    Payee,
    PayeeType,
    YearlyTotal,
    close_month,
    facts_of,
    parse_month,
    yearly_totals,
)
from domain.scenario import Programme
from domain.types import parse_clock
from service.db.models import (
    ExpertRow,
    PaidSessionRow,
    PayeeRow,
    PaymentAdjustmentRow,
    PaymentEntryRow,
    PaymentMonthRow,
)
from service.logic import audit, session_life
from service.logic.bodies import RequestBody
from service.logic.errors import Conflict, Invalid, NotFound
from service.logic.state import check_if_match, current_scenario, programme
from spreadsheets.zengin import transfer_file


class PayeeBody(RequestBody):
    """What an admin sets of an expert's payee: the type and the bank account."""

    payee_type: PayeeType
    account: BankAccount


class AdjustmentBody(RequestBody):
    expert_id: str = Field(min_length=1, max_length=64)
    amount_yen: int = Field(strict=True, ge=-10_000_000, le=10_000_000,
                            description="Yen to pay (negative: to take back); not 0.")
    reason: Note = Field(min_length=1)
    taxable: bool = Field(default=True, description="Part of the payment tax is withheld "
                                                    "on (a fee), or not (a travel refund).")


# --- payees -----------------------------------------------------------------------------


def as_payee(row: PayeeRow) -> Payee:
    return Payee(expert_id=row.expert_id, payee_type=row.payee_type,
                 account=BankAccount(
                     bank_code=row.bank_code, bank_name=row.bank_name,
                     branch_code=row.branch_code, branch_name=row.branch_name,
                     account_type=row.account_type,
                     account_number=row.account_number, holder_name=row.holder_name))


def payee_rows(db: Session) -> list[PayeeRow]:
    return list(db.scalars(select(PayeeRow).order_by(PayeeRow.expert_id)))


def payee_row(db: Session, expert_id: str) -> PayeeRow:
    row = db.get(PayeeRow, expert_id)
    if row is None:
        raise NotFound(f"expert {expert_id!r} has no payee record yet")
    return row


def payee(db: Session, expert_id: str) -> Payee:
    return as_payee(payee_row(db, expert_id))


def payees(db: Session) -> dict[str, Payee]:
    return {row.expert_id: as_payee(row) for row in payee_rows(db)}


def put_payee(db: Session, expert_id: str, body: PayeeBody, if_match: str | None,
              actor: str, known_experts: Set[str] | None = None) -> tuple[PayeeRow, bool]:
    """Set an expert's payee type and account (If-Match to replace); True when created.

    The expert must be in the database, or among ``known_experts`` (a scenario file's,
    for the command line). The audit log keeps the change with the account masked."""
    known = (expert_id in known_experts if known_experts is not None
             else db.get(ExpertRow, expert_id) is not None)
    if not known:
        raise NotFound(f"no expert {expert_id!r}")
    account = body.account
    fields = {"payee_type": body.payee_type, "bank_code": account.bank_code,
              "bank_name": account.bank_name, "branch_code": account.branch_code,
              "branch_name": account.branch_name, "account_type": account.account_type,
              "account_number": account.account_number, "holder_name": account.holder_name}
    row = db.get(PayeeRow, expert_id)
    shown = {**fields, "account_number": account.masked().account_number}
    if row is None:
        row = PayeeRow(expert_id=expert_id, updated_by=actor, **fields)
        db.add(row)
        db.flush()
        audit.record(db, actor, "create", "payee", expert_id, data=shown)
        return row, True
    check_if_match(row.version, if_match, f"the payee of expert {expert_id}")
    changed = sorted(key for key, value in fields.items() if getattr(row, key) != value)
    for key, value in fields.items():
        setattr(row, key, value)
    row.updated_by = actor
    db.flush()
    audit.record(db, actor, "update", "payee", expert_id, changed=changed)
    return row, False


# --- adjustments ---------------------------------------------------------------------------


def add_adjustment(db: Session, body: AdjustmentBody, actor: str) -> PaymentAdjustmentRow:
    if db.get(ExpertRow, body.expert_id) is None:
        raise Invalid([Issue("expert_id", f"no expert {body.expert_id!r}")])
    if body.amount_yen == 0:
        raise Invalid([Issue("amount_yen", "an adjustment of ¥0 changes nothing")])
    row = PaymentAdjustmentRow(expert_id=body.expert_id, amount_yen=body.amount_yen,
                               taxable=body.taxable, reason=body.reason.strip(),
                               created_by=actor)
    db.add(row)
    db.flush()
    audit.record(db, actor, "create", "payment_adjustment", row.id,
                 expert_id=body.expert_id, amount_yen=body.amount_yen, reason=row.reason)
    return row


def adjustment_rows(db: Session, pending_only: bool = False) -> list[PaymentAdjustmentRow]:
    query = select(PaymentAdjustmentRow).order_by(PaymentAdjustmentRow.id)
    if pending_only:
        query = query.where(PaymentAdjustmentRow.paid_in.is_(None))
    return list(db.scalars(query))


# --- the close --------------------------------------------------------------------------------


def default_pay_on(rules_of: Programme, month: str) -> dt.date:
    """The last business day of the month after ``month`` (the usual 翌月末払い)."""
    year, number = parse_month(month)
    first_after_next = dt.date(year + (number + 1) // 12, (number + 1) % 12 + 1, 1)
    day = first_after_next - dt.timedelta(days=1)
    calendar = BusinessCalendar(rules_of)
    while not calendar.is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def _check_month(month: str) -> None:
    try:
        parse_month(month)
    except ValueError as error:
        raise Invalid([Issue("month", str(error))], prefix=("path",)) from None


def month_row(db: Session, month: str) -> PaymentMonthRow | None:
    return db.get(PaymentMonthRow, month)


def payable_sessions(db: Session, month: str) -> list[PayableSession]:
    """What the close of ``month`` pays, from the session's life alone: the approved, unpaid
    sessions held in the month, and those held in an earlier, closed month but approved
    after it was closed (one row per expert of each session)."""
    _check_month(month)
    closed_before = [row.month for row in month_rows(db) if row.month < month]
    found: list[PayableSession] = []
    for wanted in [*closed_before, month]:
        year, number = parse_month(wanted)
        found += [PayableSession(
            association_id=part.association_id, number=part.number, expert_id=part.expert_id,
            date=part.date, start=parse_clock(part.start), end=parse_clock(part.end),
            mode=part.mode, travel_claimed_yen=part.travel_claimed_yen,
            approved_at=part.approved_at) for part in session_life.approved_unpaid(
                db, year, number)]
    return found


def _refuse_closed(db: Session, month: str) -> None:
    closed = month_row(db, month)
    if closed is not None:
        raise Conflict(f"{month} was closed by {closed.closed_by} on "
                       f"{closed.closed_at:%Y-%m-%d %H:%M} UTC and cannot change; a "
                       "correction is an adjustment, paid in a later month with its reason")


def _compute(db: Session, month: str, sessions: Sequence[PayableSession],
             pay_on: dt.date | None) -> MonthClose:
    keys = {s.key for s in sessions}
    paid = [row for row in db.scalars(select(PaidSessionRow))
            if (row.association_id, row.number, row.expert_id) in keys]
    if paid:  # the session's life says unpaid; the payments' own record is the backstop
        listed = ", ".join(f"{r.association_id} #{r.number} {r.expert_id} ({r.month})"
                           for r in paid[:10])
        raise Conflict(f"{len(paid)} session(s) already paid in a closed month: {listed}")
    scenario = current_scenario(db)
    experts, associations = facts_of(scenario.experts, scenario.associations)
    pending = [Adjustment(expert_id=row.expert_id, amount_yen=row.amount_yen,
                          reason=row.reason, taxable=row.taxable, id=row.id)
               for row in adjustment_rows(db, pending_only=True)]
    try:
        return close_month(scenario.programme.payment_rules, month,
                           pay_on or default_pay_on(scenario.programme, month), sessions,
                           payees(db), experts, associations, pending)
    except InputError as error:
        raise Invalid(error.issues, prefix=("sessions",)) from None


def preview(db: Session, month: str, pay_on: dt.date | None = None) -> MonthClose:
    """The month as it would close now, from the approved, unpaid sessions; nothing is
    written."""
    _check_month(month)
    _refuse_closed(db, month)
    return _compute(db, month, payable_sessions(db, month), pay_on)


def mark_sessions_paid(db: Session, sessions: Sequence[PayableSession], month: str,
                       actor: str) -> None:
    """The session's life marks each session paid (once, whatever its experts), in the
    close's transaction: a session not approved refuses, and nothing closes."""
    for association_id, number in dict.fromkeys((s.association_id, s.number)
                                                for s in sessions):
        session_life.mark_paid(db, association_id, number, actor)


def close(db: Session, month: str, actor: str, pay_on: dt.date | None = None) -> MonthClose:
    """Close the month: its approved, unpaid sessions are paid and marked paid, its
    payments kept as computed, once, all in the caller's transaction. Conflict if it is
    closed already; Invalid naming each session or payee that cannot be paid."""
    _check_month(month)
    _refuse_closed(db, month)
    sessions = payable_sessions(db, month)
    result = _compute(db, month, sessions, pay_on)
    if not result.entries:
        raise Invalid([Issue("month", f"nothing to pay in {month}: no approved, unpaid "
                                      "session and no adjustment waiting")],
                      prefix=("path",))
    db.add(PaymentMonthRow(month=month, pay_on=result.pay_on,
                           document=result.model_dump(mode="json"),
                           net_yen=result.totals.net_yen, closed_by=actor))
    db.flush()
    for entry in result.entries:
        db.add(PaymentEntryRow(
            month=month, expert_id=entry.expert_id, payee_type=entry.payee_type,
            sessions=len(entry.sessions), fee_yen=entry.fee_yen, travel_yen=entry.travel_yen,
            adjustment_yen=entry.adjustment_yen, gross_yen=entry.gross_yen,
            withholding_yen=entry.withholding_yen, net_yen=entry.net_yen))
    for session in sessions:
        db.add(PaidSessionRow(association_id=session.association_id, number=session.number,
                              expert_id=session.expert_id, month=month))
    paid_ids = {line.id for entry in result.entries for line in entry.adjustments}
    for row in adjustment_rows(db, pending_only=True):
        if row.id in paid_ids:
            row.paid_in = month
    db.flush()
    mark_sessions_paid(db, sessions, month, actor)
    audit.record(db, actor, "close", "payment_month", month, pay_on=result.pay_on.isoformat(),
                 payees=result.totals.payees, sessions=result.totals.sessions,
                 gross_yen=result.totals.gross_yen,
                 withholding_yen=result.totals.withholding_yen,
                 net_yen=result.totals.net_yen)
    return result


def closed_month(db: Session, month: str) -> MonthClose:
    _check_month(month)
    row = month_row(db, month)
    if row is None:
        raise NotFound(f"{month} is not closed")
    return MonthClose.model_validate(row.document)


def month_rows(db: Session) -> list[PaymentMonthRow]:
    return list(db.scalars(select(PaymentMonthRow).order_by(PaymentMonthRow.month)))


def transfer(db: Session, month: str, line_ending: bytes = b"\r\n",
             rules_of: Programme | None = None) -> bytes:
    """The closed month's Zengin 総合振込 file; the remitter is the programme's (the
    database's, or ``rules_of``)."""
    closed = closed_month(db, month)
    remitter = (rules_of or programme(db)).payment_rules.remitter
    if remitter is None:
        raise Conflict("the programme has no payments.remitter (the secretariat's account "
                       "and consignor code) to write the transfer file's header with")
    return transfer_file(closed, remitter, line_ending)


def yearly(db: Session, year: int) -> list[YearlyTotal]:
    """Each payee's totals of the months paid in ``year`` (支払調書 figures)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = db.scalars(select(PaymentMonthRow).where(PaymentMonthRow.pay_on >= start,
                                                    PaymentMonthRow.pay_on <= end))
    return yearly_totals([MonthClose.model_validate(row.document) for row in rows], year)
