"""A solution on the arrays, and its translation back into the spec's plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from domain.loading import scenario_sha256
from domain.plan import Plan, Session, Stats, Unserved
from domain.quality import plan_quality
from domain.scenario import Association, Scenario
from domain.types import format_clock
from domain.vocabulary import STATUS_LABELS, phase_of
from matcher.core import Matching, unserved_reason
from matcher.encoding import MODE_NAMES, SLOT_MINUTES, SLOTS_PER_DAY, Encoding


@dataclass
class Assignment:
    lead: int
    starts: list[int]  # absolute slots, one per session
    mode: int
    joiners: list[list[int]] = field(default_factory=list)  # per session

    def experts(self, k: int) -> list[int]:
        return [self.lead, *(self.joiners[k] if self.joiners else [])]

    def team(self) -> set[int]:
        """Every expert taking part in any of its sessions."""
        return {e for k in range(len(self.starts)) for e in self.experts(k)}

    def days(self) -> list[int]:
        """Each session's day (index from the window's first day), in session order."""
        return [int(slot) // SLOTS_PER_DAY for slot in self.starts]


Solution = dict[int, Assignment]  # association index -> assignment


def build_plan(
    scenario: Scenario,
    enc: Encoding,
    matching: Matching,
    solution: Solution,
    *,
    upper_bound: int,
    solver_status: str,
    wall_seconds: float,
    objectives: dict[str, object] | None = None,
    parameters: dict[str, object] | None = None,
) -> Plan:
    """The plan ``solution`` stands for: the decoder, given the scenario ``enc`` was
    encoded from."""
    sessions: list[Session] = []
    for a in sorted(solution, key=lambda i: enc.association_ids[i]):
        assignment = solution[a]
        n = len(assignment.starts)
        for k, slot in enumerate(assignment.starts):
            day, half_hour = divmod(int(slot), SLOTS_PER_DAY)
            start = half_hour * SLOT_MINUTES
            sessions.append(Session(
                association_id=enc.association_ids[a],
                number=k + 1,
                phase=phase_of(k + 1, n),
                expert_ids=[enc.expert_ids[e] for e in assignment.experts(k)],
                date=enc.days[0] + dt.timedelta(days=day),
                start=format_clock(start),
                end=format_clock(start + int(enc.minutes[a])),
                mode=MODE_NAMES[assignment.mode],
            ))
    load = np.zeros(len(enc.expert_ids), dtype=np.int64)
    for assignment in solution.values():
        for e in assignment.team():
            load[e] += 1
    unserved: list[Unserved] = []
    for a, association_id in enumerate(enc.association_ids):
        if a in solution:
            continue
        reason = unserved_reason(scenario, enc, matching, a, load)
        unserved.append(Unserved(association_id=association_id, reason=reason.reason,
                                 detail=reason.detail, detail_en=reason.detail_en))
    for association in sorted(scenario.associations, key=lambda x: x.id):
        if association.status != "accepted":
            unserved.append(not_accepted(association))
    unserved.sort(key=lambda u: u.association_id)
    served = len(solution)
    quality = plan_quality(scenario, sessions)
    stats = Stats(
        served=served,
        unserved=len(unserved),
        served_upper_bound=max(upper_bound, served),
        solver_status=solver_status,
        wall_seconds=round(wall_seconds, 2),
        accepted=len(enc.association_ids),
        objectives=objectives,
        **quality,
    )
    return Plan(scenario_sha256=scenario_sha256(scenario), sessions=sessions, unserved=unserved,
                stats=stats, parameters=parameters)


def not_accepted(association: Association) -> Unserved:
    """An application not (or no longer) accepted, unserved for that reason: its status in
    the reader's words (a Japanese note names the Japanese status, never the key)."""
    return Unserved(
        association_id=association.id, reason="not_accepted",
        detail=f"申請状況が「{STATUS_LABELS[association.status].ja}」のため計画対象外です",
        detail_en=f"status is {association.status!r}, only accepted ones are planned")
