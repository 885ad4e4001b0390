"""The kinds of instance the generator makes: one ``Profile`` of parameters each.

A profile changes the parameters, never the shape of the data. Kept apart from the
generator so that the command line can list them without loading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Profile:
    """Parameters of one kind of instance; ``description`` says what it is for."""

    description: str
    # Experts: how many associations and sessions a week they take, how many weekdays.
    # Association slots are spent by joiners as much as by leads (rule 7): 4-10 leaves
    # room for both at four to five applications per expert.
    max_associations: tuple[int, int] = (4, 10)
    sessions_per_week: tuple[int, int] = (2, 6)
    expert_weekdays: tuple[int, int] = (2, 4)
    # Associations: weekdays their office offers.
    association_weekdays: tuple[int, int] = (3, 5)
    # Few, short windows on both sides, and more blocked weeks.
    narrow: bool = False
    # Share of applications that come late (Dec-Jan) and are decided slowly (Jan-Feb).
    late_share: float = 0.0
    # Share of experts with one or two conflicts (an association they advise).
    conflicted_experts: float = 0.15
    # Share of all associations each expert is conflicted with; (0, 0) for the usual few.
    conflict_share: tuple[float, float] = (0.0, 0.0)
    # Share of experts offering only one mode (split between onsite-only and online-only).
    single_mode_experts: float = 0.3
    # Who applies: industry "associations" (the main programme) or single "companies".
    applicants: str = "associations"
    # A national programme: associations and onsite-capable experts all over Japan (the
    # prefecture in an association's address, in an expert's base_area), experts tied to
    # their own prefecture for onsite sessions, online-only experts serving anywhere.
    national: bool = False


PROFILES: Mapping[str, Profile] = MappingProxyType({
    "balanced": Profile(
        "Expert capacity roughly matches demand, for leads and for joiners covering secondary "
        "needs; decisions spread over the application period."
    ),
    "scarce_experts": Profile(
        "Experts take 1-3 associations and 1-3 sessions a week: capacity well below demand.",
        max_associations=(1, 3),
        sessions_per_week=(1, 3),
        expert_weekdays=(1, 3),
    ),
    "late_decisions": Profile(
        "Many applications decided in Jan-Feb 2026, so several cannot fit their sessions "
        "before 2026-03-13.",
        late_share=0.45,
    ),
    "narrow_availability": Profile(
        "Associations and experts offer one or two short windows a week and block more weeks.",
        expert_weekdays=(1, 2),
        association_weekdays=(1, 2),
        narrow=True,
    ),
    "many_conflicts": Profile(
        "Every expert is conflicted with 5-20% of the associations (advisers of their own field).",
        conflicted_experts=1.0,
        conflict_share=(0.05, 0.20),
    ),
    "scarce_narrow": Profile(
        "The two stresses together: scarce experts (1-3 associations, 1-3 sessions a week) "
        "who, like the associations, offer one or two short windows a week.",
        max_associations=(1, 3),
        sessions_per_week=(1, 3),
        expert_weekdays=(1, 2),
        association_weekdays=(1, 2),
        narrow=True,
    ),
    "tokyo": Profile(
        "The bundled example: balanced, with a late tail of decisions and more single-mode "
        "experts taking 2-6 associations, so a few associations cannot be served.",
        max_associations=(2, 6),
        late_share=0.06,
        single_mode_experts=0.45,
    ),
    "company": Profile(
        "The sister programme for single companies: up to four sessions, its own vocabulary "
        "with attorneys (弁護士) for a legal need; sized for thousands of applications.",
        applicants="companies",
    ),
    "national": Profile(
        "A national programme: associations in all 47 prefectures (Tokyo, Osaka and Aichi "
        "largest), each onsite-capable expert in a prefecture and serving onsite there, "
        "online-only experts for online sessions anywhere; sized for 20,000 applications.",
        single_mode_experts=0.4,
        national=True,
    ),
})
