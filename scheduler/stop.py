"""When the neighbourhood search stops before its time is up: small stopping rules.

Following PyVRP's ``pyvrp/stop/``: each rule is a callable object handed in, asked
after every step with what the search knows (``SearchState``); it answers with the
reason to stop, or None to go on. ``AnyOf`` asks several and answers with the first
reason. The time limit itself is the ``Budget``'s (``scheduler.improve``); these rules
end a search that can no longer gain anything, and say why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# Why a search ended, as reported in the plan's ``parameters.stopped``.
TIME_LIMIT = "time_limit"
NO_IMPROVEMENT = "no_improvement"
AT_BOUND = "at_bound"
NOTHING_LEFT = "nothing_left"  # the whole plan is one neighbourhood, solved to optimality
INTERRUPTED = "interrupted"
# Each reason in a few words, for a sentence that counts many searches (the parts of a
# plan by region).
REASON_WORDS = {TIME_LIMIT: "at the time limit", NO_IMPROVEMENT: "nothing better for a while",
                AT_BOUND: "at every bound", NOTHING_LEFT: "solved to optimality",
                INTERRUPTED: "interrupted"}


@dataclass(frozen=True)
class Stopped:
    """Why a search ended: one of the codes above, and a sentence for a person."""

    reason: str
    detail: str


@dataclass(frozen=True)
class SearchState:
    """What a stopping rule sees after each step of the search.

    ``seconds`` counts from the search's start; ``at_bound`` says whether each figure
    of the incumbent equals its proven bound (computed only when asked: it may cost).
    """

    seconds: float
    last_improvement_seconds: float
    at_bound: Callable[[], bool]


class StoppingRule(Protocol):
    def __call__(self, state: SearchState) -> Stopped | None: ...


@dataclass(frozen=True)
class NoImprovement:
    """Stop when nothing better was found for ``seconds``."""

    seconds: float

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise ValueError("NoImprovement needs a positive number of seconds")

    def __call__(self, state: SearchState) -> Stopped | None:
        idle = state.seconds - state.last_improvement_seconds
        if idle < self.seconds:
            return None
        return Stopped(NO_IMPROVEMENT,
                       f"nothing better for {idle:.1f} s (the stall limit is "
                       f"{self.seconds:g} s)")


@dataclass(frozen=True)
class AtBound:
    """Stop when every figure of the plan is at its proven bound: nothing can improve."""

    def __call__(self, state: SearchState) -> Stopped | None:
        if not state.at_bound():
            return None
        return Stopped(AT_BOUND, "every figure is at its proven bound: no plan can be better")


class AnyOf:
    """Stop at the first of ``rules`` that says so, with its reason."""

    def __init__(self, *rules: StoppingRule) -> None:
        self.rules = rules

    def __call__(self, state: SearchState) -> Stopped | None:
        for rule in self.rules:
            stopped = rule(state)
            if stopped is not None:
                return stopped
        return None


def default_rule(stall_seconds: float | None) -> StoppingRule:
    """What ``haken plan`` stops on: every figure at its bound, or a stall of
    ``stall_seconds`` when given."""
    if stall_seconds is None:
        return AtBound()
    return AnyOf(AtBound(), NoImprovement(stall_seconds))
