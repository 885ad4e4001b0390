"""What the self-service pages (experts, associations) and the staff's session pages say,
Japanese first, English beside it. ``texts.TEXTS`` takes these in."""

from __future__ import annotations

from domain.vocabulary import Label

# A session's state as experts, associations and staff read it.
STATE_LABELS: dict[str, Label] = {
    "scheduled": Label("予定", "scheduled"),
    "pinned": Label("確定（事務局外）", "confirmed outside Haken"),
    "held": Label("実施済（報告待ち）", "held, report due"),
    "reported": Label("報告済（団体確認待ち）", "reported, awaiting confirmation"),
    "confirmed": Label("団体確認済（承認待ち）", "confirmed, awaiting approval"),
    "approved": Label("承認済", "approved"),
    "paid": Label("支払済", "paid"),
    "cancelled": Label("中止", "cancelled"),
    "no_show": Label("不実施（欠席）", "no-show"),
}

MANUAL_PROGRESS_LABELS: dict[str, Label] = {
    "not_started": Label("未着手", "not started"),
    "outline": Label("骨子案", "outline"),
    "draft": Label("素案作成中", "drafting"),
    "final": Label("最終案", "final draft"),
    "completed": Label("完成", "completed"),
}

DISTRIBUTION_LABELS: dict[str, Label] = {
    "website": Label("ウェブサイトに掲載", "on the website"),
    "seminar": Label("説明会・研修", "a seminar or training"),
    "printed": Label("冊子の配布", "printed copies"),
    "email": Label("メールで配信", "by e-mail"),
    "newsletter": Label("会報に掲載", "in the newsletter"),
    "other": Label("その他", "other"),
}

TEXTS: dict[str, Label] = {
    # self-service
    "my_title": Label("派遣 専門家・団体ページ", "Haken: your sessions"),
    "my_expert_intro": Label("担当する回の確認、支援実施報告書と旅費の提出、"
                             "対応できる時間の登録ができます。",
                             "See your sessions, file your reports and travel claims, and "
                             "keep your availability."),
    "my_association_intro": Label("実施回の確認、実施の確認（従事証明）と評価、"
                                  "アンケートの回答ができます。",
                                  "See your sessions, confirm that they took place, rate them "
                                  "and answer the survey."),
    "my_private": Label("このページのアドレスはあなた専用です。他の人に教えないでください。",
                        "This page's address is yours alone; do not share it."),
    "my_sessions": Label("あなたの回", "Your sessions"),
    "my_no_sessions": Label("まだ予定された回はありません。", "No sessions are scheduled yet."),
    "number": Label("回", "No."),
    "experts_of": Label("専門家", "Experts"),
    "role": Label("役割", "Role"),
    "role_lead": Label("主担当", "lead"),
    "role_joiner": Label("同行", "joining"),
    "phase": Label("内容", "Phase"),
    "state": Label("状況", "State"),
    "open": Label("開く", "Open"),
    "reports_to_file": Label("提出が必要な報告書", "Reports to file"),
    "no_reports_to_file": Label("提出が必要な報告書はありません。", "No reports to file."),
    "late": Label("期限超過", "late"),
    "on_time": Label("期限内", "on time"),
    "final_report": Label("最終報告", "final report"),
    "session_heading": Label("第{n}回", "Session {n}"),
    "planned_as": Label("予定", "Planned"),
    "held_as": Label("実施", "Held"),
    "attendees": Label("出席者", "Attendees"),
    "report_due_on": Label("報告書の期限", "Report due"),
    "report": Label("支援実施報告書", "Expert's report"),
    "file_report": Label("報告書を提出", "File the report"),
    "work_done": Label("実施内容", "What was done"),
    "manual_progress": Label("マニュアルの進捗", "Progress of the manual"),
    "progress_note": Label("進捗の補足", "Notes on progress"),
    "next_tasks": Label("次回までの課題", "Tasks until the next session"),
    "travel": Label("旅費", "Travel"),
    "travel_claimed_yen": Label("旅費（円）", "Travel claimed (yen)"),
    "travel_hint": Label("訪問（対面）の回のみ。整数の円で入力します。",
                         "Onsite sessions only; whole yen."),
    "receipt_note": Label("領収書・経路の記載", "Receipts and route"),
    "claim_travel": Label("旅費を申請", "Claim travel"),
    "travel_claims": Label("旅費の申請", "Travel claims"),
    "confirmation": Label("実施の確認（従事証明）", "Confirmation that it took place"),
    "as_reported": Label("報告のとおり実施されました", "It took place as reported"),
    "not_as_reported": Label("報告と異なる点があります", "Something differs from the report"),
    "rating": Label("評価（1〜5）", "Rating (1-5)"),
    "comment": Label("コメント", "Comment"),
    "confirm": Label("確認して送信", "Confirm"),
    "survey": Label("終了後アンケート", "Survey after the last session"),
    "survey_hint": Label("最終回の確認後にご回答ください。", "Answer once your last session is "
                                                            "confirmed."),
    "manual_completed": Label("マニュアルは完成しましたか", "Is the manual completed?"),
    "yes": Label("はい", "Yes"),
    "no": Label("いいえ", "No"),
    "completed_on": Label("完成日（未完成の場合は完成予定日）",
                          "Completed on (or when it will be)"),
    "distribution": Label("会員への周知方法", "How it will reach members"),
    "answer_survey": Label("回答を送信", "Send the answers"),
    "survey_answered": Label("アンケートに回答済みです。", "The survey is answered."),
    "my_availability": Label("対応できる時間", "Your availability"),
    "my_availability_hint": Label("変更は事務局に通知され、次回の計画から使われます。"
                                  "公開済みの回は自動では動きません。",
                                  "A change is shown to the secretariat and used by the next "
                                  "plan; no published session moves by itself."),
    "saved_msg": Label("保存しました。", "Saved."),
    "not_saved_msg": Label("保存できませんでした。", "Not saved."),
    "stale_msg": Label("他の更新があったため保存できませんでした。"
                       "内容を確認して再度送信してください。",
                       "Someone changed this meanwhile; check and send again."),
    "back_to_own_page": Label("トップへ", "Back to your page"),
    "none_yet": Label("まだありません。", "None yet."),
    # staff pages
    "session_life": Label("実施管理", "Sessions held"),
    "record_held": Label("実施を記録", "Record as held"),
    "record": Label("実施記録", "Record"),
    "date_held": Label("実施日", "Date held"),
    "start_held": Label("開始", "Start"),
    "end_held": Label("終了", "End"),
    "mode_held": Label("形式", "Mode"),
    "attendees_hint": Label("1行に1人", "One per line"),
    "call_off": Label("中止・不実施を記録", "Record as cancelled or no-show"),
    "kind": Label("区分", "Kind"),
    "reason": Label("理由", "Reason"),
    "approve": Label("承認", "Approve"),
    "to_approve": Label("承認待ち", "Awaiting approval"),
    "nothing_to_approve": Label("承認待ちの回はありません。", "Nothing awaits approval."),
    "late_reports": Label("提出期限を過ぎた報告書", "Reports past due"),
    "due_reports": Label("提出待ちの報告書", "Reports due"),
    "to_record": Label("実施日を過ぎた未記録の回", "Past sessions not recorded yet"),
    "nothing_to_record": Label("未記録の回はありません。", "Nothing to record."),
    "availability_changes": Label("専門家による対応時間の変更", "Availability changed by experts"),
    "sessions_to_look_at": Label("見直す回", "Sessions to look at"),
    "self_service_links": Label("専門家・団体ページのリンク", "Self-service links"),
    "issue_link": Label("リンクを発行", "Issue a link"),
}
