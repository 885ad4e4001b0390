"""A month to pay, shared by the payments tests: three experts, two associations, the
sessions approved in July 2026, the payees and their accounts, the secretariat's account."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from domain.loading import parse_scenario
from domain.payments import PayableSession, Payee
from domain.scenario import Scenario
from tests.scenarios import PROGRAMME, association, expert

APPROVED_AT = dt.datetime(2026, 8, 3, 9, 0, tzinfo=dt.UTC)

REMITTER: dict[str, Any] = {
    "consignor_code": "0000012345", "name": "ﾄｳｷﾖｳﾄ ｶｽﾊﾗ ｼﾞﾑｷﾖｸ", "bank_code": "0005",
    "bank_name": "ﾐﾂﾋﾞｼUFJ",
    "branch_code": "001", "branch_name": "ﾎﾝﾃﾝ", "account_type": 1,
    "account_number": "7654321"}

PAYMENTS: dict[str, Any] = {
    "fees": {"sharoushi": {"basis": "per_hour", "yen": 15_000},
             "sme_consultant": {"basis": "per_session", "yen": 25_000}},
    "default_fee": {"basis": "per_hour", "yen": 12_000},
    "travel": {"kind": "actual_up_to_cap", "cap_yen": 5_000},
    "remitter": REMITTER,
}

PAYEES: dict[str, dict[str, Any]] = {
    "E1": {"expert_id": "E1", "payee_type": "individual", "account": {
        "bank_code": "0001", "bank_name": "ﾐｽﾞﾎ", "branch_code": "123",
        "branch_name": "ﾄｳｷﾖｳ", "account_type": 1, "account_number": "1234567",
        # full-width input, as staff type it: converted to the bank's half-width kana
        "holder_name": "ヤマダ　ハナコ"}},
    "E2": {"expert_id": "E2", "payee_type": "corporate", "account": {
        "bank_code": "0009", "branch_code": "456", "account_type": "当座",
        "account_number": "0012345", "holder_name": "カ)サトウケイエイ"}},
    "E3": {"expert_id": "E3", "payee_type": "individual", "account": {
        "bank_code": "9900", "bank_name": "ﾕｳﾁﾖ", "branch_code": "018",
        "account_type": 1, "account_number": "7777777", "holder_name": "すずき　じゅん"}},
}


def payments_scenario(**payments: Any) -> Scenario:
    programme = {**copy.deepcopy(PROGRAMME), "name": "カスハラ対策マニュアル作成支援",
                 "implementation_period": {"start": "2026-06-01", "end": "2027-02-26"},
                 "payments": {**copy.deepcopy(PAYMENTS), **payments}}
    document = {
        "programme": programme,
        "experts": [expert("E1", name="山田 花子"),
                    expert("E2", name="佐藤 一郎", qualifications=["sme_consultant"]),
                    expert("E3", name="鈴木 純", qualifications=["industrial_counselor"])],
        "associations": [association("A1", applied_day=1),
                         association("A2", applied_day=2, city="八王子市")],
    }
    return parse_scenario(document, "payments test scenario")


def payees() -> dict[str, Payee]:
    return {key: Payee.model_validate(value) for key, value in PAYEES.items()}


def session(association_id: str, number: int, expert_id: str, day: int, *,
            start: str = "10:00", end: str = "12:00", mode: str = "onsite",
            travel: int = 0, month: int = 7) -> PayableSession:
    def minutes(text: str) -> int:
        return int(text[:2]) * 60 + int(text[3:])

    return PayableSession(association_id=association_id, number=number, expert_id=expert_id,
                          date=dt.date(2026, month, day), start=minutes(start),
                          end=minutes(end), mode=mode, travel_claimed_yen=travel,
                          approved_at=APPROVED_AT)


def july_sessions() -> list[PayableSession]:
    """E1: three sessions (2 h onsite, 2 h onsite, 1.5 h online); E2: two with E1 as joiner;
    E3: one onsite in Hachioji."""
    return [
        session("A1", 1, "E1", 6, travel=1_240),
        session("A1", 1, "E2", 6, travel=980),
        session("A2", 1, "E1", 14, travel=5_000),
        session("A1", 2, "E1", 27, start="14:00", end="15:30", mode="online"),
        session("A1", 2, "E2", 27, start="14:00", end="15:30", mode="online"),
        session("A2", 1, "E3", 14, travel=3_100),
    ]
