"""Reading scenarios and plans: JSON -> models, with every error named."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from domain.errors import InputError, Issue, format_path, from_validation_error
from domain.plan import Plan, Session
from domain.scenario import Association, Expert, Programme, Scenario

T = TypeVar("T", bound=BaseModel)


def _read_json(path: Path | str) -> Any:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, [Issue("", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise InputError(source, [Issue("", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise InputError(source, [Issue("", f"cannot read: {exc.strerror}")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InputError(source, [Issue("", f"not valid JSON: {exc.msg} at {where}")]) from None


def parse_scenario(raw: Any, source: str = "scenario") -> Scenario:
    """Validate a decoded JSON document as a scenario, including cross-record rules.

    Every error is reported at once: when some records do not validate, the rules that span
    records are still checked on those that do, so fixing the first list shows no second."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        field_issues = from_validation_error(source, exc, raw).issues
        readable = _readable_records(raw)
        more = [] if readable is None else _cross_record_issues(readable, raw)
        raise InputError(source, field_issues + [i for i in more if i not in field_issues]
                         ) from None
    issues = cross_record_issues(scenario, raw)
    if issues:
        raise InputError(source, issues)
    return scenario


def load_scenario(path: Path | str) -> Scenario:
    return parse_scenario(_read_json(path), str(path))


def parse_plan(raw: Any, source: str = "plan") -> Plan:
    try:
        return Plan.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(source, exc, raw) from None


def load_plan(path: Path | str) -> Plan:
    return parse_plan(_read_json(path), str(path))


def scenario_sha256(scenario: Scenario) -> str:
    """Hash of the scenario's canonical JSON: the same content gives the same hash."""
    canonical = json.dumps(
        scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Records:
    """The records of a scenario that validate on their own, each with its index in the
    document, and every id the document gives (valid record or not)."""

    programme: Programme | None
    experts: list[tuple[int, Expert]]
    associations: list[tuple[int, Association]]
    pinned: list[tuple[int, Session]]
    association_ids: set[str]
    expert_ids: set[str]


def cross_record_issues(scenario: Scenario, raw: Any) -> list[Issue]:
    """Rules that span records: ids, references, vocabulary, programme limits."""
    return _cross_record_issues(_Records(
        scenario.programme, list(enumerate(scenario.experts)),
        list(enumerate(scenario.associations)), list(enumerate(scenario.pinned)),
        {a.id for a in scenario.associations}, {e.id for e in scenario.experts}), raw)


def _readable_records(raw: Any) -> _Records | None:
    """Each record of a document that fails as a whole, validated on its own; None when the
    document is not even a mapping of lists."""
    if not isinstance(raw, dict):
        return None

    def each(key: str, model: type[T]) -> list[tuple[int, T]]:
        items = raw.get(key)
        found: list[tuple[int, T]] = []
        for index, item in enumerate(items if isinstance(items, list) else []):
            try:
                found.append((index, model.model_validate(item)))
            except ValidationError:
                continue  # its own errors are already listed
        return found

    def ids(key: str) -> set[str]:
        items = raw.get(key)
        return {item["id"] for item in (items if isinstance(items, list) else [])
                if isinstance(item, dict) and isinstance(item.get("id"), str)}

    try:
        programme: Programme | None = Programme.model_validate(raw.get("programme"))
    except ValidationError:
        programme = None
    return _Records(programme, each("experts", Expert), each("associations", Association),
                    each("pinned", Session), ids("associations"), ids("experts"))


def _cross_record_issues(records: _Records, raw: Any) -> list[Issue]:
    issues: list[Issue] = []

    def at(*loc: Any) -> str:
        return format_path(loc, raw)

    programme = records.programme
    words = programme.words if programme is not None else None
    id_lists: tuple[tuple[str, list[tuple[int, str]]], ...] = (
        ("experts", [(i, e.id) for i, e in records.experts]),
        ("associations", [(i, a.id) for i, a in records.associations]),
    )
    for kind, ids in id_lists:
        counts = Counter(record_id for _, record_id in ids)
        for index, record_id in ids:
            if counts[record_id] > 1:
                issues.append(Issue(at(kind, index, "id"), f"duplicate id {record_id!r}"))

    association_ids, expert_ids = records.association_ids, records.expert_ids
    association_by_id = {a.id: a for _, a in records.associations}
    for index, expert in records.experts:
        for q_index, qualification in enumerate(expert.qualifications):
            if words is not None and qualification not in words.qualifications:
                issues.append(Issue(at("experts", index, "qualifications", q_index),
                                    f"unknown qualification {qualification!r}"))
        for c_index, conflict in enumerate(expert.conflicts):
            if conflict not in association_ids:
                issues.append(Issue(at("experts", index, "conflicts", c_index),
                                    f"unknown association {conflict!r}"))

    for index, association in records.associations:
        for n_index, need in enumerate(association.needs):
            if words is not None and need not in words.needs:
                issues.append(Issue(at("associations", index, "needs", n_index),
                                    f"unknown need {need!r}"))
        if len(set(association.needs)) != len(association.needs):
            issues.append(Issue(at("associations", index, "needs"), "a need is listed twice"))
        if programme is None:
            continue  # the programme's own errors are listed; its limits are unknown
        limits = programme.session_minutes
        if association.sessions_requested > programme.max_sessions:
            issues.append(Issue(
                at("associations", index, "sessions_requested"),
                f"{association.sessions_requested} is above the programme's max_sessions "
                f"{programme.max_sessions}",
            ))
        if not limits.min <= association.session_minutes <= limits.max:
            issues.append(Issue(
                at("associations", index, "session_minutes"),
                f"{association.session_minutes} is outside the programme's range "
                f"{limits.min}..{limits.max}",
            ))

    seen_pins: set[tuple[str, int]] = set()
    for index, session in records.pinned:
        pinned_for = association_by_id.get(session.association_id)
        if pinned_for is None and session.association_id in association_ids:
            pass  # the association is there but has errors of its own, listed already
        elif pinned_for is None:
            issues.append(Issue(at("pinned", index, "association_id"),
                                f"unknown association {session.association_id!r}"))
        else:
            if pinned_for.status != "accepted":
                issues.append(Issue(at("pinned", index, "association_id"),
                                    f"association {pinned_for.id} is {pinned_for.status!r}, "
                                    "only accepted associations have sessions"))
            if session.number > pinned_for.sessions_requested:
                issues.append(Issue(at("pinned", index, "number"),
                                    f"{session.number} is above sessions_requested "
                                    f"{pinned_for.sessions_requested}"))
        for e_index, expert_id in enumerate(session.expert_ids):
            if expert_id not in expert_ids:
                issues.append(Issue(at("pinned", index, "expert_ids", e_index),
                                    f"unknown expert {expert_id!r}"))
        if len(set(session.expert_ids)) != len(session.expert_ids):
            issues.append(Issue(at("pinned", index, "expert_ids"), "an expert is listed twice"))
        key = (session.association_id, session.number)
        if key in seen_pins:
            issues.append(Issue(at("pinned", index, "number"),
                                f"session {session.number} of {session.association_id} is "
                                "pinned twice"))
        seen_pins.add(key)
    return issues
