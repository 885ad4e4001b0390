"""First come, first served: what a secretariat does by hand.

Take accepted applications in ``applied_at`` order, give each the least-loaded
qualified expert, and book the earliest free slots at the minimum gap. It is the
baseline the optimiser is measured against, and its plan is the solver's first hint.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

from matcher.core import Matching
from matcher.encoding import SLOTS_PER_DAY, Encoding, KeptSession, PinnedSession
from scheduler.ledger import expert_ledgers, on_grid
from scheduler.solution import Assignment, Solution


class Greedy:
    def __init__(self, enc: Encoding, matching: Matching) -> None:
        self.enc = enc
        self.matching = matching
        self.ledgers = expert_ledgers(enc)
        self.associations = [0] * len(enc.expert_ids)  # associations each expert works with

    def _fits(self, e: int, a: int, slot: int, mode: int, extra_week: dict[int, int]) -> bool:
        day, week, start, end, pad = on_grid(self.enc, a, slot, mode)
        return self.ledgers[e].is_free(day, week, start, end, pad,
                                       also_in_week=extra_week.get(week, 0))

    def _book(self, e: int, a: int, slot: int, mode: int) -> None:
        self.ledgers[e].book(*on_grid(self.enc, a, slot, mode))

    def try_lead(self, a: int, e: int, fixed: dict[int, int], mode: int) -> list[int] | None:
        """Earliest starts for every session of ``a`` with lead ``e``, or None."""
        enc = self.enc
        n, gap = int(enc.sessions[a]), enc.min_gap_days
        starts_mask = enc.pair_starts(a, e)
        days = np.flatnonzero(starts_mask.any(axis=1))
        chosen: list[int] = []
        extra_week: dict[int, int] = {}
        day_min = 0
        for k in range(n):
            if k in fixed:
                slot = fixed[k]
                if slot // SLOTS_PER_DAY < day_min:
                    return None
                chosen.append(slot)
                day_min = slot // SLOTS_PER_DAY + gap
                continue
            later_fixed = [(kk, s) for kk, s in fixed.items() if kk > k]
            day_max = min(
                (s // SLOTS_PER_DAY - (kk - k) * gap for kk, s in later_fixed), default=enc.n_days
            )
            found = self._first_slot(a, e, mode, starts_mask, days, day_min, day_max, extra_week)
            if found is None:
                return None
            slot = found
            chosen.append(slot)
            week = int(enc.iso_week[slot // SLOTS_PER_DAY])
            extra_week[week] = extra_week.get(week, 0) + 1
            day_min = slot // SLOTS_PER_DAY + gap
        return chosen

    def _first_slot(
        self, a: int, e: int, mode: int, mask: np.ndarray, days: np.ndarray,
        day_min: int, day_max: int, extra_week: dict[int, int],
    ) -> int | None:
        for day in days[np.searchsorted(days, day_min):]:
            if day > day_max:
                return None
            for half_hour in np.flatnonzero(mask[day]):
                slot = int(day) * SLOTS_PER_DAY + int(half_hour)
                if self._fits(e, a, slot, mode, extra_week):
                    return slot
        return None

    def run(self, pinned: Iterable[PinnedSession] = (), order: Iterable[int] | None = None,
            kept: Iterable[KeptSession] = ()) -> Solution:
        enc = self.enc
        solution: Solution = {}
        pins_by_association: dict[int, list[PinnedSession]] = {}
        for pin in pinned:
            pins_by_association.setdefault(pin.association, []).append(pin)
        # Pinned sessions are booked first: they happen whatever else is planned.
        for a, pins in pins_by_association.items():
            for pin in pins:
                for e in (pin.lead, *pin.joiners):
                    self._book(e, a, pin.start, pin.mode)
        for a, pins in pins_by_association.items():
            lead, mode = pins[0].lead, pins[0].mode
            fixed = {pin.number - 1: pin.start for pin in pins}
            starts = self.try_lead(a, lead, fixed, mode)
            if starts is None:
                continue
            for k, slot in enumerate(starts):
                if k not in fixed:
                    self._book(lead, a, slot, mode)
            joiners: list[list[int]] = [[] for _ in starts]
            for pin in pins:
                joiners[pin.number - 1] = list(pin.joiners)
            solution[a] = Assignment(lead, starts, mode, joiners)
            for e in {lead, *(j for pin in pins for j in pin.joiners)}:
                self.associations[e] += 1
        self._keep_published(solution, kept, set(pins_by_association))
        for a in order if order is not None else range(len(enc.association_ids)):
            if a in solution or a in pins_by_association:
                continue
            candidates = sorted(
                (int(e) for e in self.matching.leads[a]),
                key=lambda e: (len(self.ledgers[e]), e),
            )
            for e in candidates:
                if self.associations[e] >= enc.expert_max_associations[e]:
                    continue
                mode = enc.session_mode(a, e)
                starts = self.try_lead(a, e, {}, mode)
                if starts is None:
                    continue
                for slot in starts:
                    self._book(e, a, slot, mode)
                self.associations[e] += 1
                solution[a] = Assignment(e, starts, mode, [[] for _ in starts])
                break
        return solution


    def _keep_published(self, solution: Solution, kept: Iterable[KeptSession],
                        pinned: set[int]) -> None:
        """On a re-plan, book each association's published sessions again where they fit."""
        enc = self.enc
        by_association: dict[int, list[KeptSession]] = {}
        for session in kept:
            by_association.setdefault(session.association, []).append(session)
        for a in sorted(by_association):
            lead = by_association[a][0].lead
            if (a in pinned or lead not in self.matching.leads[a]
                    or self.associations[lead] >= enc.expert_max_associations[lead]):
                continue
            sessions = sorted(by_association[a], key=lambda x: x.number)
            if ([x.number for x in sessions] != list(range(1, int(enc.sessions[a]) + 1))
                    or any(x.lead != lead for x in sessions)):
                continue  # only a whole published schedule is re-booked here
            mode = enc.session_mode(a, lead)
            mask = enc.pair_starts(a, lead).ravel()
            starts = [x.start for x in sessions]
            days = [slot // SLOTS_PER_DAY for slot in starts]
            if any(b - d < enc.min_gap_days for d, b in itertools.pairwise(days)):
                continue
            extra_week: dict[int, int] = {}
            fits = True
            for slot in starts:
                if not (mask[slot] and self._fits(lead, a, slot, mode, extra_week)):
                    fits = False
                    break
                week = int(enc.iso_week[slot // SLOTS_PER_DAY])
                extra_week[week] = extra_week.get(week, 0) + 1
            if not fits:
                continue
            for slot in starts:
                self._book(lead, a, slot, mode)
            self.associations[lead] += 1
            solution[a] = Assignment(lead, starts, mode, [[] for _ in starts])


def plan_greedy(enc: Encoding, matching: Matching, pinned: Iterable[PinnedSession] = (),
                kept: Iterable[KeptSession] = ()) -> Solution:
    return Greedy(enc, matching).run(pinned, kept=kept)
