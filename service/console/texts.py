"""What the console says, Japanese first and English beside it (``?lang=en``)."""

from __future__ import annotations

from typing import Literal

from domain.vocabulary import Label
from service.console import (
    texts_apply,
    texts_experts_feeds_reports,
    texts_mail,
    texts_payments,
    texts_session_life,
    texts_working_day,
)
from service.console.texts_plans import PLAN_TEXTS

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")

TEXTS: dict[str, Label] = {
    "app_title": Label("派遣 事務局コンソール", "Haken secretariat console"),
    "skip": Label("本文へ移動", "Skip to content"),
    "nav": Label("メインメニュー", "Main menu"),
    "applications": Label("申請", "Applications"),
    "planning": Label("計画", "Planning"),
    "sign_in": Label("サインイン", "Sign in"),
    "sign_out": Label("サインアウト", "Sign out"),
    "token": Label("APIトークン", "API token"),
    "token_hint": Label("haken token create で発行したトークン（hk_…）",
                        "The token from haken token create (hk_…)"),
    "bad_token": Label("トークンが無効です。", "This token is not valid."),
    "too_many": Label("失敗が続いたため、しばらくしてからお試しください。",
                      "Too many failed attempts; try again later."),
    "signed_in_as": Label("サインイン中", "Signed in as"),
    "language": Label("言語", "Language"),
    "other_lang": Label("English", "日本語"),
    "search": Label("検索", "Search"),
    "search_hint": Label("ID または団体名", "Id or name"),
    "status": Label("状況", "Status"),
    "all": Label("すべて", "All"),
    "filter": Label("絞り込む", "Filter"),
    "id": Label("ID", "Id"),
    "name": Label("団体名", "Name"),
    "applied_at": Label("申請日時", "Applied"),
    "calls_due": Label("事前ヒアリングの期限", "Pre-interview calls due"),
    "due_on": Label("期限", "Due"),
    "late": Label("期限超過", "late"),
    "due_today": Label("本日期限", "due today"),
    "business_days_left": Label("残り営業日", "Business days left"),
    "no_calls": Label("期限の近い事前ヒアリングはありません。", "No calls are due."),
    "no_programme": Label("プログラムが未登録です。シナリオを取り込んでください。",
                          "No programme yet: import a scenario first."),
    "no_rows": Label("該当する申請はありません。", "No application matches."),
    "eligibility": Label("対象団体の要件", "Eligibility checklist"),
    "requirement": Label("要件", "Requirement"),
    "result": Label("確認結果", "Result"),
    "checked_by": Label("確認者", "Checked by"),
    "not_checked": Label("未確認", "not checked"),
    "met": Label("適合", "met"),
    "not_met": Label("不適合", "not met"),
    "note": Label("メモ", "Note"),
    "save": Label("保存", "Save"),
    "open_items": Label("承認の前に残っていること", "Open before accepting"),
    "call": Label("事前ヒアリング", "Pre-interview call"),
    "decision": Label("決定", "Decision"),
    "change_status": Label("状況を変更", "Change status"),
    "to": Label("次の状況", "New status"),
    "reason": Label("理由", "Reason"),
    "reason_hint": Label("実施決定・対象外・取下げには必須", "Required to accept, reject or "
                                                     "withdraw"),
    "call_note": Label("ヒアリングのメモ", "Call notes"),
    "apply_change": Label("変更する", "Change"),
    "final_status": Label("この申請の状況はこれ以上変わりません。",
                          "This application's status is final."),
    "stale": Label("この記録は他の人が先に変更しました（現在の版を表示しています）。"
                   "内容を確かめてからもう一度変更してください。",
                   "Someone else changed this record first (now showing the current "
                   "version). Check it and make your change again."),
    "saved": Label("保存しました。", "Saved."),
    "not_saved": Label("保存していません。", "Nothing was saved."),
    "viewer_only": Label("閲覧権限のため変更できません。", "Your role may only read."),
    "start_solve": Label("計画を作成", "Start a plan"),
    "time_limit": Label("制限時間（秒）", "Time limit (seconds)"),
    "seed": Label("乱数シード", "Seed"),
    "jobs": Label("計画ジョブ", "Plan jobs"),
    "job": Label("ジョブ", "Job"),
    "progress": Label("進捗", "Progress"),
    "served": Label("支援できる団体数", "Served"),
    "bound": Label("上限", "Bound"),
    "gap": Label("差", "Gap"),
    "elapsed": Label("経過秒数", "Elapsed (s)"),
    "cancel": Label("中止", "Cancel"),
    "plan": Label("計画案", "Plan"),
    "plans": Label("計画", "Plans"),
    "draft": Label("案", "draft"),
    "published": Label("公開済", "published"),
    "superseded": Label("旧版", "superseded"),
    "publish": Label("公開する", "Publish"),
    "published_msg": Label("公開しました。", "Published."),
    "moved": Label("変更", "moved"),
    "added": Label("追加", "added"),
    "removed": Label("削除", "removed"),
    "kept": Label("変更なし", "kept"),
    "unserved": Label("支援できない団体", "Unserved associations"),
    "none_unserved": Label("すべての団体を支援できます。", "Every association is served."),
    "experts": Label("専門家", "Experts"),
    "calendar": Label("週間予定", "Week calendar"),
    "week_of": Label("週の開始日", "Week of"),
    "previous_week": Label("前の週", "Previous week"),
    "next_week": Label("次の週", "Next week"),
    "no_plan": Label("計画案はまだありません。", "No plan yet."),
    "no_jobs": Label("ジョブはまだありません。", "No job yet."),
    "session": Label("回", "Session"),
    "mode": Label("形式", "Mode"),
    "time": Label("時間", "Time"),
    "back": Label("一覧へ戻る", "Back to the list"),
    "error": Label("エラー", "Error"),
    "not_found": Label("見つかりません。", "Not found."),
    "forbidden": Label("この操作の権限がありません。", "Your role may not do this."),
    "csrf": Label("フォームの有効期限が切れたか、別のサイトから送信されました。"
                  "ページを開き直してください。",
                  "The form is stale or was sent from another site; open the page again."),
    **PLAN_TEXTS,  # calendars, timeline, comparison, replacements
}


def _take_in(table: dict[str, Label]) -> None:
    """One flat table for every page: a key two modules give different words would show
    one page the other's words, so it is refused."""
    clash = sorted(key for key in table if key in TEXTS and TEXTS[key] != table[key])
    if clash:
        raise RuntimeError(f"console texts given twice with different words: {clash}")
    TEXTS.update(table)


for _module in (texts_experts_feeds_reports, texts_mail,
                texts_working_day,  # home page, list, print views, window
                texts_session_life, texts_payments, texts_apply):
    _take_in(_module.TEXTS)


def text(key: str, lang: Lang) -> str:
    label = TEXTS[key]
    return label.ja if lang == "ja" else label.en


def label(value: Label, lang: Lang) -> str:
    return value.ja if lang == "ja" else value.en
