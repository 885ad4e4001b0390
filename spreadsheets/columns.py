"""The columns of the secretariat's sheets: header, field, kind of value, notes.

One table per sheet (``EXPERT_SHEET``, ``APPLICATION_SHEET``). Import, export,
the template and its notes all read these tables, so a column is described once.
``field`` is the exchange-format field; ``needs`` and ``availability`` are split
over several columns (``needs.primary``, ``availability.weekly`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "text", "int", "bool", "date", "datetime", "ids",
    "qualifications", "industries", "session_modes", "industry", "legal_form", "status",
    "primary_need", "secondary_needs", "association_mode",
    "weekly", "dates", "blocked",
]

# Kinds whose allowed values come from a fixed list (a dropdown in the template).
CHOICE_KINDS: dict[Kind, str] = {
    "qualifications": "qualifications", "industries": "industries",
    "session_modes": "session_modes", "industry": "industries", "legal_form": "legal_forms",
    "status": "statuses", "primary_need": "needs", "secondary_needs": "needs",
    "association_mode": "association_modes", "bool": "bool",
}
MULTI_VALUE_KINDS = {"qualifications", "industries", "session_modes", "secondary_needs", "ids"}


@dataclass(frozen=True)
class Column:
    field: str
    ja: str
    en: str
    kind: Kind
    required: bool
    note_ja: str
    note_en: str
    width: int = 14

    def header(self, lang: str = "ja") -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Sheet:
    kind: Literal["experts", "associations"]
    ja: str
    en: str
    # Other sheet names read as this sheet.
    aliases: tuple[str, ...]
    columns: tuple[Column, ...]

    def name(self, lang: str = "ja") -> str:
        return self.ja if lang == "ja" else self.en


_LIST_JA = "複数は「、」で区切る"
_LIST_EN = "several separated by commas"
_WEEKLY_JA = ("毎週の対応可能時間。曜日と時間帯、曜日ごとに「;」または改行で区切る。"
              "例: 月 10:00-12:00, 13:00-17:00; 水 09:00-12:00。「月・水 10:00-12:00」も可。"
              "空欄は営業日の業務時間すべて、「なし」は個別日程の日だけ")
_WEEKLY_EN = ("Weekly windows: weekday and times, days separated by ';' or a new line. "
              "E.g. mon 10:00-12:00, 13:00-17:00; wed 09:00-12:00. Empty = business hours on "
              "every business day; 'none' = only the dated windows")
_DATES_JA = ("特定の日だけ毎週の時間帯を置き換える。例: 2025-12-18 09:00-12:00; 2025-12-24 不可"
             "（「不可」はその日は対応できない）")
_DATES_EN = ("Replaces the weekly windows on a date. E.g. 2025-12-18 09:00-12:00; "
             "2025-12-24 none (not available that day)")
_BLOCKED_JA = "対応できない期間（両端を含む）。例: 2025-08-11~2025-08-15; 2025-12-24"
_BLOCKED_EN = "Periods not available (inclusive). E.g. 2025-08-11~2025-08-15; 2025-12-24"

# Experts and applications give their availability the same way.
AVAILABILITY_COLUMNS = (
    Column("availability.weekly", "対応可能時間(毎週)", "Weekly availability", "weekly", False,
           _WEEKLY_JA, _WEEKLY_EN, 36),
    Column("availability.dates", "個別日程", "Dated availability", "dates", False,
           _DATES_JA, _DATES_EN, 28),
    Column("availability.blocked", "対応不可期間", "Blocked periods", "blocked", False,
           _BLOCKED_JA, _BLOCKED_EN, 28),
)

EXPERT_SHEET = Sheet("experts", "専門家", "experts", ("専門家一覧", "expert"), (
    Column("id", "専門家ID", "Expert ID", "text", True, "一意の番号。例: E001",
           "Unique id, e.g. E001", 11),
    Column("name", "氏名", "Name", "text", True, "例: 山田 花子", "Full name", 14),
    Column("qualifications", "保有資格", "Qualifications", "qualifications", True,
           f"一覧から（社労士 等の略称も可）。{_LIST_JA}", f"From the list; {_LIST_EN}", 26),
    Column("industries", "対応業種", "Industries", "industries", False,
           f"得意な業種。一覧にない業種はそのまま記入。{_LIST_JA}",
           f"Industries the expert knows; others as typed; {_LIST_EN}", 20),
    Column("modes", "対応形式", "Modes", "session_modes", True,
           f"訪問、オンライン。{_LIST_JA}", f"onsite, online; {_LIST_EN}", 18),
    Column("base_area", "拠点地域", "Base area", "text", False, "例: 新宿区", "E.g. Shinjuku", 12),
    Column("max_associations", "上限団体数", "Max associations", "int", True,
           "担当できる団体数の上限（0以上の整数）", "Most associations at once (integer >= 0)", 11),
    Column("max_sessions_per_day", "1日上限回数", "Max sessions per day", "int", True,
           "1日に担当できる回数（1以上）", "Most sessions a day (>= 1)", 11),
    Column("max_sessions_per_week", "1週上限回数", "Max sessions per week", "int", True,
           "1週間（月〜日）に担当できる回数（1以上）", "Most sessions an ISO week (>= 1)", 11),
    *AVAILABILITY_COLUMNS,
    Column("conflicts", "利益相反", "Conflicts", "ids", False,
           f"担当できない団体の団体ID（顧問先など）。{_LIST_JA}",
           f"Association ids the expert may not serve; {_LIST_EN}", 14),
    Column("email", "メールアドレス", "Email", "text", False,
           "日程の招待・リマインダーの宛先（本人宛てのみに使用）",
           "Where invitations and reminders go (used for this expert's own messages only)", 24),
))

# An association's contact: who the secretariat and the association's own messages reach.
CONTACT_COLUMNS = (
    Column("contact.name", "担当者名", "Contact name", "text", False, "例: 佐藤 一郎",
           "E.g. 佐藤 一郎", 14),
    Column("contact.email", "担当者メールアドレス", "Contact email", "text", False,
           "日程の招待・リマインダーの宛先（この団体宛てのみに使用）",
           "Where invitations and reminders go (this association's own messages only)", 24),
    Column("contact.phone", "担当者電話番号", "Contact phone", "text", False,
           "例: 03-0000-0000", "E.g. 03-0000-0000", 14),
)

APPLICATION_SHEET = Sheet("associations", "申込団体", "applications",
                          ("団体", "申込", "associations", "association"), (
    Column("id", "団体ID", "Association ID", "text", True, "一意の番号。例: A001",
           "Unique id, e.g. A001", 11),
    Column("name", "団体名", "Name", "text", True, "正式名称", "Official name", 32),
    Column("legal_form", "法人格", "Legal form", "legal_form", True,
           "①中小企業団体 ②一般社団・財団法人（公益を含む） ③その他の法人",
           "(1) SME cooperative (2) general incorporated (3) other corporation", 22),
    Column("prefecture", "所在地(都道府県)", "Prefecture", "text", True, "例: 東京都",
           "E.g. 東京都", 12),
    Column("city", "市区町村", "City", "text", True, "例: 千代田区", "E.g. 千代田区", 12),
    Column("address", "住所", "Address", "text", False, "訪問先の住所", "Where to visit", 32),
    Column("meeting_url", "オンライン会議URL", "Meeting URL", "text", False,
           "オンライン実施の会議URL", "URL for online sessions", 20),
    Column("industry", "業種", "Industry", "industry", True,
           "一覧から。一覧にない業種はそのまま記入", "From the list, or as typed", 14),
    Column("member_count", "会員数", "Members", "int", False, "会員・組合員の数",
           "Number of member companies", 9),
    Column("applied_at", "申込日時", "Applied at", "datetime", True,
           "例: 2025-07-02 10:15（東京時間）。早い申込が優先", "E.g. 2025-07-02 10:15, local time; "
           "earlier applications come first", 18),
    Column("decided_on", "決定日", "Decided on", "date", False,
           "実施決定日。状況が実施決定・支援完了なら必須",
           "Decision date; required when accepted", 12),
    Column("status", "状況", "Status", "status", True,
           "受付、ヒアリング済、実施決定、対象外、取下げ、支援完了（実施決定だけが日程調整の対象）",
           "received, interviewed, accepted, rejected, withdrawn, completed "
           "(only accepted ones are planned)", 12),
    Column("needs.primary", "支援ニーズ(主)", "Primary need", "primary_need", True,
           "主なニーズ（一覧から1つ）", "The main need (one from the list)", 24),
    Column("needs.others", "その他ニーズ", "Other needs", "secondary_needs", False,
           f"ほかのニーズ。{_LIST_JA}", f"Further needs; {_LIST_EN}", 24),
    Column("sessions_requested", "希望回数", "Sessions requested", "int", True,
           "1〜5回", "1 to 5", 9),
    Column("session_minutes", "1回の時間(分)", "Minutes per session", "int", True,
           "60〜120分", "60 to 120", 10),
    Column("mode", "実施形式", "Mode", "association_mode", True,
           "訪問、オンライン、訪問・オンラインいずれも可", "onsite, online or either", 16),
    Column("has_manual", "マニュアル有無", "Has manual", "bool", False,
           "既存のカスハラ対策マニュアルがあれば「有」", "有 (yes) if a manual already exists", 10),
    *AVAILABILITY_COLUMNS,
    *CONTACT_COLUMNS,
))

SHEETS = (EXPERT_SHEET, APPLICATION_SHEET)
