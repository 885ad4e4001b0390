"""Cell values as staff type them <-> exchange-format values.

Every parser takes what openpyxl or the csv module gives (text, numbers, dates)
and returns the JSON value of the exchange format, or raises ``CellProblem``
with a Japanese and an English message. Range checks and cross-record rules are
left to ``domain.loading``: this module only reads what was typed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.scenario import Vocabulary
from domain.vocabulary import (
    INDUSTRY_LABELS,
    LEGAL_FORM_LABELS,
    MODE_LABELS,
    STATUS_LABELS,
    WEEKDAY_LABELS,
    WEEKDAYS,
    Label,
)


class CellProblem(ValueError):
    """A cell that cannot be read; ``ja`` and ``en`` say why."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(en)
        self.ja = ja
        self.en = en


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def fold(text: str) -> str:
    """Key used to compare labels: normalised, case-folded, without spaces."""
    return re.sub(r"\s+", "", normalise(text)).casefold()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: object) -> str:
    """A cell as text: numbers without a trailing .0, dates as ISO."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return normalise(str(value))


# Separators between several values in one cell. Not ・, which labels contain.
_LIST_SEPARATORS = re.compile(r"[、,;/\n]")


def split_list(value: object) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(as_text(value)) if part.strip()]


# --------------------------------------------------------------------------- words


@dataclass(frozen=True)
class Choices:
    """An enumerated column: keys with their labels, and what staff may type for each."""

    name_ja: str
    name_en: str
    labels: Mapping[str, Label]
    aliases: Mapping[str, str]
    open: bool = False  # unknown values are kept as typed (e.g. industries)

    def lookup(self, typed: str) -> str:
        folded = fold(typed)
        for key, label in self.labels.items():
            if folded in (fold(key), fold(label.ja), fold(label.en)):
                return key
        for alias, key in self.aliases.items():
            if folded == fold(alias):
                return key
        if self.open:
            return normalise(typed)
        allowed = "、".join(label.ja for label in self.labels.values())
        raise CellProblem(
            f"「{typed}」は{self.name_ja}の一覧にありません（{allowed}）",
            f"{typed!r} is not a known {self.name_en} "
            f"(one of: {', '.join(self.labels)}, or their Japanese labels)",
        )

    def label(self, key: str, lang: str = "ja") -> str:
        """The Japanese label; in English the key itself (English labels may hold commas,
        which separate values in a cell)."""
        label = self.labels.get(key)
        return label.ja if label is not None and lang == "ja" else key


# Short names staff use for the default qualifications; applied only when the
# vocabulary in force has the key. 公認心理士 is how the programme page spells it.
_QUALIFICATION_ALIASES = {
    "社労士": "sharoushi", "診断士": "sme_consultant", "公認心理士": "psychologist",
    "心理師": "psychologist", "キャリコン": "career_consultant",
    "人材育成": "hr_development", "カウンセラー": "industrial_counselor",
}
_LEGAL_FORM_ALIASES = {
    "①": "sme_cooperative", "②": "general_incorporated", "③": "other_corporation",
    "協同組合": "sme_cooperative", "中小企業団体": "sme_cooperative",
    "一般社団法人": "general_incorporated", "一般財団法人": "general_incorporated",
    "公益社団法人": "general_incorporated", "公益財団法人": "general_incorporated",
    "一般社団・財団法人": "general_incorporated", "その他": "other_corporation",
}
_MODE_ALIASES = {"対面": "onsite", "来訪": "onsite", "web": "online", "いずれも可": "either",
                 "どちらでも": "either", "両方": "either"}
_STATUS_ALIASES = {"受付済": "received", "ヒアリング済み": "interviewed", "決定": "accepted",
                   "不採択": "rejected", "取り下げ": "withdrawn", "取下": "withdrawn",
                   "完了": "completed"}


def _keyed(labels: Mapping[Any, Label]) -> dict[str, Label]:
    return {str(key): label for key, label in labels.items()}


@dataclass(frozen=True)
class Lexicon:
    """The enumerated columns' choices under one programme's vocabulary."""

    qualifications: Choices
    needs: Choices
    industries: Choices
    legal_forms: Choices
    association_modes: Choices
    session_modes: Choices
    statuses: Choices

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> Lexicon:
        qualifications = {k: Label(v.ja, v.en) for k, v in vocabulary.qualifications.items()}
        needs = {k: Label(v.ja, v.en) for k, v in vocabulary.needs.items()}
        return cls(
            qualifications=Choices(
                "資格", "qualification", qualifications,
                {a: k for a, k in _QUALIFICATION_ALIASES.items() if k in qualifications},
            ),
            needs=Choices("支援ニーズ", "need", needs, {}),
            industries=Choices("業種", "industry", INDUSTRY_LABELS, {}, open=True),
            legal_forms=Choices(
                "法人格", "legal form", _keyed(LEGAL_FORM_LABELS), _LEGAL_FORM_ALIASES),
            association_modes=Choices("実施形式", "mode", MODE_LABELS, _MODE_ALIASES),
            session_modes=Choices(
                "対応形式", "mode", {k: MODE_LABELS[k] for k in ("onsite", "online")},
                {a: k for a, k in _MODE_ALIASES.items() if k != "either"},
            ),
            statuses=Choices("状況", "status", _keyed(STATUS_LABELS), _STATUS_ALIASES),
        )


# --------------------------------------------------------------------------- scalars


def parse_text(value: object) -> str:
    return as_text(value)


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise CellProblem("整数ではありません", "not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = as_text(value).replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise CellProblem(f"整数ではありません（{as_text(value)}）",
                      f"not an integer ({as_text(value)!r})")


_TRUE = {"有", "あり", "有り", "はい", "yes", "y", "true", "1", "○", "〇"}
_FALSE = {"無", "なし", "無し", "いいえ", "no", "n", "false", "0", "×", "-"}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    folded = fold(as_text(value))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellProblem(f"有・無のどちらかを入力してください（{as_text(value)}）",
                      f"expected yes or no (有 or 無), got {as_text(value)!r}")


_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def _date_from_match(match: re.Match[str], typed: str) -> str:
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise CellProblem(f"存在しない日付です（{typed}）",
                          f"not a calendar date ({typed!r})") from None


def parse_date(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = as_text(value)
    match = _DATE_TEXT.fullmatch(text)
    if match is None:
        raise CellProblem(f"日付ではありません（{text}）。例: 2025-07-16",
                          f"not a date ({text!r}); e.g. 2025-07-16")
    return _date_from_match(match, text)


_DATETIME_TEXT = re.compile(
    r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


def parse_datetime(value: object, timezone: str) -> str:
    """A timestamp with its offset; a time without an offset is local to the programme.

    A bare date means 00:00 that day.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0, 0), tzinfo=zone)
    else:
        text = as_text(value)
        match = _DATETIME_TEXT.fullmatch(text)
        if match is None:
            raise CellProblem(f"日時ではありません（{text}）。例: 2025-07-02 10:15",
                              f"not a date and time ({text!r}); e.g. 2025-07-02 10:15")
        day_text, hours, minutes, seconds, offset = match.groups()
        day_match = _DATE_TEXT.fullmatch(day_text)
        assert day_match is not None  # the outer pattern contains the date pattern
        day = dt.date.fromisoformat(_date_from_match(day_match, text))
        try:
            clock = dt.time(int(hours or 0), int(minutes or 0), int(seconds or 0))
        except ValueError:
            raise CellProblem(f"存在しない時刻です（{text}）",
                              f"not a time of day ({text!r})") from None
        moment = dt.datetime.combine(day, clock, tzinfo=zone)
        if offset:
            parsed = dt.datetime.fromisoformat(f"2000-01-01T00:00:00{offset}")
            moment = moment.replace(tzinfo=parsed.tzinfo)
    # Excel stores times as fractions of a day; round off what that adds.
    moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return moment.isoformat()


# --------------------------------------------------------------------------- availability

_CLOCK_TEXT = r"\d{1,2}:\d{2}"
_RANGE_DASH = r"\s*(?:-|~|〜|–|—|から)\s*"
_WINDOW = re.compile(rf"({_CLOCK_TEXT}){_RANGE_DASH}({_CLOCK_TEXT})")
_NONE_WORDS = {"なし", "無し", "不可", "none", "×"}


_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                   "sunday")


def _day_key(token: str) -> str | None:
    folded = fold(token)
    for key, full_name in zip(WEEKDAYS, _FULL_DAY_NAMES, strict=True):
        ja = WEEKDAY_LABELS[key].ja
        if folded in (key, full_name, ja, f"{ja}曜", f"{ja}曜日"):
            return key
    return None


def _clock(text: str) -> str:
    hours, minutes = text.split(":")
    return f"{int(hours):02d}:{minutes}"


def _windows(text: str, where_ja: str, where_en: str) -> list[list[str]]:
    windows = []
    for part in re.split(r"[,、]", text):
        part = part.strip()
        if not part:
            continue
        match = _WINDOW.fullmatch(part)
        if match is None:
            raise CellProblem(
                f"{where_ja}の「{part}」が時間帯ではありません（例: 10:00-12:00）",
                f"{where_en}: {part!r} is not a time window (e.g. 10:00-12:00)",
            )
        windows.append([_clock(match.group(1)), _clock(match.group(2))])
    return windows


def _entries(value: object) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", as_text(value)) if part.strip()]


def parse_weekly(value: object) -> dict[str, list[list[str]]]:
    """``月 10:00-12:00, 13:00-17:00; 水 09:00-12:00`` -> weekly windows.

    ``なし`` means no weekly windows at all (only the dated ones).
    """
    weekly: dict[str, list[list[str]]] = {}
    if fold(as_text(value)) in _NONE_WORDS:
        return weekly
    for entry in _entries(value):
        match = re.match(r"([^\d\s:]+)\s*:?\s*(.*)", entry)
        days_text, windows_text = (match.group(1), match.group(2)) if match else ("", entry)
        days = [_day_key(token) for token in re.split(r"[・]", days_text) if token.strip()]
        if not days or None in days:
            raise CellProblem(
                f"「{entry}」の曜日が読めません（例: 月 10:00-12:00）",
                f"{entry!r}: no weekday (e.g. mon 10:00-12:00 or 月 10:00-12:00)",
            )
        windows = _windows(windows_text, f"「{entry}」", repr(entry))
        if not windows:
            raise CellProblem(f"「{entry}」に時間帯がありません（例: 月 10:00-12:00）",
                              f"{entry!r}: no time window (e.g. mon 10:00-12:00)")
        for day in days:
            assert day is not None
            weekly.setdefault(day, []).extend(windows)
    return weekly


def format_weekly(weekly: Mapping[str, Iterable[Iterable[str]]], lang: str = "ja") -> str:
    parts = []
    for day in WEEKDAYS:
        windows = list(weekly.get(day, []))
        if windows:
            label = WEEKDAY_LABELS[day].ja if lang == "ja" else day
            parts.append(f"{label} " + ", ".join("-".join(w) for w in windows))
    return "; ".join(parts) if parts else ("なし" if lang == "ja" else "none")


def parse_dates(value: object) -> dict[str, list[list[str]]]:
    """``2025-12-18 09:00-12:30; 2025-12-24 不可`` -> windows replacing the weekly ones."""
    dates: dict[str, list[list[str]]] = {}
    for entry in _entries(value):
        match = _DATE_TEXT.match(entry)
        if match is None:
            raise CellProblem(
                f"「{entry}」が日付で始まっていません（例: 2025-12-18 09:00-12:00）",
                f"{entry!r} does not start with a date (e.g. 2025-12-18 09:00-12:00)",
            )
        day = _date_from_match(match, entry)
        rest = entry[match.end():].strip().lstrip(":").strip()
        windows = [] if fold(rest) in _NONE_WORDS | {""} else _windows(
            rest, f"「{entry}」", repr(entry))
        dates.setdefault(day, []).extend(windows)
    return dates


def format_dates(dates: Mapping[str, Iterable[Iterable[str]]], lang: str = "ja") -> str:
    parts = []
    for day in sorted(dates):
        windows = list(dates[day])
        text = ", ".join("-".join(w) for w in windows) if windows else (
            "不可" if lang == "ja" else "none")
        parts.append(f"{day} {text}")
    return "; ".join(parts)


def parse_blocked(value: object) -> list[dict[str, str]]:
    """``2025-08-11~2025-08-15; 2025-12-24`` -> blocked date ranges (inclusive)."""
    blocked = []
    for entry in _entries(value):
        found = list(_DATE_TEXT.finditer(entry))
        between = _DATE_TEXT.sub("", entry).strip()
        if not 1 <= len(found) <= 2 or re.fullmatch(r"(?:-|~|〜|–|—|から|\.\.)?", between) is None:
            raise CellProblem(
                f"「{entry}」が期間ではありません（例: 2025-08-11~2025-08-15）",
                f"{entry!r} is not a date or a date range (e.g. 2025-08-11~2025-08-15)",
            )
        days = [_date_from_match(match, entry) for match in found]
        blocked.append({"start": days[0], "end": days[-1]})
    return blocked


def format_blocked(blocked: Iterable[Mapping[str, str]]) -> str:
    return "; ".join(
        item["start"] if item["start"] == item["end"] else f"{item['start']}~{item['end']}"
        for item in blocked
    )


def excel_value(value: Any) -> Any:
    """Values openpyxl writes as they are; everything else as text."""
    if value is None or isinstance(value, str | int | float | bool | dt.date | dt.time):
        return value
    return str(value)
