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
