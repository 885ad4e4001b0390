"""Reading scenarios and plans: JSON -> models, with every error named."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.errors import InputError, Issue, format_path, from_validation_error
from domain.plan import Plan
from domain.scenario import Scenario


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
    """Validate a decoded JSON document as a scenario, including cross-record rules."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(source, exc, raw) from None
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


def cross_record_issues(scenario: Scenario, raw: Any) -> list[Issue]:
    """Rules that span records: ids, references, vocabulary, programme limits."""
    issues: list[Issue] = []

    def at(*loc: Any) -> str:
        return format_path(loc, raw)

    programme = scenario.programme
    words = programme.words
    id_lists: tuple[tuple[str, list[str]], ...] = (
        ("experts", [e.id for e in scenario.experts]),
        ("associations", [a.id for a in scenario.associations]),
    )
    for kind, ids in id_lists:
        counts = Counter(ids)
        for index, record_id in enumerate(ids):
            if counts[record_id] > 1:
                issues.append(Issue(at(kind, index, "id"), f"duplicate id {record_id!r}"))

    association_ids = {a.id for a in scenario.associations}
    expert_ids = {e.id for e in scenario.experts}
    for index, expert in enumerate(scenario.experts):
        for q_index, qualification in enumerate(expert.qualifications):
            if qualification not in words.qualifications:
                issues.append(Issue(at("experts", index, "qualifications", q_index),
                                    f"unknown qualification {qualification!r}"))
        for c_index, conflict in enumerate(expert.conflicts):
            if conflict not in association_ids:
                issues.append(Issue(at("experts", index, "conflicts", c_index),
                                    f"unknown association {conflict!r}"))

    limits = programme.session_minutes
    for index, association in enumerate(scenario.associations):
        for n_index, need in enumerate(association.needs):
            if need not in words.needs:
                issues.append(Issue(at("associations", index, "needs", n_index),
                                    f"unknown need {need!r}"))
        if len(set(association.needs)) != len(association.needs):
            issues.append(Issue(at("associations", index, "needs"), "a need is listed twice"))
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
    for index, session in enumerate(scenario.pinned):
        pinned_for = scenario.association_by_id.get(session.association_id)
        if pinned_for is None:
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
