"""Rule 6 for one expert: the sessions it has booked, and whether another one fits.

The greedy baseline, exact re-insertion and the scenario generator's pins all ask
these questions; the checker (``domain.checker.expert_workload``) stays the referee
and the CP-SAT model states the rule as constraints of its own
(``PlanModel.add_expert_workload``).

Everything is plain ints, so callers on the grid and on calendar dates share it: a
day key and an ISO-week key (any ints naming a day and its week), start and end in
minutes from the day's midnight, and a session's pad (the travel buffer it carries:
the programme's buffer when onsite, else 0). Sessions clash only on one day key, as
rule 6 reads.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from matcher.encoding import SLOT_MINUTES, SLOTS_PER_DAY, BoolArray, Encoding, IntArray

# Minutes two sessions of one day must stay apart, given the pads of the two.
Gap = Callable[[int, int], int]
# A session as a ledger takes it: day, week, start and end minutes, pad.
LedgerSession = tuple[int, int, int, int, int]


def padded_gap(pad: int, other: int) -> int:
    """Each session keeps its pad clear on both sides, as the CP-SAT model's padded
    intervals do: two onsite sessions stay twice the buffer apart. The planner's choice,
    so that every plan it builds outside CP-SAT is one the model accepts."""
    return pad + other


def spec_gap(pad: int, other: int) -> int:
    """Rule 6 as the spec words it: the travel buffer apart when either is onsite."""
    return max(pad, other)


class ExpertLedger:
    """One expert's booked sessions by day, with its caps per day and per ISO week."""

    def __init__(self, max_per_day: int, max_per_week: int, gap: Gap = padded_gap) -> None:
        self.max_per_day = max_per_day
        self.max_per_week = max_per_week
        self.gap = gap
        self._by_day: dict[int, list[tuple[int, int, int]]] = {}  # (start, end, pad)
        self._per_week: dict[int, int] = {}
        self._count = 0

    def __len__(self) -> int:
        """Sessions booked."""
        return self._count

    def in_week(self, week: int) -> int:
        """Sessions booked in ISO week ``week``."""
        return self._per_week.get(week, 0)

    def is_free(self, day: int, week: int, start: int, end: int, pad: int, *,
                also_in_week: int = 0) -> bool:
        """Whether a session [start, end) carrying ``pad`` keeps rule 6 beside every
        booked one; ``also_in_week`` sessions more (chosen with it, not yet booked) count
        in its week."""
        booked = self._by_day.get(day, ())
        if len(booked) >= self.max_per_day:
            return False
        if self._per_week.get(week, 0) + also_in_week >= self.max_per_week:
            return False
        for other_start, other_end, other_pad in booked:
            gap = self.gap(pad, other_pad)
            if start < other_end + gap and other_start < end + gap:
                return False
        return True

    def book(self, day: int, week: int, start: int, end: int, pad: int) -> None:
        """Book a session whether or not it is free: pinned sessions happen regardless."""
        self._by_day.setdefault(day, []).append((start, end, pad))
        self._per_week[week] = self._per_week.get(week, 0) + 1
        self._count += 1

    def unbook(self, day: int, week: int, start: int, end: int, pad: int) -> None:
        """Take back one booking made with these values; ValueError if there is none."""
        booked = self._by_day.get(day, [])
        booked.remove((start, end, pad))
        if not booked:
            del self._by_day[day]
        self._per_week[week] -= 1
        if not self._per_week[week]:
            del self._per_week[week]
        self._count -= 1

    def free_starts(self, minutes: int, pad: int, week_of_day: IntArray) -> BoolArray:
        """(D, S): the grid's starts where a session of ``minutes`` carrying ``pad`` is
        free (``is_free`` at every slot). Day keys are indices into ``week_of_day``, the
        week key of each day."""
        free = np.ones((len(week_of_day), SLOTS_PER_DAY), dtype=bool)
        for day, booked in self._by_day.items():
            if len(booked) >= self.max_per_day:
                free[day] = False
                continue
            for other_start, other_end, other_pad in booked:
                gap = self.gap(pad, other_pad)
                # Slots h with other_start - gap < 30h + minutes and 30h < other_end + gap.
                low = (other_start - gap - minutes) // SLOT_MINUTES + 1
                high = -(-(other_end + gap) // SLOT_MINUTES) - 1
                if high >= low:
                    free[day, max(0, low): min(SLOTS_PER_DAY, high + 1)] = False
        full_weeks = [week for week, count in self._per_week.items()
                      if count >= self.max_per_week]
        if full_weeks:
            free[np.isin(week_of_day, full_weeks)] = False
        return free


def expert_ledgers(enc: Encoding) -> list[ExpertLedger]:
    """An empty ledger for each expert of ``enc``, with its caps and the padded gap."""
    return [ExpertLedger(int(per_day), int(per_week)) for per_day, per_week
            in zip(enc.expert_max_per_day, enc.expert_max_per_week, strict=True)]


def on_grid(enc: Encoding, a: int, slot: int, mode: int) -> LedgerSession:
    """A session of association ``a`` at absolute ``slot`` in ``mode``, as a ledger of
    ``expert_ledgers(enc)`` takes it: day and ISO-week indices of the encoding."""
    day, half_hour = divmod(slot, SLOTS_PER_DAY)
    start = half_hour * SLOT_MINUTES
    return (day, int(enc.iso_week[day]), start, start + int(enc.minutes[a]),
            enc.travel_pad(mode))
