"""Quality figures of a plan, the same for every planner that produced it."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

from domain.plan import Session
from domain.scenario import Scenario


def plan_quality(scenario: Scenario, sessions: Sequence[Session]) -> dict[str, float | int | None]:
    """Secondary-need coverage, industry match, largest expert load, mean gap deviation."""
    by_association: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        by_association[session.association_id].append(session)
    needs = covered = matched = 0
    deviations: list[int] = []
    load: dict[str, int] = defaultdict(int)
    target = scenario.programme.target_days_between_sessions
    for association_id, own in by_association.items():
        association = scenario.association_by_id.get(association_id)
        if association is None:
            continue
        own.sort(key=lambda s: (s.date, s.start))
        present = {e for s in own for e in s.expert_ids}
        for need in association.secondary_needs:
            needs += 1
            covered += any(
                scenario.covers(scenario.expert_by_id[e], need)
                for e in present if e in scenario.expert_by_id
            )
        lead = scenario.expert_by_id.get(own[0].lead_id)
        matched += bool(lead and association.industry in lead.industries)
        deviations += [abs((b.date - a.date).days - target) for a, b in itertools.pairwise(own)]
        for session in own:
            for expert_id in session.expert_ids:
                load[expert_id] += 1
    served = len(by_association)
    return {
        "secondary_need_coverage": round(covered / needs, 4) if needs else None,
        "industry_match": round(matched / served, 4) if served else None,
        "max_expert_sessions": max(load.values(), default=0),
        "mean_gap_deviation_days": round(sum(deviations) / len(deviations), 3)
        if deviations else None,
    }
