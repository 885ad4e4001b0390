"""Input errors that name the record and the field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

# Top-level lists whose items are records with an ``id`` (or an association id).
_RECORD_LISTS = {"experts": "id", "associations": "id", "pinned": "association_id",
                 "sessions": "association_id", "unserved": "association_id"}


EXCERPT_LENGTH = 40


def excerpt(value: object, length: int = EXCERPT_LENGTH) -> str:
    """``value`` as text cut to ``length`` characters, saying how long it was: an error
    names the value without repeating all of it."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= length:
        return text
    return f"{text[:length]}…({len(text):,} characters)"


def quoted(value: object) -> str:
    """``repr(value)``, a long text cut as ``excerpt`` cuts it."""
    return repr(excerpt(value)) if isinstance(value, str) else excerpt(value)


@dataclass(frozen=True)
class Issue:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(Exception):
    """A document that does not load; ``issues`` says where and why, one per problem."""

    def __init__(self, source: str, issues: Sequence[Issue]) -> None:
        self.source = source
        self.issues = list(issues)
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.source}: {len(self.issues)} error(s)"
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])


def format_path(loc: Iterable[Any], raw: Any) -> str:
    """``('associations', 3, 'availability')`` -> ``associations[3] (A004).availability``."""
    text = ""
    node = raw
    parent_key: Any = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            if parent_key in _RECORD_LISTS and isinstance(node, list) and part < len(node):
                item = node[part]
                key = _RECORD_LISTS[parent_key]
                if isinstance(item, dict) and isinstance(item.get(key), str):
                    text += f" ({item[key]})"
        else:
            text += f".{part}" if text else str(part)
        parent_key = part
        node = _child(node, part)
    return text


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _message(error: Any) -> tuple[list[Any], str]:
    loc = [part for part in error["loc"] if not _is_union_tag(part)]
    kind = error["type"]
    if kind == "extra_forbidden":
        if len(loc) >= 2 and loc[-2] == "weekly":
            return loc, f"unknown weekday {loc[-1]!r} (expected mon..sun)"
        return loc, "unknown field"
    if kind == "missing":
        return loc, "missing required field"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return loc, message


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the branch name of a union into loc (e.g. 'function-after[...]').
    return isinstance(part, str) and ("[" in part or part in {"tuple[int, int]"})


def from_validation_error(source: str, error: ValidationError, raw: Any) -> InputError:
    issues = []
    seen = set()
    for item in error.errors():
        loc, message = _message(item)
        issue = Issue(format_path(loc, raw), message)
        if issue not in seen:
            seen.add(issue)
            issues.append(issue)
    return InputError(source, issues)
