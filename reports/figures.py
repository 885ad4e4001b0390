"""The figures the programme reports to the metropolitan government.

Applications, decisions, associations served and sessions held: in total, by
month (of application, of session), by industry and by expert qualification.
``build_report(ReportInput(scenario, plan, held))`` returns a pydantic model
(JSON-ready with ``model_dump(mode="json")``); ``spreadsheets.report_csv`` and
``spreadsheets.report_workbook`` write the same tables for Excel.

What counts (the programme's flow is application -> phone interview ->
decision -> up to five sessions):

- applications: every association in the scenario, whatever its status;
- accepted: decided to be supported (``accepted`` or ``completed``);
- planned: associations with sessions in the plan; sessions planned;
- served: associations with at least one session held; completed: all their
  requested sessions held; sessions held.

Without a plan the planned figures are ``None``; without held sessions the held
ones are. A held session is counted in the month of its date, which defaults to
its date in the plan (or among the pinned sessions); its experts are the plan's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from domain.errors import InputError, Issue
from domain.plan import Plan, Session
from domain.report import (
    HeldSession,
    ManualOutcome,
    Outcomes,
    PaidSession,
    PaymentOutcome,
    Report,
    ReportRow,
    ReportTable,
    SessionOutcome,
)
from domain.scenario import Scenario
from domain.vocabulary import INDUSTRY_LABELS, STATUS_LABELS, Label

ACCEPTED_STATUSES = ("accepted", "completed")


@dataclass(frozen=True)
class ReportInput:
    scenario: Scenario
    plan: Plan | None = None
    held: Sequence[HeldSession] | None = None
    source: str = field(default="report input")
    # What became of the sessions: no-shows, cancellations, late reports, ratings and
    # manuals completed (None: the outcome figures are left out).
    outcomes: Outcomes | None = None


FIGURE_LABELS: dict[str, Label] = {
    "applications": Label("申込件数", "Applications"),
    "accepted": Label("実施決定件数", "Accepted"),
    "under_review": Label("審査中件数", "Under review"),
    "rejected": Label("対象外件数", "Rejected"),
    "withdrawn": Label("取下げ件数", "Withdrawn"),
    "planned": Label("派遣予定団体数", "Associations planned"),
    # Only accepted ones: a plan's stats.unserved also counts those not accepted.
    "unserved": Label("未対応団体数（実施決定済みで計画外）", "Accepted but not planned"),
    "sessions_planned": Label("派遣予定回数", "Sessions planned"),
    "served": Label("派遣実施団体数", "Associations served"),
    "completed": Label("支援完了団体数", "Associations completed"),
    "sessions_held": Label("派遣実施回数", "Sessions held"),
    "experts": Label("登録専門家数", "Experts registered"),
    "associations_led": Label("主担当団体数", "Associations led"),
    "no_shows": Label("不実施（欠席）回数", "No-shows"),
    "cancellations": Label("中止回数", "Cancellations"),
    "reports_late": Label("報告書の提出遅れ", "Reports late"),
    "ratings": Label("評価件数", "Ratings"),
    "rating_average": Label("平均評価（5段階）", "Average rating (of 5)"),
    "satisfied": Label("満足（評価4以上）", "Rated 4 or 5"),
    "manuals_completed": Label("マニュアル完成団体数", "Manuals completed"),
    # Paid in the months closed, integer yen (the payments' monthly close).
    "fees_paid": Label("謝金支払額（円）", "Fees paid (yen)"),
    "travel_paid": Label("交通費支払額（円）", "Travel paid (yen)"),
    "withholding": Label("源泉徴収税額（円）", "Tax withheld (yen)"),
    "adjustments": Label("調整額（円）", "Adjustments (yen)"),
    "net_paid": Label("差引振込額（円）", "Net transferred (yen)"),
}
PAYMENT_COLUMNS = ["fees_paid", "travel_paid", "withholding", "adjustments", "net_paid"]

HELD_OUTCOMES = ("held", "reported", "confirmed", "approved", "paid")
OUTCOME_COLUMNS = ["no_shows", "cancellations", "reports_late", "ratings", "rating_average",
                   "satisfied"]


def _month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: dt.date, last: dt.date) -> list[str]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_label(key: str) -> tuple[str, str]:
    year, month = key.split("-")
    return f"{year}年{int(month)}月", key


def _held_dates(report: ReportInput) -> list[tuple[HeldSession, dt.date, Session | None]]:
    """Each held session with its date and the planned session it is; errors named."""
    scenario, plan = report.scenario, report.plan
    planned = {(s.association_id, s.number): s for s in scenario.pinned}
    if plan is not None:
        planned.update({(s.association_id, s.number): s for s in plan.sessions})
    issues = []
    result = []
    seen: set[tuple[str, int]] = set()
    for index, held in enumerate(report.held or ()):
        place = held.source_place or f"held[{index}]"
        where = f"{place} ({held.association_id} #{held.number})"
        association = scenario.association_by_id.get(held.association_id)
        key = (held.association_id, held.number)
        if association is None:
            issues.append(Issue(where, f"unknown association {held.association_id!r}"))
            continue
        if not 1 <= held.number <= association.sessions_requested:
            issues.append(Issue(where, f"session {held.number} is outside 1.."
                                       f"{association.sessions_requested} (sessions_requested)"))
            continue
        if key in seen:
            issues.append(Issue(where, "this session is listed twice"))
            continue
        seen.add(key)
        session = planned.get(key)
        day = held.date or (session.date if session else None)
        if day is None:
            issues.append(Issue(where, "not in the plan: give the date it was held"))
            continue
        result.append((held, day, session))
    if issues:
        raise InputError(report.source, issues)
    return result


def _check_plan_references(report: ReportInput) -> None:
    if report.plan is None:
        return
    issues = [Issue(f"sessions[{i}]", f"unknown association {s.association_id!r}")
              for i, s in enumerate(report.plan.sessions)
              if s.association_id not in report.scenario.association_by_id]
    if issues:
        raise InputError(report.source, issues)


def _check_outcomes(report: ReportInput) -> None:
    if report.outcomes is None:
        return
    known = report.scenario.association_by_id
    issues = [Issue(f"outcomes.sessions[{i}]", f"unknown association {o.association_id!r}")
              for i, o in enumerate(report.outcomes.sessions) if o.association_id not in known]
    issues += [Issue(f"outcomes.manuals[{i}]", f"unknown association {m.association_id!r}")
               for i, m in enumerate(report.outcomes.manuals) if m.association_id not in known]
    issues += [Issue(f"outcomes.payments[{i}].sessions[{j}]",
                     f"unknown association {line.association_id!r}")
               for i, p in enumerate(report.outcomes.payments)
               for j, line in enumerate(p.sessions) if line.association_id not in known]
    if issues:
        raise InputError(report.source, issues)


def _outcome_values(sessions: Sequence[SessionOutcome],
                    manuals: Sequence[ManualOutcome]) -> dict[str, int | float | None]:
    ratings = [s.rating for s in sessions if s.rating is not None]
    return {
        "no_shows": sum(1 for s in sessions if s.state == "no_show"),
        "cancellations": sum(1 for s in sessions if s.state == "cancelled"),
        "reports_late": sum(1 for s in sessions if s.report_late),
        "ratings": len(ratings),
        "rating_average": round(sum(ratings) / len(ratings), 1) if ratings else None,
        "satisfied": sum(1 for r in ratings if r >= 4),
        "manuals_completed": sum(1 for m in manuals if m.completed),
    }


def _add_outcomes(scenario: Scenario, outcomes: Outcomes, totals: dict[str, int | float | None],
                  tables: list[ReportTable]) -> None:
    """The outcome figures: in total, and as tables of their own by month of session
    (manuals by month of completion), by industry and by the qualifications of the
    session's experts (rows as in the tables of the same grouping)."""
    sessions, manuals = outcomes.sessions, outcomes.manuals
    totals.update(_outcome_values(sessions, manuals))
    industry_of = {a.id: a.industry for a in scenario.associations}
    # An association's manual counts for the qualifications of whoever led its sessions.
    leads: dict[str, set[str]] = defaultdict(set)
    for outcome in sessions:
        if outcome.state in HELD_OUTCOMES and outcome.expert_ids:
            leads[outcome.association_id].add(outcome.expert_ids[0])
    experts = scenario.expert_by_id
    grouped = {"by_session_month": ("outcomes_by_month", "成果（実施月別）",
                                    "Outcomes by month of session"),
               "by_industry": ("outcomes_by_industry", "成果（業種別）", "Outcomes by industry"),
               "by_qualification": ("outcomes_by_qualification", "成果（専門家の資格別）",
                                    "Outcomes by expert qualification")}
    for table in list(tables):
        if table.name not in grouped:
            continue
        rows = []
        for row in table.rows:
            if table.name == "by_session_month":
                chosen = [s for s in sessions if _month_key(s.date) == row.key]
                done = [m for m in manuals if m.completed_on is not None
                        and _month_key(m.completed_on) == row.key]
            elif table.name == "by_industry":
                chosen = [s for s in sessions if industry_of[s.association_id] == row.key]
                done = [m for m in manuals if industry_of[m.association_id] == row.key]
            else:
                holders = {e for e in experts if row.key in experts[e].qualifications}
                chosen = [s for s in sessions if holders.intersection(s.expert_ids)]
                done = [m for m in manuals if holders & leads[m.association_id]]
            rows.append(ReportRow(key=row.key, label=row.label, label_en=row.label_en,
                                  values=_outcome_values(chosen, done)))
        name, title, title_en = grouped[table.name]
        tables.append(ReportTable(name=name, title=title, title_en=title_en,
                                  columns=[*OUTCOME_COLUMNS, "manuals_completed"], rows=rows,
                                  note=table.note, note_en=table.note_en))


def _payment_values(entries: Sequence[PaymentOutcome], *, whole: bool,
                    sessions_of: Callable[[PaymentOutcome], Sequence[PaidSession]] | None = None,
                    ) -> dict[str, int | float | None]:
    """Fees and travel of the chosen sessions; withholding, adjustments and net only where
    whole payments are counted (``whole``): they are reckoned per payee and month."""
    lines = [line for entry in entries
             for line in (sessions_of(entry) if sessions_of else entry.sessions)]
    return {
        "fees_paid": sum(line.fee_yen for line in lines),
        "travel_paid": sum(line.travel_yen for line in lines),
        "withholding": sum(e.withholding_yen for e in entries) if whole else None,
        "adjustments": sum(e.adjustment_yen for e in entries) if whole else None,
        "net_paid": sum(e.net_yen for e in entries) if whole else None,
    }


def _add_payments(scenario: Scenario, payments: Sequence[PaymentOutcome],
                  totals: dict[str, int | float | None], tables: list[ReportTable]) -> None:
    """What was paid: in total, by month closed, by industry (of the session's
    association) and by the payee's qualification. Money has tables of its own, so that
    a chart never draws yen and counts on one axis."""
    totals.update({"fees_paid": sum(e.fee_yen for e in payments),
                   "travel_paid": sum(e.travel_yen for e in payments),
                   "withholding": sum(e.withholding_yen for e in payments),
                   "adjustments": sum(e.adjustment_yen for e in payments),
                   "net_paid": sum(e.net_yen for e in payments)})
    months = sorted({e.month for e in payments})
    month_rows = [ReportRow(key=month, label=_month_label(month)[0], label_en=month,
                            values=_payment_values([e for e in payments if e.month == month],
                                                   whole=True))
                  for month in months]
    industry_of = {a.id: a.industry for a in scenario.associations}
    industries = sorted({industry_of[line.association_id] for e in payments
                         for line in e.sessions if line.association_id in industry_of})
    industry_rows = []
    for industry in industries:
        label = INDUSTRY_LABELS.get(industry, Label(industry, industry))

        def of_industry(entry: PaymentOutcome, wanted: str = industry) -> list[PaidSession]:
            return [line for line in entry.sessions
                    if industry_of.get(line.association_id) == wanted]

        industry_rows.append(ReportRow(key=industry, label=label.ja, label_en=label.en,
                                       values=_payment_values(payments, whole=False,
                                                              sessions_of=of_industry)))
    experts = scenario.expert_by_id
    qualification_rows = []
    for key, words in scenario.programme.words.qualifications.items():
        chosen = [e for e in payments
                  if e.expert_id in experts and key in experts[e.expert_id].qualifications]
        qualification_rows.append(ReportRow(key=key, label=words.ja, label_en=words.en,
                                            values=_payment_values(chosen, whole=True)))
    tables += [
        ReportTable(name="payments_by_month", title="支払（締め月別）",
                    title_en="Paid by month closed", columns=PAYMENT_COLUMNS, rows=month_rows,
                    note="締めた月の支払（翌月末振込）。金額は円",
                    note_en="Payments of each month closed (transferred the month after), "
                            "in yen"),
        ReportTable(name="payments_by_industry", title="支払（業種別）",
                    title_en="Paid by industry", columns=["fees_paid", "travel_paid"],
                    rows=industry_rows,
                    note="源泉徴収税額は支払先・月ごとに計算するため業種別には分けません",
                    note_en="Tax withheld is reckoned per payee and month, so it is not "
                            "split by industry"),
        ReportTable(name="payments_by_qualification", title="支払（専門家の資格別）",
                    title_en="Paid by expert qualification", columns=PAYMENT_COLUMNS,
                    rows=qualification_rows,
                    note="複数の資格を持つ専門家は各資格に数えます",
                    note_en="An expert with several qualifications counts under each"),
    ]


def build_report(report: ReportInput) -> Report:
    """Every figure of the report; raises ``InputError`` naming bad held sessions."""
    scenario, plan = report.scenario, report.plan
    _check_plan_references(report)
    _check_outcomes(report)
    held = _held_dates(report) if report.held is not None else None
    zone = zoneinfo.ZoneInfo(scenario.programme.timezone)
    associations = scenario.associations
    accepted_ids = {a.id for a in associations if a.status in ACCEPTED_STATUSES}
    sessions = list(plan.sessions) if plan is not None else []
    planned_ids = {s.association_id for s in sessions}
    held_count = Counter(h.association_id for h, _, _ in held or [])
    served_ids = set(held_count)
    completed_ids = {a.id for a in associations
                     if held_count.get(a.id, 0) >= a.sessions_requested}

    def when(value: int) -> int | None:
        return value if plan is not None else None

    def when_held(value: int) -> int | None:
        return value if held is not None else None

    statuses = Counter(a.status for a in associations)
    totals: dict[str, int | float | None] = {
        "applications": len(associations),
        "accepted": len(accepted_ids),
        "under_review": statuses["received"] + statuses["interviewed"],
        "rejected": statuses["rejected"],
        "withdrawn": statuses["withdrawn"],
        "planned": when(len(planned_ids)),
        "unserved": when(len(accepted_ids - planned_ids)),
        "sessions_planned": when(len(sessions)),
        "served": when_held(len(served_ids)),
        "completed": when_held(len(completed_ids)),
        "sessions_held": when_held(len(held or [])),
    }

    def per_association(ids: Iterable[str]) -> dict[str, int | None]:
        chosen = set(ids)
        return {
            "applications": len(chosen),
            "accepted": len(chosen & accepted_ids),
            "planned": when(len(chosen & planned_ids)),
            "served": when_held(len(chosen & served_ids)),
        }

    # By month of application (programme time), every month from the first to the last.
    applied_month = {a.id: _month_key(a.applied_at.astimezone(zone).date()) for a in associations}
    period = scenario.programme.application_period
    days = [a.applied_at.astimezone(zone).date() for a in associations]
    if period is not None:
        days += [period.start, period.end]
    by_applied: dict[str, list[str]] = defaultdict(list)
    for association_id, month in applied_month.items():
        by_applied[month].append(association_id)
    application_rows = [
        ReportRow(key=month, label=_month_label(month)[0], label_en=month,
                  values=per_association(by_applied.get(month, [])))
        for month in (_months(min(days), max(days)) if days else [])
    ]

    # By month of session.
    implementation = scenario.programme.implementation_period
    session_days = [implementation.start, implementation.end]
    session_days += [s.date for s in sessions] + [day for _, day, _ in held or []]
    if report.outcomes is not None:
        session_days += [o.date for o in report.outcomes.sessions]
        session_days += [m.completed_on for m in report.outcomes.manuals
                         if m.completed_on is not None]
    planned_by_month = Counter(_month_key(s.date) for s in sessions)
    held_by_month = Counter(_month_key(day) for _, day, _ in held or [])
    session_rows = [
        ReportRow(key=month, label=_month_label(month)[0], label_en=month, values={
            "sessions_planned": when(planned_by_month[month]),
            "sessions_held": when_held(held_by_month[month]),
        })
        for month in _months(min(session_days), max(session_days))
    ]

    # By industry, in the order of the most applications.
    industry_of = {a.id: a.industry for a in associations}
    by_industry: dict[str, list[str]] = defaultdict(list)
    for association in associations:
        by_industry[association.industry].append(association.id)
    industry_rows = []
    for industry, ids in sorted(by_industry.items(), key=lambda item: (-len(item[1]), item[0])):
        label = INDUSTRY_LABELS.get(industry, Label(industry, industry))
        values = per_association(ids)
        values["sessions_planned"] = when(
            sum(1 for s in sessions if industry_of[s.association_id] == industry))
        values["sessions_held"] = when_held(
            sum(1 for h, _, _ in held or [] if industry_of[h.association_id] == industry))
        industry_rows.append(ReportRow(key=industry, label=label.ja, label_en=label.en,
                                       values=values))

    # By qualification: an expert with two qualifications counts under both.
    qualification_rows = []
    for key, words in scenario.programme.words.qualifications.items():
        holders = {e.id for e in scenario.experts if key in e.qualifications}
        leads = {s.association_id for s in sessions if s.lead_id in holders}
        qualification_rows.append(ReportRow(key=key, label=words.ja, label_en=words.en, values={
            "experts": len(holders),
            "associations_led": when(len(leads)),
            "sessions_planned": when(
                sum(1 for s in sessions if holders.intersection(s.expert_ids))),
            "sessions_held": when_held(sum(
                1 for _, _, s in held or [] if s is not None
                and holders.intersection(s.expert_ids))),
        }))

    status_rows = [
        ReportRow(key=status, label=label.ja, label_en=label.en,
                  values={"applications": statuses[status]})
        for status, label in STATUS_LABELS.items()
    ]

    association_columns = ["applications", "accepted", "planned", "served"]
    tables = [
        ReportTable(name="by_status", title="状況別", title_en="By status",
                    columns=["applications"], rows=status_rows),
        ReportTable(name="by_application_month", title="申込月別",
                    title_en="By month of application", columns=association_columns,
                    rows=application_rows),
        ReportTable(name="by_session_month", title="実施月別", title_en="By month of session",
                    columns=["sessions_planned", "sessions_held"], rows=session_rows),
        ReportTable(name="by_industry", title="業種別", title_en="By industry",
                    columns=[*association_columns, "sessions_planned", "sessions_held"],
                    rows=industry_rows),
        ReportTable(
            name="by_qualification", title="専門家の資格別", title_en="By expert qualification",
            columns=["experts", "associations_led", "sessions_planned", "sessions_held"],
            rows=qualification_rows,
            note="複数の資格を持つ専門家は各資格に数えるため、合計は全体と一致しません",
            note_en="An expert with several qualifications counts under each, so the rows "
                    "do not add up to the totals"),
    ]
    if report.outcomes is not None:
        _add_outcomes(scenario, report.outcomes, totals, tables)
        _add_payments(scenario, report.outcomes.payments, totals, tables)
    return Report(
        programme=scenario.programme.name, has_plan=plan is not None, has_held=held is not None,
        has_outcomes=report.outcomes is not None, totals=totals, tables=tables,
        figure_labels={key: {"ja": label.ja, "en": label.en}
                       for key, label in FIGURE_LABELS.items()},
    )
