"""Tiny hand-made scenarios for planner tests: a small programme in September 2025."""

from __future__ import annotations

import copy
from typing import Any

from domain.loading import parse_scenario
from domain.scenario import Scenario

# Sept 2025: the 15th (敬老の日) and 23rd (秋分の日) are national holidays.
PROGRAMME: dict[str, Any] = {
    "name": "テスト事業",
    "implementation_period": {"start": "2025-09-01", "end": "2025-10-31"},
    "business_hours": {"start": "09:00", "end": "18:00"},
    "closed_dates": [],
    "max_sessions": 5,
    "session_minutes": {"min": 60, "max": 120},
    "min_days_between_sessions": 7,
    "target_days_between_sessions": 14,
    "first_session_after_decision_business_days": 2,
    "travel_buffer_minutes": 60,
}


def expert(expert_id: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": expert_id, "name": f"専門家 {expert_id}",
        "qualifications": ["sharoushi"], "industries": ["retail"],
        "modes": ["onsite", "online"],
        "max_associations": 5, "max_sessions_per_day": 2, "max_sessions_per_week": 5,
    }
    record.update(fields)
    return record


def association(association_id: str, applied_day: int = 1, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": association_id, "name": f"東京都テスト協同組合 {association_id}",
        "legal_form": "sme_cooperative", "prefecture": "東京都", "city": "千代田区",
        "industry": "retail", "applied_at": f"2025-08-{applied_day:02d}T10:00:00+09:00",
        "decided_on": "2025-08-25", "status": "accepted", "needs": ["labour_law"],
        "sessions_requested": 2, "session_minutes": 60, "mode": "online",
    }
    record.update(fields)
    return record


def scenario(experts: list[dict[str, Any]], associations: list[dict[str, Any]],
             pinned: list[dict[str, Any]] | None = None, **programme: Any) -> Scenario:
    document = {
        "programme": {**copy.deepcopy(PROGRAMME), **programme},
        "experts": experts,
        "associations": associations,
        "pinned": pinned or [],
    }
    return parse_scenario(document, "test scenario")
