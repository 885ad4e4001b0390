"""The programme's fixed words: needs, qualifications, phases, legal forms, modes.

Everything that names a need, a qualification or a phase is defined here once;
a scenario may replace the needs and qualifications with its own
``programme.vocabulary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

SessionMode = Literal["onsite", "online"]
AssociationMode = Literal["onsite", "online", "either"]
SESSION_MODES: tuple[SessionMode, ...] = ("onsite", "online")

Status = Literal["received", "interviewed", "accepted", "rejected", "withdrawn", "completed"]
LegalForm = Literal["sme_cooperative", "general_incorporated", "other_corporation"]
Phase = Literal["action_plan", "drafting", "finalisation", "review"]
UnservedReason = Literal[
    "no_qualified_expert", "capacity", "no_common_time", "window_too_short", "not_accepted"
]


@dataclass(frozen=True)
class Label:
    ja: str
    en: str


DEFAULT_QUALIFICATIONS: dict[str, Label] = {
    "sharoushi": Label("社会保険労務士", "Certified Social Insurance and Labour Consultant"),
    "sme_consultant": Label("中小企業診断士", "SME Management Consultant"),
    "industrial_counselor": Label("産業カウンセラー", "Industrial Counselor"),
    "psychologist": Label("公認心理師", "Licensed Psychologist"),
    "hr_development": Label("人材育成コンサルタント", "Human Resource Development Consultant"),
    "career_consultant": Label("キャリアコンサルタント", "Career Consultant"),
}

# need -> (label, qualifications that cover it)
DEFAULT_NEEDS: dict[str, tuple[Label, tuple[str, ...]]] = {
    "labour_law": (Label("法令遵守・就業規則", "Labour law and work rules"), ("sharoushi",)),
    "management": (
        Label("経営戦略・組織の対応ルール", "Management strategy and response rules"),
        ("sme_consultant",),
    ),
    "mental_health": (
        Label("メンタルケア・心理的安全性", "Mental care and psychological safety"),
        ("industrial_counselor", "psychologist"),
    ),
    "training": (
        Label("研修・社内浸透・運用", "Training, rollout and operation"),
        ("hr_development", "career_consultant"),
    ),
}

PHASE_LABELS: dict[Phase, Label] = {
    "action_plan": Label("取組計画の策定", "Developing an action plan"),
    "drafting": Label("作成支援", "Manual development support"),
    "finalisation": Label("マニュアル完成・運用検証", "Finalisation and operational review"),
    "review": Label("既存マニュアルの精査", "Review of the existing manual"),
}

LEGAL_FORM_LABELS: dict[LegalForm, Label] = {
    "sme_cooperative": Label("中小企業団体", "SME cooperative (Act No. 185 of 1957 Art. 3-1)"),
    "general_incorporated": Label(
        "一般社団・財団法人（公益を含む）", "General incorporated association or foundation"
    ),
    "other_corporation": Label("その他の法人", "Other legal entity with SME members"),
}

MODE_LABELS: dict[str, Label] = {
    "onsite": Label("訪問", "onsite"),
    "online": Label("オンライン", "online"),
    "either": Label("訪問・オンラインいずれも可", "either"),
}


def phase_of(number: int, sessions: int) -> Phase:
    """The phase of session ``number`` (1-based) among ``sessions`` sessions."""
    if sessions == 1:
        return "review"
    if number == 1:
        return "action_plan"
    if number == sessions:
        return "finalisation"
    return "drafting"

STATUS_LABELS: dict[Status, Label] = {
    "received": Label("受付", "received"),
    "interviewed": Label("ヒアリング済", "interviewed"),
    "accepted": Label("実施決定", "accepted"),
    "rejected": Label("対象外", "rejected"),
    "withdrawn": Label("取下げ", "withdrawn"),
    "completed": Label("支援完了", "completed"),
}

UNSERVED_REASON_LABELS: dict[UnservedReason, Label] = {
    "no_qualified_expert": Label("対応できる専門家がいない", "no qualified expert"),
    "capacity": Label("専門家の受入枠が不足", "experts' capacity exhausted"),
    "no_common_time": Label("日程が合わない", "no common time"),
    "window_too_short": Label("実施期間内に回数が収まらない", "window too short"),
    "not_accepted": Label("実施決定前・対象外", "not accepted"),
}

WEEKDAY_LABELS: dict[Weekday, Label] = {
    "mon": Label("月", "Mon"), "tue": Label("火", "Tue"), "wed": Label("水", "Wed"),
    "thu": Label("木", "Thu"), "fri": Label("金", "Fri"), "sat": Label("土", "Sat"),
    "sun": Label("日", "Sun"),
}

# Industries are open keys in the exchange format; these are the usual ones of the
# Tokyo programme, so sheets and reports can show and read them in Japanese.
INDUSTRY_LABELS: dict[str, Label] = {
    "retail": Label("小売業", "Retail"),
    "wholesale": Label("卸売業", "Wholesale"),
    "food_service": Label("飲食業", "Food service"),
    "hospitality": Label("宿泊業", "Hospitality"),
    "transport": Label("運輸業", "Transport"),
    "taxi": Label("タクシー業", "Taxi"),
    "logistics": Label("物流業", "Logistics"),
    "construction": Label("建設業", "Construction"),
    "real_estate": Label("不動産業", "Real estate"),
    "healthcare": Label("医療", "Healthcare"),
    "nursing_care": Label("介護・福祉", "Nursing care and welfare"),
    "beauty": Label("理容・美容", "Barber and beauty"),
    "education": Label("教育・学習支援", "Education"),
    "finance": Label("金融・保険業", "Finance and insurance"),
    "it_services": Label("情報通信業", "IT services"),
    "manufacturing": Label("製造業", "Manufacturing"),
}
