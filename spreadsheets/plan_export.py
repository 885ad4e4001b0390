"""A plan as the secretariat reads it: every session, each expert's schedule, the unserved.

``plan_workbook`` gives one .xlsx (日程一覧, 未対応, then one sheet per expert);
``plan_csvs`` the same tables as CSV files (``sessions.csv``, ``unserved.csv``,
``expert-E001.csv`` ...). Dates and times are real Excel dates and times.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from domain.plan import Plan, Session
from domain.scenario import Association, Scenario
from domain.vocabulary import (
    MODE_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    UNSERVED_REASON_LABELS,
    WEEKDAY_LABELS,
    WEEKDAYS,
    Label,
)
from spreadsheets.workbook import (
    add_table,
    csv_bytes,
    file_stem,
    fit_widths,
    new_workbook,
    sheet_title,
    workbook_bytes,
)


@dataclass(frozen=True)
class TableData:
    title: Label
    header: list[str]
    rows: list[list[Any]]


def _h(lang: str, *pairs: tuple[str, str]) -> list[str]:
    return [ja if lang == "ja" else en for ja, en in pairs]


def _text(label: Label, lang: str) -> str:
    return label.ja if lang == "ja" else label.en


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60) if minutes < 24 * 60 else dt.time(23, 59)


def _order(session: Session) -> tuple[dt.date, int, str, int]:
    return (session.date, session.start, session.association_id, session.number)


class _Names:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def expert(self, expert_id: str) -> str:
        expert = self.scenario.expert_by_id.get(expert_id)
        return f"{expert.name} ({expert_id})" if expert else expert_id

    def association(self, association_id: str) -> Association | None:
        return self.scenario.association_by_id.get(association_id)

    def place(self, session: Session) -> str:
        association = self.association(session.association_id)
        if association is None:
            return ""
        if session.mode == "online":
            return association.meeting_url or ""
        return association.address or f"{association.prefecture}{association.city}"


def sessions_table(scenario: Scenario, plan: Plan, lang: str = "ja") -> TableData:
    names = _Names(scenario)
    header = _h(lang, ("団体ID", "Association ID"), ("団体名", "Association"), ("回", "No."),
                ("フェーズ", "Phase"), ("日付", "Date"), ("曜日", "Day"), ("開始", "Start"),
                ("終了", "End"), ("時間(分)", "Minutes"), ("形式", "Mode"),
                ("主担当専門家", "Lead expert"), ("同行専門家", "Joining experts"),
                ("訪問先・URL", "Place or URL"))
    rows = []
    for session in sorted(plan.sessions, key=_order):
        association = names.association(session.association_id)
        rows.append([
            session.association_id, association.name if association else "", session.number,
            _text(PHASE_LABELS[session.phase], lang), session.date,
            _text(WEEKDAY_LABELS[WEEKDAYS[session.date.weekday()]], lang),
            _clock(session.start), _clock(session.end), session.minutes,
            _text(MODE_LABELS[session.mode], lang), names.expert(session.lead_id),
            "、".join(names.expert(e) for e in session.expert_ids[1:]), names.place(session),
        ])
    return TableData(Label("日程一覧", "sessions"), header, rows)


def expert_table(scenario: Scenario, plan: Plan, expert_id: str, lang: str = "ja") -> TableData:
    names = _Names(scenario)
    header = _h(lang, ("日付", "Date"), ("曜日", "Day"), ("開始", "Start"), ("終了", "End"),
                ("団体ID", "Association ID"), ("団体名", "Association"), ("回", "No."),
                ("フェーズ", "Phase"), ("形式", "Mode"), ("役割", "Role"),
                ("他の専門家", "Other experts"), ("訪問先・URL", "Place or URL"))
    rows = []
    mine = [s for s in plan.sessions if expert_id in s.expert_ids]
    for session in sorted(mine, key=_order):
        association = names.association(session.association_id)
        role = Label("主担当", "lead") if session.lead_id == expert_id else Label("同行", "joining")
        rows.append([
            session.date, _text(WEEKDAY_LABELS[WEEKDAYS[session.date.weekday()]], lang),
            _clock(session.start), _clock(session.end), session.association_id,
            association.name if association else "", session.number,
            _text(PHASE_LABELS[session.phase], lang), _text(MODE_LABELS[session.mode], lang),
            _text(role, lang),
            "、".join(names.expert(e) for e in session.expert_ids if e != expert_id),
            names.place(session),
        ])
    expert = scenario.expert_by_id.get(expert_id)
    title = f"{expert_id} {expert.name}" if expert else expert_id
    return TableData(Label(title, title), header, rows)


def unserved_table(scenario: Scenario, plan: Plan, lang: str = "ja") -> TableData:
    names = _Names(scenario)
    zone = zoneinfo.ZoneInfo(scenario.programme.timezone)
    header = _h(lang, ("団体ID", "Association ID"), ("団体名", "Association"),
                ("申込日時", "Applied at"), ("状況", "Status"), ("理由", "Reason"),
                ("詳細", "Detail"), ("詳細(英語)", "Detail (Japanese)"))
    rows = []
    for item in plan.unserved:
        association = names.association(item.association_id)
        applied = (association.applied_at.astimezone(zone).replace(tzinfo=None)
                   if association else None)
        status = _text(STATUS_LABELS[association.status], lang) if association else ""
        details = [item.detail, item.detail_en or ""]
        if lang != "ja":
            details.reverse()
        rows.append([item.association_id, association.name if association else "", applied,
                     status, _text(UNSERVED_REASON_LABELS[item.reason], lang), *details])
    return TableData(Label("未対応", "unserved"), header, rows)


def _tables(scenario: Scenario, plan: Plan, lang: str) -> tuple[TableData, TableData,
                                                                list[tuple[str, TableData]]]:
    experts = [(expert.id, expert_table(scenario, plan, expert.id, lang))
               for expert in scenario.experts]
    return sessions_table(scenario, plan, lang), unserved_table(scenario, plan, lang), experts


def plan_workbook(scenario: Scenario, plan: Plan, lang: str = "ja") -> bytes:
    book = new_workbook()
    sessions, unserved, experts = _tables(scenario, plan, lang)
    taken: set[str] = set()
    for table in (sessions, unserved, *(table for _, table in experts)):
        sheet = add_table(book, sheet_title(_text(table.title, lang), taken), table.header,
                          table.rows)
        fit_widths(sheet)
    return workbook_bytes(book)


def plan_csvs(scenario: Scenario, plan: Plan, lang: str = "ja") -> dict[str, bytes]:
    """File name -> CSV bytes: ``sessions.csv``, ``unserved.csv``, ``expert-<id>.csv``."""
    sessions, unserved, experts = _tables(scenario, plan, lang)
    files = {"sessions.csv": csv_bytes(sessions.header, sessions.rows),
             "unserved.csv": csv_bytes(unserved.header, unserved.rows)}
    for expert_id, table in experts:
        name = f"expert-{file_stem(expert_id)}.csv"
        if name in files:  # two ids that differ only in characters a file name drops
            name = f"expert-{file_stem(expert_id)}-{len(files)}.csv"
        files[name] = csv_bytes(table.header, table.rows)
    return files


def expert_workbook(scenario: Scenario, plan: Plan, expert_id: str, lang: str = "ja") -> bytes:
    """One expert's schedule as a workbook of one sheet."""
    table = expert_table(scenario, plan, expert_id, lang)
    book = new_workbook()
    fit_widths(add_table(book, sheet_title(_text(table.title, lang), set()), table.header,
                         table.rows))
    return workbook_bytes(book)


def expert_csv(scenario: Scenario, plan: Plan, expert_id: str, lang: str = "ja") -> bytes:
    """One expert's schedule as CSV (UTF-8 with BOM)."""
    table = expert_table(scenario, plan, expert_id, lang)
    return csv_bytes(table.header, table.rows)


def plan_issues(scenario: Scenario, plan: Plan) -> list[str]:
    """References in the plan that the scenario does not know (another scenario's plan)."""
    problems = []
    for index, session in enumerate(plan.sessions):
        if session.association_id not in scenario.association_by_id:
            problems.append(f"sessions[{index}].association_id: unknown association "
                            f"{session.association_id!r}")
        for e_index, expert_id in enumerate(session.expert_ids):
            if expert_id not in scenario.expert_by_id:
                problems.append(f"sessions[{index}].expert_ids[{e_index}]: unknown expert "
                                f"{expert_id!r}")
    for index, item in enumerate(plan.unserved):
        if item.association_id not in scenario.association_by_id:
            problems.append(f"unserved[{index}].association_id: unknown association "
                            f"{item.association_id!r}")
    return problems

