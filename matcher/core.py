"""Who may serve whom: candidate leads and joiners, reasons, and a proven bound on service.

Matching sees only the encoding's arrays; the reasons for the unserved are put in words
afterwards, with the scenario beside the encoding (``unserved_reason``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow
from ortools.sat.python import cp_model

from domain.scenario import Scenario
from domain.vocabulary import MODE_LABELS, WEEKDAYS, UnservedReason
from matcher.encoding import (
    MODE_EITHER,
    MODE_NAMES,
    BoolArray,
    Encoding,
    IntArray,
    fits_sessions,
    fits_sessions_each,
)

# How many joining experts per (association, secondary need) the model considers.
JOINERS_PER_NEED = 8


@dataclass(frozen=True)
class Reason:
    """Why an association cannot be served: the spec's reason and what to do about it."""

    reason: str
    detail: str
    detail_en: str


@dataclass(frozen=True)
class Blocked:
    """Why no rule-abiding plan can serve an association: the spec's reason, and the
    experts it concerns (the qualified ones for ``no_qualified_expert``, those who could
    lead but for time for ``no_common_time``)."""

    reason: UnservedReason
    experts: tuple[int, ...] = ()


@dataclass
class Matching:
    leads: list[IntArray]  # per association: candidate lead experts, best first
    joiners: list[dict[int, IntArray]]  # per association: need -> candidate joiners
    blocked: dict[int, Blocked]  # associations no rule-abiding plan can serve, and why
    session_capacity: IntArray  # (E,) most sessions each expert can hold in the period
    flow_bound: int
    assignment_bound: int

    @property
    def upper_bound(self) -> int:
        return min(self.flow_bound, self.assignment_bound)


def mode_compatible_each(enc: Encoding, a: int) -> BoolArray:
    """(E,): ``mode_compatible`` for every expert at once."""
    mode = int(enc.mode[a])
    if mode == MODE_EITHER:
        return np.asarray(enc.expert_modes.any(axis=1))
    return np.asarray(enc.expert_modes[:, mode])


def qualified_joiners(enc: Encoding, a: int, need: int) -> list[int]:
    """Experts who may join association ``a`` to cover ``need``: qualified, free of
    conflict, offering its mode, and allowed any association at all."""
    eligible = (enc.covers[:, need] & ~enc.conflict[a] & mode_compatible_each(enc, a)
                & (enc.expert_max_associations > 0))
    return np.flatnonzero(eligible).tolist()


def match(enc: Encoding, bound_seconds: float | None = 5.0) -> Matching:
    """Candidates, reasons and the flow bound; with ``bound_seconds``, the assignment
    bound too (``tighten_bound`` computes it later, when a plan falls short of the flow)."""
    n_a = len(enc.association_ids)
    capacity = expert_session_capacity(enc)
    leads: list[IntArray] = []
    joiners: list[dict[int, IntArray]] = []
    blocked: dict[int, Blocked] = {}
    lead_ready = enc.expert_max_associations > 0
    for a in range(n_a):
        sessions = int(enc.sessions[a])
        own_days = enc.association_starts[a].any(axis=1)
        common = enc.common_days(a)  # (E, D)
        # Experts in the association's mode, free of conflict, allowed any association.
        eligible = mode_compatible_each(enc, a) & ~enc.conflict[a] & lead_ready
        qualified = np.flatnonzero(enc.covers[:, enc.primary_need[a]])
        usable = qualified[eligible[qualified] & (capacity[qualified] >= sessions)]
        fits = fits_sessions_each(common[usable], sessions, enc.min_gap_days)
        feasible = usable[fits].astype(np.int64)
        # Prefer the industry match, then the expert with most common days, then the id.
        day_counts = common.sum(axis=1)
        order = np.lexsort((feasible, -day_counts[feasible],
                            ~enc.industry_match[a, feasible]))
        feasible = feasible[order]
        leads.append(feasible)
        if feasible.size == 0:
            if not fits_sessions(own_days, sessions, enc.min_gap_days):
                blocked[a] = Blocked("window_too_short")
            elif usable.size == 0:
                blocked[a] = Blocked("no_qualified_expert", tuple(int(e) for e in qualified))
            else:
                blocked[a] = Blocked("no_common_time", tuple(int(e) for e in usable))
        per_need: dict[int, IntArray] = {}
        for need in enc.secondary_needs[a]:
            # Most common days first, then the id.
            options = np.flatnonzero(enc.covers[:, need] & eligible & (day_counts > 0))
            order = np.lexsort((options, -day_counts[options]))
            per_need[need] = options[order[:JOINERS_PER_NEED]].astype(np.int64)
        joiners.append(per_need)
    flow = flow_bound(enc, leads, capacity)
    matching = Matching(leads, joiners, blocked, capacity, flow, flow)
    if bound_seconds is not None:
        tighten_bound(enc, matching, bound_seconds)
    return matching


def tighten_bound(enc: Encoding, matching: Matching, seconds: float) -> None:
    """Set ``matching.assignment_bound`` (no looser than the flow bound)."""
    matching.assignment_bound = assignment_bound(
        enc, matching.leads, matching.session_capacity, matching.flow_bound, seconds)


def expert_session_capacity(enc: Encoding) -> IntArray:
    """Most sessions each expert could hold: day and week caps over the days it is free."""
    per_day = np.minimum(enc.expert_day_fits, enc.expert_max_per_day[:, None])  # (E, D)
    n_weeks = int(enc.iso_week.max()) + 1 if enc.n_days else 0
    day_in_week = np.eye(n_weeks, dtype=np.int64)[enc.iso_week]  # (D, W)
    per_week = per_day @ day_in_week  # (E, W)
    return np.asarray(np.minimum(per_week, enc.expert_max_per_week[:, None]).sum(axis=1))


def flow_bound(enc: Encoding, leads: list[IntArray], capacity: IntArray) -> int:
    """Maximum flow: association -> candidate lead -> sink, with each expert's capacity."""
    n_a, n_e = len(enc.association_ids), len(enc.expert_ids)
    if n_a == 0:
        return 0
    source, sink = n_a + n_e, n_a + n_e + 1
    # The arcs as arrays, added in three calls: at 2000x400 there are a quarter of a
    # million, and adding them one call each took over a second.
    sizes = np.array([len(candidates) for candidates in leads], dtype=np.int64)
    members = np.flatnonzero(sizes)
    lead_tails = np.repeat(np.arange(n_a, dtype=np.int64), sizes)
    lead_heads = (np.concatenate([np.asarray(c, dtype=np.int64) for c in leads])
                  if members.size else np.zeros(0, dtype=np.int64))
    # Each expert's capacity in associations: at most its slots, and its sessions over
    # the shortest association it could lead.
    shortest = np.full(n_e, np.iinfo(np.int64).max)
    np.minimum.at(shortest, lead_heads, np.asarray(enc.sessions)[lead_tails])
    leading = np.flatnonzero(shortest < np.iinfo(np.int64).max)
    expert_caps = np.minimum(enc.expert_max_associations[leading],
                             capacity[leading] // shortest[leading])
    graph = max_flow.SimpleMaxFlow()
    graph.add_arcs_with_capacity(np.full(members.size, source, dtype=np.int64), members,
                                 np.ones(members.size, dtype=np.int64))
    graph.add_arcs_with_capacity(lead_tails, n_a + lead_heads,
                                 np.ones(lead_tails.size, dtype=np.int64))
    graph.add_arcs_with_capacity(n_a + leading, np.full(leading.size, sink, dtype=np.int64),
                                 expert_caps.astype(np.int64))
    status = graph.solve(source, sink)
    if status != graph.OPTIMAL:
        raise RuntimeError(f"max flow failed with status {status}")
    return int(graph.optimal_flow())


def assignment_bound(
    enc: Encoding, leads: list[IntArray], capacity: IntArray, flow: int, seconds: float
) -> int:
    """Tighter bound: leads under association and session capacities, time ignored.

    Every rule-abiding plan is a solution of this relaxation, so CP-SAT's proven
    bound on it (not necessarily its optimum) bounds service.
    """
    model = cp_model.CpModel()
    by_expert: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    served = []
    for a, candidates in enumerate(leads):
        if len(candidates) == 0:
            continue
        choice = [model.new_bool_var(f"x{a}_{e}") for e in candidates]
        model.add_at_most_one(choice)
        served.extend(choice)
        for e, var in zip(candidates, choice, strict=True):
            by_expert.setdefault(int(e), []).append((a, var))
    for e, pairs in by_expert.items():
        model.add(sum(var for _, var in pairs) <= int(enc.expert_max_associations[e]))
        model.add(sum(int(enc.sessions[a]) * var for a, var in pairs) <= int(capacity[e]))
    model.maximize(sum(served))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    # CP-SAT's own Ctrl-C handler outlives the solve and crashes a later Ctrl-C.
    solver.parameters.catch_sigint_signal = False
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return min(flow, int(np.floor(solver.best_objective_bound + 1e-6)))
    return flow


def unserved_reason(scenario: Scenario, enc: Encoding, matching: Matching, a: int,
                    load: IntArray) -> Reason:
    """Why association ``a`` of ``enc`` (made from ``scenario``) is not in a plan whose
    experts work with ``load`` associations each, in words a secretariat can act on."""
    blocked = matching.blocked.get(a)
    if blocked is None:
        return capacity_reason(scenario, enc, matching, a, load)
    if blocked.reason == "window_too_short":
        return window_reason(scenario, enc, a)
    if blocked.reason == "no_qualified_expert":
        return no_qualified_reason(scenario, enc, a, list(blocked.experts),
                                   matching.session_capacity)
    return no_common_time_reason(scenario, enc, a, list(blocked.experts))


def _need_label(scenario: Scenario, enc: Encoding, need: int) -> tuple[str, str]:
    words = scenario.programme.words
    definition = words.needs[enc.need_ids[need]]
    quals = definition.covered_by
    ja = "・".join(words.qualifications[q].ja for q in quals)
    return f"{definition.ja}（{ja}）", f"{enc.need_ids[need]} ({', '.join(quals)})"


def _describe_windows(scenario: Scenario, enc: Encoding, a: int) -> tuple[str, str]:
    """The association's weekly pattern in words, e.g. 'tue 13:00-17:00, wed 09:00-17:00'."""
    association = scenario.association_by_id[enc.association_ids[a]]
    availability = association.availability
    if availability is None or availability.weekly is None:
        return "平日の営業時間", "business hours on weekdays"
    parts = []
    for i, key in enumerate(WEEKDAYS):
        for start, end in availability.weekly.on(i):
            parts.append(f"{key} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
    text = ", ".join(parts) or "none"
    return text, text


def window_reason(scenario: Scenario, enc: Encoding, a: int) -> Reason:
    association = scenario.association_by_id[enc.association_ids[a]]
    sessions, gap = int(enc.sessions[a]), enc.min_gap_days
    end = scenario.programme.implementation_period.end
    earliest = enc.days[int(enc.earliest_day[a])] if enc.earliest_day[a] < enc.n_days else end
    free = int(enc.association_starts[a].any(axis=1).sum())
    return Reason(
        "window_too_short",
        f"{association.decided_on} 決定：最短 {earliest} 開始で、{gap}日以上の間隔をあけた"
        f"{sessions}回が{end}までに収まりません（団体の空き日 {free} 日）",
        f"decided {association.decided_on}: {sessions} sessions {gap} days apart do not fit "
        f"between {earliest} and {end} ({free} days with a free window)",
    )


def no_qualified_reason(
    scenario: Scenario, enc: Encoding, a: int, qualified: list[int], capacity: IntArray
) -> Reason:
    need_ja, need_en = _need_label(scenario, enc, int(enc.primary_need[a]))
    if not qualified:
        return Reason(
            "no_qualified_expert",
            f"主たるニーズ「{need_ja}」に対応できる専門家が登録されていません",
            f"no registered expert covers the primary need {need_en}",
        )
    why_ja, why_en = [], []
    wanted = MODE_NAMES[int(enc.mode[a])] if enc.mode[a] != MODE_EITHER else None
    for e in qualified[:6]:
        expert_id = enc.expert_ids[e]
        if enc.conflict[a, e]:
            why_ja.append(f"{expert_id} 利益相反")
            why_en.append(f"{expert_id} conflict of interest")
        elif wanted and not enc.expert_modes[e, int(enc.mode[a])]:
            why_ja.append(f"{expert_id} {MODE_LABELS[wanted].ja}非対応")
            why_en.append(f"{expert_id} does not offer {wanted}")
        else:
            why_ja.append(f"{expert_id} 受入枠なし")
            why_en.append(f"{expert_id} has no capacity ({int(capacity[e])} sessions)")
    return Reason(
        "no_qualified_expert",
        f"「{need_ja}」の有資格者 {len(qualified)} 名はいずれも担当できません："
        + "、".join(why_ja),
        f"none of the {len(qualified)} experts covering {need_en} can lead: " + "; ".join(why_en),
    )


def no_common_time_reason(scenario: Scenario, enc: Encoding, a: int, usable: list[int]
                          ) -> Reason:
    need_ja, need_en = _need_label(scenario, enc, int(enc.primary_need[a]))
    pattern_ja, pattern_en = _describe_windows(scenario, enc, a)
    common_days = enc.common_days(a)
    closest = sorted(usable, key=lambda e: -int(common_days[e].sum()))[:3]
    sessions = int(enc.sessions[a])
    near_ja = "、".join(f"{enc.expert_ids[e]} 共通 {int(common_days[e].sum())} 日" for e in closest)
    near_en = ", ".join(
        f"{enc.expert_ids[e]} {int(common_days[e].sum())} common days" for e in closest
    )
    return Reason(
        "no_common_time",
        f"「{need_ja}」の専門家と団体の空き時間（{pattern_ja}）が重ならず、"
        f"{enc.min_gap_days}日間隔で{sessions}回を組めません（最も近い：{near_ja}）",
        f"no expert covering {need_en} shares enough windows with the association "
        f"({pattern_en}) for {sessions} sessions {enc.min_gap_days} days apart "
        f"(closest: {near_en})",
    )


def capacity_reason(scenario: Scenario, enc: Encoding, matching: Matching, a: int,
                    load: IntArray) -> Reason:
    """For an association the plan left out although some expert could have led it."""
    candidates = [int(e) for e in matching.leads[a]]
    need_ja, need_en = _need_label(scenario, enc, int(enc.primary_need[a]))
    listed = ", ".join(
        f"{enc.expert_ids[e]} {int(load[e])}/{int(enc.expert_max_associations[e])}"
        for e in candidates[:5]
    )
    return Reason(
        "capacity",
        f"「{need_ja}」を担当できる {len(candidates)} 名の専門家（{listed} 団体）は、"
        "先に申請した団体で日程・受入枠が埋まっています",
        f"the {len(candidates)} experts who could lead on {need_en} ({listed} associations) "
        "are full with earlier applicants",
    )
