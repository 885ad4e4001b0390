"""The words the feeds show: the programme page's aims for each session phase.

Quoted from ``programme/programme-page-ja.txt`` and ``-en.txt``. The page's
session-1 text speaks of "sessions 2 to 5"; an association may ask for fewer,
so it says "the following sessions" here. The ``review`` phase (a single
session on a manual the association already has) comes from the page's note
on existing manuals.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.vocabulary import Phase


@dataclass(frozen=True)
class PhaseAim:
    heading_ja: str
    aim_ja: str
    heading_en: str
    aim_en: str


PHASE_AIMS: dict[Phase, PhaseAim] = {
    "action_plan": PhaseAim(
        heading_ja="現状把握および課題整理、取組計画の策定",
        aim_ja=(
            "事前のヒアリング内容を踏まえ、団体と専門家で意見交換を行い、"
            "マニュアルの作成方針や課題を整理します。"
            "そのうえで、マニュアル完成に向けた2回目以降の支援内容・スケジュールを明確化します。"
        ),
        heading_en=(
            "Assessing the current situation, identifying key issues, "
            "and developing an action plan"
        ),
        aim_en=(
            "Following the pre-dispatch interview, the expert and the organization exchange "
            "perspectives and clarify the direction and priorities for the manual. Based on "
            "this, the content and schedule of the following sessions are planned to ensure "
            "steady progress toward completing the manual."
        ),
    ),
    "drafting": PhaseAim(
        heading_ja="取組状況の確認とタスク整理",
        aim_ja=(
            "マニュアル完成に向け、専門家が進捗状況を確認しながら、"
            "次回までに取り組む内容について具体的な助言を行います。"
            "必要に応じて、課題のヒアリングやマニュアルの修正支援も実施します。"
        ),
        heading_en="Review of progress and task organization",
        aim_en=(
            "To support the completion of the manual, the expert checks the progress and "
            "gives specific guidance on the tasks to be addressed before the next session. "
            "If necessary, the expert also conducts interviews to identify issues and "
            "assists with revising the manual."
        ),
    ),
    "finalisation": PhaseAim(
        heading_ja="完成内容の確認と運用に向けた助言",
        aim_ja=(
            "完成したマニュアルの内容を最終確認し、"
            "今後の自走・展開に向けて運用上のアドバイスを行います。"
        ),
        heading_en="Review of final content and guidance for implementation",
        aim_en=(
            "The final content of the manual is reviewed, and operational advice is given "
            "to support independent implementation and future rollout."
        ),
    ),
    "review": PhaseAim(
        heading_ja="既存マニュアルの精査と改善提案",
        aim_ja=(
            "団体内で既に作成済みのカスハラ対策マニュアルの内容を専門家が精査し、"
            "実効性や運用面を踏まえた改善提案を行います。"
        ),
        heading_en="Review of the existing manual and suggestions for improvement",
        aim_en=(
            "The expert reviews the customer harassment prevention manual the organization "
            "has already developed and suggests improvements based on effectiveness and "
            "practical implementation."
        ),
    ),
}

SUMMARY_PREFIX = "カスハラ対策マニュアル"
CANCELLED_PREFIX = "【中止】"
CANCELLED_NOTICE = "この回は中止になりました。 / This session has been cancelled."
ONLINE_LOCATION = "オンライン"
LIST_SEPARATOR = "、"


def expert_calendar_name(expert_name: str) -> str:
    return f"相談セッション（{expert_name}）"


def association_calendar_name(association_name: str) -> str:
    return f"カスハラ対策 専門家派遣（{association_name}）"


SECRETARIAT_CALENDAR_NAME = "専門家派遣 全セッション（事務局）"


def calendar_description(programme_name: str, contact: str | None) -> str:
    lines = [
        f"{programme_name}：カスハラ対策マニュアル作成支援の専門家派遣の日程です。",
        "Expert dispatch sessions for customer harassment prevention manuals.",
    ]
    if contact:
        lines.append(f"事務局 / Secretariat: {contact}")
    return "\n".join(lines)
