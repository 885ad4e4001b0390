"""The programmes Haken was built for, as exchange-format ``programme`` objects.

``TOKYO_PROGRAMME`` is Tokyo's 2025-26 programme for industry associations (the
default of an imported workbook and the API's example); ``COMPANY_PROGRAMME`` its
sister for single companies. The simulator generates scenarios of both.
"""

from __future__ import annotations

from typing import Any

from domain.vocabulary import DEFAULT_NEEDS, DEFAULT_QUALIFICATIONS

TOKYO_PROGRAMME: dict[str, Any] = {
    "name": "令和7年度 団体向け専門家派遣",
    "timezone": "Asia/Tokyo",
    "application_period": {"start": "2025-06-30", "end": "2026-01-09"},
    "implementation_period": {"start": "2025-07-14", "end": "2026-03-13"},
    "business_hours": {"start": "09:00", "end": "18:00"},
    # 2026-01-01 is a national holiday anyway; the office closes 12-29..01-02.
    "closed_dates": ["2025-12-29", "2025-12-30", "2025-12-31", "2026-01-02"],
    "max_sessions": 5,
    "session_minutes": {"min": 60, "max": 120},
    "min_days_between_sessions": 7,
    "target_days_between_sessions": 21,
    "first_session_after_decision_business_days": 5,
    "travel_buffer_minutes": 60,
}

# The sister programme for single companies: the same calendar, up to four sessions, and
# its own vocabulary, the default table plus attorneys for legal questions.
COMPANY_PROGRAMME: dict[str, Any] = {
    **TOKYO_PROGRAMME,
    "name": "令和7年度 企業向け専門家派遣",
    "max_sessions": 4,
    "vocabulary": {
        "qualifications": {
            **{key: {"ja": label.ja, "en": label.en}
               for key, label in DEFAULT_QUALIFICATIONS.items()},
            "bengoshi": {"ja": "弁護士", "en": "Attorney"},
        },
        "needs": {
            **{key: {"ja": label.ja, "en": label.en, "covered_by": list(quals)}
               for key, (label, quals) in DEFAULT_NEEDS.items()},
            "legal": {"ja": "法的対応", "en": "Legal response", "covered_by": ["bengoshi"]},
        },
    },
}
