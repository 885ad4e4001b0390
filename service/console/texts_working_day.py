"""What the console says about the secretariat's working day (home page, the applications
list and its bulk decisions, print views, the call, the application window), and the
labels of every status the console shows: each value of each enumeration has both
languages (tests/service/console/test_languages.py holds the tables total)."""

from __future__ import annotations

from typing import get_args

from domain.vocabulary import Label
from service.logic.jobs import JobStatus
from service.logic.tokens import Role

JOB_STATUS_LABELS: dict[str, Label] = {
    "queued": Label("待機中", "queued"),
    "running": Label("計算中", "running"),
    "succeeded": Label("完了", "succeeded"),
    "failed": Label("失敗", "failed"),
    "cancelled": Label("中止済み", "cancelled"),
}

ROLE_LABELS: dict[str, Label] = {
    "viewer": Label("閲覧", "viewer"),
    "staff": Label("事務局", "staff"),
    "admin": Label("管理者", "admin"),
}

# Each table must name every value its type allows (checked at import: a new status
# without a label fails at once, not on the first page that shows it).
for _table, _type in ((JOB_STATUS_LABELS, JobStatus), (ROLE_LABELS, Role)):
    assert set(_table) == set(get_args(_type)), (sorted(_table), get_args(_type))

TEXTS: dict[str, Label] = {
    # The home page.
    "home": Label("ホーム", "Home"),
    "today": Label("本日", "Today"),
    "this_week": Label("今週", "This week"),
    "due_this_week": Label("今週期限", "due this week"),
    "no_calls_this_week": Label("今週期限の事前ヒアリングはありません。",
                                "No pre-interview call is due this week."),
    "decisions_to_send": Label("決定通知待ち（ヒアリング済で未決定）",
                               "Decisions to send (called, not yet decided)"),
    "called_on": Label("ヒアリング日", "called on"),
    "decide_in_bulk": Label("一覧でまとめて決定する", "Decide several at once in the list"),
    "no_decisions": Label("決定待ちの申請はありません。", "No decision is waiting."),
    "sessions_this_week": Label("今週の派遣", "Sessions this week"),
    "lead_expert": Label("主担当", "Lead"),
    "session_held": Label("実施済", "held"),
    "print_week": Label("今週の予定を印刷", "Print this week's schedule"),
    "no_sessions_this_week": Label("今週の派遣はありません。", "No session this week."),
    "reports_due": Label("報告・確認の期限", "Reports and confirmations due"),
    "no_reports_due": Label("期限の近い報告・確認はありません。",
                            "No report or confirmation is due."),
    "no_published_plan": Label("公開済みの計画はまだありません。", "No plan is published yet."),
    "jobs_running": Label("実行中の計画ジョブ", "Plan jobs running"),
    "no_jobs_running": Label("実行中のジョブはありません。", "No job is running."),
    "reason_required": Label("理由を入力してください（実施決定・対象外・取下げには必須）。",
                             "A reason is required to accept, reject or withdraw."),
    # The pre-interview call, recorded as it happened.
    "record_call": Label("事前ヒアリングの記録", "Record the pre-interview call"),
    "call_date": Label("実施日", "Day of the call"),
    "call_time": Label("時刻", "Time"),
    "called_by": Label("対応者", "Called by"),
    "record_call_button": Label("ヒアリング済として記録", "Record as interviewed"),
    "call_when_needed": Label("ヒアリングの実施日と時刻を入力してください。",
                              "Enter the day and time of the call."),
    "call_in_future": Label("未来の日時は記録できません。", "The call cannot be in the future."),
    "call_before_applying": Label("申請日時より前の日時は記録できません。",
                                  "The call cannot be before the application."),
    # The applications list and decisions on several at once.
    "col_call_due": Label("ヒアリング期限", "Call due"),
    "col_decided_on": Label("決定日", "Decided"),
    "col_held": Label("実施済/予定回数", "Held / planned"),
    "col_next_session": Label("次回", "Next session"),
    "only_late_calls": Label("期限超過のヒアリングのみ", "Only late calls"),
    "bulk_choose": Label("選択", "Choose"),
    "bulk_legend": Label("選択した申請をまとめて決定", "Decide the chosen applications"),
    "bulk_apply": Label("選択した申請に適用", "Apply to the chosen"),
    "bulk_hint": Label(
        "申請ごとに個別の画面と同じ規則と版の確認を行います。条件を満たさない申請は変更せず、"
        "理由を表示します。",
        "Each application passes the same rules and version check as on its own page; one "
        "that fails is left unchanged, with the reason."),
    "bulk_choose_decision": Label("実施決定か対象外かを選んでください。",
                                  "Choose accept or reject."),
    "bulk_reason_needed": Label("理由を入力してください（全件に記録されます）。",
                                "Enter a reason (recorded for each)."),
    "bulk_none_chosen": Label("申請を1件以上選んでください。", "Choose at least one application."),
    "bulk_summary": Label("{changed} 件を変更しました。{unchanged} 件は変更していません。",
                          "{changed} changed; {unchanged} left unchanged."),
    "bulk_changed": Label("変更しました →", "changed to"),
    "bulk_unchanged": Label("変更していません", "not changed"),
    "bulk_problem_not_found": Label("この申請は見つかりません。", "No such application."),
    "bulk_problem_stale": Label("一覧の表示後に他の人が変更しました。開き直して確認してください。",
                                "Someone changed it after the list was shown; open it again."),
    "bulk_problem_not_allowed": Label("現在の状況からはこの決定に進めません。",
                                      "Its status does not allow this decision."),
    "accept_checklist_open": Label(
        "要件の確認が終わっていないため承認できません（「承認の前に残っていること」を参照）。",
        "Not accepted: the eligibility checklist is not complete (see Open before accepting)."),
    "bulk_problem_checklist_open": Label("要件の確認が終わっていません：",
                                         "The eligibility checklist is not complete:"),
    "bulk_problem_invalid": Label("入力に誤りがあります。", "The input is not valid."),
    "bulk_problem_other": Label("規則により変更できません。", "The rules do not allow it."),
    # Print views.
    "print_now": Label("印刷する", "Print"),
    "print_place": Label("訪問先", "Place"),
    "print_date": Label("日付", "Date"),
    "print_association": Label("団体", "Association"),
    "print_phase": Label("内容", "Phase"),
    "print_joining": Label("同行専門家", "Joining"),
    "print_state": Label("状態", "State"),
    "session_scheduled": Label("予定", "scheduled"),
    "session_pinned": Label("確定", "confirmed"),
    "print_no_sessions": Label("予定された派遣はありません。", "No session is scheduled."),
    "print_printed_on": Label("印刷日", "Printed on"),
    "print_expert_schedule": Label("専門家の派遣予定", "Expert's schedule"),
    "print_association_schedule": Label("団体の派遣予定", "Association's schedule"),
    "print_week_title": Label("週間派遣予定", "Sessions of the week"),
    "print_schedule": Label("予定を印刷", "Print the schedule"),
    # The application window.
    "application_window": Label("申請受付", "Application window"),
    "window_not_set": Label("受付期間が未設定です（プログラムの application_period）",
                            "No application period set (the programme's application_period)"),
    "window_not_open_yet": Label("受付開始前", "Not open yet"),
    "window_open": Label("受付中", "Open"),
    "window_closed": Label("受付終了", "Closed"),
    "window_override": Label("事務局による変更", "Changed by the secretariat"),
    "window_period_end": Label("募集要項の締切", "the programme's closing day"),
    "window_closes_on": Label("受付の最終日", "Last day applications are taken"),
    "window_closes_on_hint": Label(
        "募集要項の締切より前の日で早期終了（本日なら本日で終了）、後の日で延長します。",
        "A day before the programme's closing day closes early (today: closes today); "
        "a later day extends."),
    "window_set": Label("受付期間を変更", "Change the window"),
    "window_date_needed": Label("日付を入力してください。", "Enter a date."),
    "window_error_reason": Label("変更の理由を入力してください。",
                                 "A reason is required to close or extend the window."),
    "window_error_closes_on": Label("受付開始日より前の日は選べません。",
                                    "The day cannot be before the window opens."),
    # An eligibility item still open before accepting.
    "gap_not_checked": Label("未確認", "not checked"),
    "gap_not_met": Label("不適合", "not met"),
    # Two counts of "unserved" that differ, each said for what it counts.
    "unserved_accepted": Label("実施決定済みで計画に入らない団体", "Accepted but not in the plan"),
    "unserved_not_accepted": Label("実施決定前・対象外・取下げ（計画の対象外）",
                                   "Not accepted (never planned)"),
    "unserved_total": Label("一覧の合計（計画データの stats.unserved）",
                            "Listed in all (the plan's stats.unserved)"),
    "unserved_counts_note": Label(
        "報告の「未対応団体数」は実施決定済みで計画に入らない団体だけを数えます。",
        "The report's \u201cAccepted but not planned\u201d counts only the first of these."),
}
