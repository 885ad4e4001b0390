"""How good a solution is on objectives 2 to 6, computed on the arrays."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.core import qualified_joiners
from matcher.encoding import Encoding, KeptSession
from scheduler.solution import Assignment, Solution


@dataclass(frozen=True)
class Score:
    """A whole solution's standing on objectives 2 to 6 (higher key is better)."""

    covered: int
    coverable: int
    industry: int
    top_load: int
    at_top: int
    gap_days: int
    gap_pairs: int
    kept: int
    served: int = 0  # associations in the solution: the base of the industry share
    published: int = 0  # sessions of the published plan a re-plan tries to keep


    def key(self) -> tuple[int, ...]:
        return (self.covered, self.industry, -self.top_load, -self.at_top, -self.gap_days,
                self.kept)

    def describe(self) -> str:
        coverage = self.covered / self.coverable if self.coverable else 1.0
        gap = self.gap_days / self.gap_pairs if self.gap_pairs else 0.0
        industry = self.industry / self.served if self.served else 0.0
        # The same figures, in the same words, as the summary printed at the end.
        described = (f"coverage {coverage:.2f} of coverable needs, industry match {industry:.2f}, "
                     f"largest expert load {self.top_load}, mean |gap - target| {gap:.2f} d")
        if self.published:  # only a re-plan has published sessions to keep
            described += f", published sessions kept {self.kept} of {self.published}"
        return described


def expert_loads(enc: Encoding, solution: Solution) -> np.ndarray:
    loads = np.zeros(len(enc.expert_ids), dtype=np.int64)
    for assignment in solution.values():
        for k in range(len(assignment.starts)):
            for e in assignment.experts(k):
                loads[e] += 1
    return loads


def covered_needs(enc: Encoding, a: int, assignment: Assignment) -> set[int]:
    experts = assignment.team()
    return {need for need in enc.secondary_needs[a]
            if any(enc.covers[e, need] for e in experts)}


def coverable_needs(enc: Encoding, a: int) -> set[int]:
    """Secondary needs some expert who may work with ``a`` could cover (a candidate lead
    is a qualified joiner too: qualified, free of conflict, offering the mode)."""
    return {need for need in enc.secondary_needs[a] if qualified_joiners(enc, a, need)}


def gap_deviation(enc: Encoding, assignment: Assignment) -> int:
    days = assignment.days()
    return sum(abs(b - a - enc.target_gap_days) for a, b in itertools.pairwise(days))


def kept_count(solution: Solution, kept: Iterable[KeptSession]) -> int:
    count = 0
    for session in kept:
        assignment = solution.get(session.association)
        if (assignment is not None and assignment.lead == session.lead
                and session.number <= len(assignment.starts)
                and assignment.starts[session.number - 1] == session.start):
            count += 1
    return count


def score(enc: Encoding, solution: Solution, coverable: Mapping[int, set[int]],
          kept: Sequence[KeptSession] = ()) -> Score:
    """``coverable``: each association's ``coverable_needs``, computed once by the caller."""
    loads = expert_loads(enc, solution)
    top = int(loads.max()) if loads.size else 0
    return Score(
        covered=sum(len(covered_needs(enc, a, x)) for a, x in solution.items()),
        coverable=sum(len(coverable[a]) for a in solution),
        industry=sum(int(enc.industry_match[a, x.lead]) for a, x in solution.items()),
        top_load=top,
        at_top=int((loads == top).sum()) if top else 0,
        gap_days=sum(gap_deviation(enc, x) for x in solution.values()),
        gap_pairs=sum(len(x.starts) - 1 for x in solution.values()),
        kept=kept_count(solution, kept),
        served=len(solution),
        published=len(kept),
    )


class ScoreBounds:
    """Proven bounds on each figure of ``Score`` for a fixed set of served associations.

    A plan at every bound cannot be improved on any objective, so the search may stop
    (``scheduler.stop.AtBound``). The bounds are cheap where they are usually missed
    (coverage, industry, load) and the gap bound, a dynamic programme per association,
    is computed only once those hold.
    """

    def __init__(self, enc: Encoding, leads: Sequence[np.ndarray], served: Iterable[int],
                 covered: int, kept: Sequence[KeptSession] = ()) -> None:
        self.enc, self.leads = enc, leads
        self.served = sorted(set(served))
        self.covered = covered
        self.industry = sum(int(bool(enc.industry_match[a, leads[a]].any()))
                            for a in self.served)
        # The lead holds every session of its association; joiners only add load.
        lead_sessions = int(sum(int(enc.sessions[a]) for a in self.served))
        experts = max(1, len(enc.expert_ids))
        self.top_load = max(-(-lead_sessions // experts),
                            max((int(enc.sessions[a]) for a in self.served), default=0))
        # With every expert at most top_load, this many must be at it.
        self.at_top = max(1, lead_sessions - experts * (self.top_load - 1)) if lead_sessions else 0
        served_set = set(self.served)
        self.kept = sum(1 for s in kept if s.association in served_set)
        self._gap_days: int | None = None

    def gap_days(self) -> int:
        """Least total |gap - target| each served association's days allow, whatever the
        lead: sessions on days some candidate lead and the association share."""
        if self._gap_days is None:
            enc = self.enc
            days = np.arange(enc.n_days)
            step = days[None, :] - days[:, None]
            big = 2**40
            cost_of_gap = np.where(step >= enc.min_gap_days,
                                   np.abs(step - enc.target_gap_days), big)
            total = 0
            for a in self.served:
                open_days = enc.common_days(a)[self.leads[a]].any(axis=0)
                cost = np.where(open_days, 0, big)
                for _ in range(int(enc.sessions[a]) - 1):
                    cost = (cost[:, None] + cost_of_gap).min(axis=0)
                    cost = np.where(open_days, np.minimum(cost, big), big)
                best = int(cost.min())
                total += best if best < big else 0
            self._gap_days = total
        return self._gap_days

    def reached(self, current: Score) -> bool:
        """Whether every figure of ``current`` is at its bound."""
        return (current.covered >= self.covered and current.industry >= self.industry
                and current.top_load <= self.top_load and current.at_top <= self.at_top
                and current.kept >= self.kept and current.gap_days <= self.gap_days())
