"""What a plan changes in the schedule: which sessions moved, which are new, which go."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.plan import Session

# What a session is, apart from its identity (association, number).
_SHOWN = ("date", "start", "end", "expert_ids", "mode", "phase")


def _key(session: Session) -> tuple[str, int]:
    return session.association_id, session.number


def schedule_changes(before: Iterable[Session], after: Iterable[Session]) -> dict[str, Any]:
    """``moved`` (with the fields that changed), ``added``, ``removed`` and ``kept`` count."""
    old = {_key(s): s for s in before}
    new = {_key(s): s for s in after}
    moved, added, removed = [], [], []
    kept = 0
    for key in sorted(new):
        session = new[key]
        previous = old.get(key)
        if previous is None:
            added.append(session.model_dump(mode="json"))
            continue
        was, now = previous.model_dump(mode="json"), session.model_dump(mode="json")
        fields = [name for name in _SHOWN if was[name] != now[name]]
        if fields:
            moved.append({"association_id": key[0], "number": key[1], "fields": fields,
                          "before": was, "after": now})
        else:
            kept += 1
    for key in sorted(set(old) - set(new)):
        removed.append(old[key].model_dump(mode="json"))
    return {"moved": moved, "added": added, "removed": removed, "kept": kept}
