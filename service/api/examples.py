"""Examples shown in the OpenAPI document (the spec's own example records)."""

from __future__ import annotations

from typing import Any

from domain.programmes import TOKYO_PROGRAMME

# The Tokyo programme of 2025-26, as the bundled example and the generator have it.
PROGRAMME: dict[str, Any] = dict(TOKYO_PROGRAMME)

EXPERT: dict[str, Any] = {
    "id": "E001", "name": "山田 花子",
    "qualifications": ["sharoushi", "career_consultant"],
    "industries": ["retail", "food_service"],
    "modes": ["onsite", "online"],
    "base_area": "新宿区",
    "max_associations": 6, "max_sessions_per_day": 2, "max_sessions_per_week": 4,
    "availability": {
        "weekly": {"mon": [["10:00", "17:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]]},
        "dates": {"2025-08-21": []},
        "blocked": [{"start": "2025-08-11", "end": "2025-08-15"}],
    },
    "conflicts": [],
}

ASSOCIATION: dict[str, Any] = {
    "id": "A001", "name": "東京都〇〇商店街振興組合連合会",
    "legal_form": "sme_cooperative", "prefecture": "東京都", "city": "千代田区",
    "industry": "retail", "member_count": 350,
    "applied_at": "2025-07-02T10:15:00+09:00",
    "status": "received",
    "needs": ["labour_law", "mental_health"],
    "sessions_requested": 5, "session_minutes": 120,
    "mode": "either", "has_manual": False,
    "availability": {"weekly": {"tue": [["13:00", "17:00"]], "wed": [["09:00", "17:00"]]}},
}

SCENARIO: dict[str, Any] = {
    "programme": PROGRAMME,
    "experts": [EXPERT],
    "associations": [{**ASSOCIATION, "status": "accepted", "decided_on": "2025-07-16"}],
    "pinned": [],
}
