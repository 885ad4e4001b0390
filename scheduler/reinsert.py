"""Exact re-insertion of one association with every other booking held.

Given everyone else's sessions, the best lead, joiners and days for one association
are found by dynamic programming over (session, day, needs covered so far): each
transition costs the gap's distance from the target, each joiner option the load it
adds. Re-inserting associations one at a time, and keeping a change only when the
whole plan's score improves, raises coverage and brings gaps near the target quickly
at any size; CP-SAT neighbourhoods (``scheduler.improve``) then find the moves that
need several associations to change at once.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from matcher.core import Matching, qualified_joiners
from matcher.encoding import SLOTS_PER_DAY, Encoding, KeptSession
from scheduler.ledger import LedgerSession, expert_ledgers, on_grid
from scheduler.scoring import covered_needs, gap_deviation, kept_count
from scheduler.solution import Assignment, Solution

# Leads tried per re-insertion: the current one and the most promising others. At scale
# an association has a hundred candidate leads and more; trying them all costs far more
# than it finds, and CP-SAT neighbourhoods look wider.
LEADS_TRIED = 8
# Joiners tried per set of needs they add, least loaded first.
JOINERS_PER_NEEDS = 3
# Joiners whose calendars are examined per open need: the least loaded with room. With a
# thousand experts a need has hundreds of qualified joiners, and reading every one's
# calendar for every lead tried made one re-insertion take most of a second.
JOINERS_EXAMINED_PER_NEED = 8
# Far above any real cost, and small enough that sums of a few never overflow int64.
INFINITE = 2**50


class Bookings:
    """Every expert's sessions, indexed for the questions re-insertion asks."""

    def __init__(self, enc: Encoding, solution: Solution) -> None:
        self.enc = enc
        n = len(enc.expert_ids)
        self.ledgers = expert_ledgers(enc)
        self.associations: list[set[int]] = [set() for _ in range(n)]
        self.load = np.zeros(n, dtype=np.int64)
        for a, assignment in solution.items():
            self.add(a, assignment)

    def top_load(self) -> int:
        """The busiest expert's number of sessions."""
        return int(self.load.max()) if self.load.size else 0

    def _sessions(self, a: int, assignment: Assignment) -> Iterator[tuple[int, LedgerSession]]:
        """Each expert of each session of ``assignment``, with the session."""
        for k, slot in enumerate(assignment.starts):
            session = on_grid(self.enc, a, int(slot), assignment.mode)
            for e in assignment.experts(k):
                yield e, session

    def add(self, a: int, assignment: Assignment) -> None:
        for e, session in self._sessions(a, assignment):
            self.ledgers[e].book(*session)
            self.associations[e].add(a)
            self.load[e] += 1

    def remove(self, a: int, assignment: Assignment) -> None:
        for e, session in self._sessions(a, assignment):
            self.ledgers[e].unbook(*session)
            self.load[e] -= 1
        for e in assignment.team():
            self.associations[e].discard(a)

    def is_free(self, e: int, a: int, slot: int, mode: int) -> bool:
        """Whether ``e`` could hold a session of ``a`` at ``slot`` without breaking rule 6."""
        return self.ledgers[e].is_free(*on_grid(self.enc, a, slot, mode))

    def free_starts(self, e: int, minutes: int, mode: int) -> np.ndarray:
        """(D, S): where ``e`` could start a new session without breaking rule 6."""
        return self.ledgers[e].free_starts(minutes, self.enc.travel_pad(mode), self.enc.iso_week)


@dataclass(frozen=True)
class Choice:
    """One way to hold a session: the joiners present and the needs they add."""

    joiners: tuple[int, ...]
    needs: int  # bit mask over the association's uncovered needs
    load_cost: int


class Reinserter:
    def __init__(self, enc: Encoding, matching: Matching, kept: Iterable[KeptSession] = (),
                 pinned: Iterable[int] = (), *, with_joiners: bool = True) -> None:
        """``with_joiners=False`` books leads only: joiners take capacity that serving
        more associations may need."""
        self.enc, self.matching = enc, matching
        self.with_joiners = with_joiners
        self.pinned = set(pinned)
        self.kept: dict[int, dict[int, KeptSession]] = {}
        for session in kept:
            self.kept.setdefault(session.association, {})[session.number - 1] = session
        days = np.arange(enc.n_days)
        step = days[None, :] - days[:, None]  # step[d, d2] = d2 - d
        self.gap_days = np.where(step >= enc.min_gap_days,
                                 np.abs(step - enc.target_gap_days), INFINITE)
        self.joiner_candidates = [
            {need: qualified_joiners(enc, a, need) for need in enc.secondary_needs[a]}
            for a in range(len(enc.association_ids))
        ]

    def improve_all(self, solution: Solution, order: Iterable[int],
                    time_left: Callable[[], bool] | None = None) -> tuple[Solution, int]:
        """Re-insert each association in ``order``; keep what improves the whole plan.

        ``time_left``, asked before each association, ends the pass early when false.
        """
        enc = self.enc
        solution = dict(solution)
        bookings = Bookings(enc, solution)

        def part(a: int, x: Assignment) -> tuple[int, int, int, int]:
            kept = list(self.kept.get(a, {}).values())
            return (len(covered_needs(enc, a, x)), int(enc.industry_match[a, x.lead]),
                    gap_deviation(enc, x), kept_count({a: x}, kept))

        parts = {a: part(a, x) for a, x in solution.items()}
        totals = [sum(p[i] for p in parts.values()) for i in range(4)]

        def key(totals: list[int]) -> tuple[int, ...]:
            top = bookings.top_load()
            at_top = int((bookings.load == top).sum())
            return (totals[0], totals[1], -top, -at_top, -totals[2], totals[3])

        improved = 0
        for a in order:
            if time_left is not None and not time_left():
                break
            if a in self.pinned or a not in solution:
                continue
            old = solution[a]
            before = key(totals)
            top = -before[2]
            bookings.remove(a, old)
            new = self.best(a, bookings, top, current=old.lead)
            if new is None or not self.within_week_caps(a, new, bookings):
                bookings.add(a, old)
                continue
            bookings.add(a, new)
            new_part = part(a, new)
            candidate = [t - o + n for t, o, n in zip(totals, parts[a], new_part, strict=True)]
            if key(candidate) > before:
                solution[a], parts[a], totals = new, new_part, candidate
                improved += 1
            else:
                bookings.remove(a, new)
                bookings.add(a, old)
        return solution, improved

    def within_week_caps(self, a: int, assignment: Assignment, bookings: Bookings) -> bool:
        """Sessions closer than a week apart may share an ISO week: count them together."""
        enc = self.enc
        if enc.min_gap_days >= 7:
            return True
        added: Counter[tuple[int, int]] = Counter()
        for k, slot in enumerate(assignment.starts):
            week = int(enc.iso_week[int(slot) // SLOTS_PER_DAY])
            for e in assignment.experts(k):
                added[(e, week)] += 1
        return all(bookings.ledgers[e].in_week(week) + count <= enc.expert_max_per_week[e]
                   for (e, week), count in added.items())

    @staticmethod
    def load_penalty(load: int, top: int, over_weight: int) -> int:
        return int(load >= top) + over_weight * max(0, load - top)

    def best(self, a: int, bookings: Bookings, top: int, current: int | None = None
             ) -> Assignment | None:
        """The best assignment of ``a`` given ``bookings`` (which must not hold ``a``)."""
        best_key: tuple[int, ...] | None = None
        best: Assignment | None = None
        for lead in self.leads_to_try(a, bookings, current):
            found = self.with_lead(a, lead, bookings, top)
            if found is not None and (best_key is None or found[0] > best_key):
                best_key, best = found
        return best

    def leads_to_try(self, a: int, bookings: Bookings, current: int | None) -> list[int]:
        """Candidate leads with room for one more association: those covering most of its
        secondary needs themselves, then industry matches, then the least loaded; and
        the current lead."""
        enc = self.enc
        leads = self.matching.leads[a]
        if leads.size == 0:
            return []
        counts = np.array([len(bookings.associations[int(e)]) for e in leads])
        leads = leads[counts < enc.expert_max_associations[leads]]
        needs = enc.secondary_needs[a]
        own = (enc.covers[np.ix_(leads, np.array(needs, dtype=np.int64))].sum(axis=1) if needs
               else np.zeros(leads.size, dtype=np.int64))
        order = np.lexsort((leads, bookings.load[leads],
                            -enc.industry_match[a, leads].astype(np.int64), -own))
        chosen = [int(e) for e in leads[order[:LEADS_TRIED]]]
        if current is not None and current in leads and current not in chosen:
            chosen.append(current)
        return chosen

    def with_lead(self, a: int, lead: int, bookings: Bookings, top: int,
                  allowed_joiners: Collection[int] | None = None,
                  ) -> tuple[tuple[int, ...], Assignment] | None:
        """The best assignment of ``a`` led by ``lead``; its joiners among
        ``allowed_joiners`` when given, else among the qualified ones."""
        enc = self.enc
        n, minutes = int(enc.sessions[a]), int(enc.minutes[a])
        mode = enc.session_mode(a, lead)
        lead_free = enc.pair_starts(a, lead) & bookings.free_starts(lead, minutes, mode)
        if not lead_free.any():
            return None
        by_lead = {need for need in enc.secondary_needs[a] if enc.covers[lead, need]}
        open_needs = [need for need in enc.secondary_needs[a] if need not in by_lead]
        over_weight = len(enc.expert_ids) + 1
        choices = [Choice((), 0, 0)]
        joiner_free: dict[int, np.ndarray] = {}
        singles: list[Choice] = []
        offered: set[int] = set()
        for need in open_needs if self.with_joiners else ():
            room = [j for j in (self.joiner_candidates[a][need] if allowed_joiners is None
                                else [j for j in allowed_joiners if enc.covers[j, need]])
                    if j != lead and enc.expert_modes[j, mode]
                    and len(bookings.associations[j] - {a}) < enc.expert_max_associations[j]]
            room.sort(key=lambda j: (int(bookings.load[j]), j))
            offered.update(room[:JOINERS_EXAMINED_PER_NEED])
        for j in sorted(offered):
            free = lead_free & enc.pair_starts(a, j) & bookings.free_starts(j, minutes, mode)
            if not free.any():
                continue
            joiner_free[j] = free
            needs = sum(1 << i for i, need in enumerate(open_needs) if enc.covers[j, need])
            load = int(bookings.load[j])
            extra = (self.load_penalty(load + 1, top, over_weight)
                     - self.load_penalty(load, top, over_weight))
            singles.append(Choice((j,), needs, extra))
        singles.sort(key=lambda c: (c.needs, c.load_cost, c.joiners))
        singles = [c for _, group in itertools.groupby(singles, key=lambda c: c.needs)
                   for c in list(group)[:JOINERS_PER_NEEDS]]
        choices += singles
        for x, y in itertools.combinations(singles, 2):
            if x.needs | y.needs not in (x.needs, y.needs):  # a pair only when both add
                choices.append(Choice(x.joiners + y.joiners, x.needs | y.needs,
                                      x.load_cost + y.load_cost))
        choice_slots = [lead_free if not c.joiners
                        else np.logical_and.reduce([joiner_free[j] for j in c.joiners])
                        for c in choices]
        choice_days = [slots.any(axis=1) for slots in choice_slots]

        kept = self.kept.get(a, {})
        kept_slot = {k: s.start for k, s in kept.items() if s.lead == lead}
        gap_weight = n + 1  # the kept-session bonus (1 a session) is the lowest term
        load_weight = gap_weight * (n * enc.n_days + 1)
        masks = 1 << len(open_needs)
        # cost[k][mask][d]: best cost with session k on day d, ``mask`` covered so far.
        cost = np.full((n, masks, enc.n_days), INFINITE, dtype=np.int64)
        back_day = np.full((n, masks, enc.n_days), -1, dtype=np.int64)
        back_choice = np.full((n, masks, enc.n_days), -1, dtype=np.int64)
        back_mask = np.full((n, masks, enc.n_days), -1, dtype=np.int64)

        def kept_open(k: int, slots: np.ndarray) -> bool:
            """Whether session k's published slot is open to this choice of experts."""
            return k in kept_slot and bool(slots[divmod(kept_slot[k], SLOTS_PER_DAY)])

        choice_load = np.array([c.load_cost for c in choices], dtype=np.int64)
        choice_days_all = np.array(choice_days, dtype=bool).reshape(len(choices), enc.n_days)
        day_index = np.arange(enc.n_days)
        open_days = np.flatnonzero(choice_days_all.any(axis=0))
        # For each target mask, the flat (choice, mask) indices that lead to it.
        flat_target = np.array([[mask | c.needs for mask in range(masks)] for c in choices],
                               dtype=np.int64).reshape(-1)
        pairs_to = [(t, np.flatnonzero(flat_target == t)) for t in range(masks)]
        pairs_to = [(t, sources) for t, sources in pairs_to if sources.size]
        for k in range(n):
            if k == 0:
                arrive = np.full((masks, enc.n_days), INFINITE, dtype=np.int64)
                arrive[0] = 0
                arrive_from = np.full((masks, enc.n_days), -1, dtype=np.int64)
            else:
                # Only from days session k-1 can be on, to days some choice can hold
                # session k: an association is open on a fraction of the period.
                previous = cost[k - 1]
                rows = np.flatnonzero((previous < INFINITE).any(axis=0))
                if rows.size == 0:
                    return None
                total = (previous[:, rows][:, :, None]
                         + gap_weight * self.gap_days[np.ix_(rows, open_days)][None, :, :])
                best_row = total.argmin(axis=1)
                arrive = np.full((masks, enc.n_days), INFINITE, dtype=np.int64)
                arrive[:, open_days] = np.minimum(
                    np.take_along_axis(total, best_row[:, None, :], axis=1)[:, 0, :], INFINITE)
                arrive_from = np.full((masks, enc.n_days), -1, dtype=np.int64)
                arrive_from[:, open_days] = rows[best_row]
            # Every (choice, mask) at once: value[c, mask, d] is the cost of holding
            # session k on day d with choice c after ``mask`` was covered. Each target
            # mask takes the cheapest of the (c, mask) pairs that reach it, the first in
            # (c, mask) order on a tie, as a loop over choices and then masks would.
            step_cost = np.broadcast_to(load_weight * choice_load[:, None],
                                        (len(choices), enc.n_days)).copy()
            for c in range(len(choices)):
                if kept_open(k, choice_slots[c]):
                    step_cost[c, kept_slot[k] // SLOTS_PER_DAY] -= 1
            reachable = choice_days_all[:, None, :] & (arrive < INFINITE)[None, :, :]
            value = np.where(reachable, arrive[None, :, :] + step_cost[:, None, :],
                             INFINITE).reshape(len(choices) * masks, enc.n_days)
            for target, sources in pairs_to:
                options = value[sources]
                pick = options.argmin(axis=0)
                best = options[pick, day_index]
                found = best < INFINITE
                if not found.any():
                    continue
                chosen = sources[pick]
                from_mask = chosen % masks
                cost[k, target] = np.where(found, best, INFINITE)
                back_day[k, target] = np.where(found, arrive_from[from_mask, day_index], -1)
                back_choice[k, target] = np.where(found, chosen // masks, -1)
                back_mask[k, target] = np.where(found, from_mask, -1)
        final = cost[n - 1]
        ends = [(bin(mask).count("1"), -int(final[mask].min()), mask, int(final[mask].argmin()))
                for mask in range(masks) if final[mask].min() < INFINITE]
        if not ends:
            return None
        covered, neg_cost, mask, day = max(ends)
        starts = [0] * n
        joiners: list[list[int]] = [[] for _ in range(n)]
        for k in range(n - 1, -1, -1):
            c = int(back_choice[k, mask, day])
            slots = np.flatnonzero(choice_slots[c][day])
            slot = day * SLOTS_PER_DAY + int(slots[0])
            if kept_open(k, choice_slots[c]) and kept_slot[k] // SLOTS_PER_DAY == day:
                slot = kept_slot[k]
            starts[k] = slot
            joiners[k] = list(choices[c].joiners)
            previous_day, mask = int(back_day[k, mask, day]), int(back_mask[k, mask, day])
            day = previous_day
        load_cost = self.load_penalty(int(bookings.load[lead]) + n, top, over_weight)
        key = (covered + len(by_lead), int(enc.industry_match[a, lead]),
               -load_cost * load_weight + neg_cost)
        return key, Assignment(lead, starts, mode, joiners)
