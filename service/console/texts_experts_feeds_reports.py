"""What the experts, calendar-feed and report pages say, Japanese first, English beside it.

Kept apart from ``texts.py`` so that pages added side by side do not edit one long dict;
``texts.TEXTS`` takes these in.
"""

from __future__ import annotations

from domain.vocabulary import Label

TEXTS: dict[str, Label] = {
    # experts
    "expert_name": Label("氏名", "Name"),
    "qualifications": Label("資格", "Qualifications"),
    "industries": Label("得意な業種", "Industries"),
    "modes": Label("対応できる形式", "Modes"),
    "caps": Label("上限", "Caps"),
    "max_associations": Label("担当団体数の上限", "Most associations"),
    "max_sessions_per_day": Label("1日の回数の上限", "Most sessions a day"),
    "max_sessions_per_week": Label("1週間の回数の上限", "Most sessions a week"),
    "in_schedule": Label("現在のスケジュール", "Current schedule"),
    "sessions_count": Label("回数", "Sessions"),
    "associations_count": Label("団体数", "Associations"),
    "conflicts": Label("担当できない団体（利害関係）", "Associations the expert must not serve"),
    "conflicts_hint": Label("利害関係などで担当させない団体に印を付けます。",
                            "Tick the associations this expert must not serve."),
    "availability": Label("対応できる時間", "Availability"),
    "weekly": Label("毎週の時間帯", "Weekly hours"),
    "weekly_business": Label("指定なし（営業日の営業時間すべて）",
                             "Not set (business hours on every business day)"),
    "weekly_grid": Label("下の表で指定する", "As ticked below"),
    "weekly_grid_hint": Label("対応できる30分の枠に印を付けます。Tab キーで移動し、"
                              "スペースキーで切り替えます（矢印キーでも移動できます）。",
                              "Tick each 30-minute slot the expert can take. Move with Tab "
                              "(or the arrow keys) and toggle with Space."),
    "weekly_unaligned": Label("30分単位でない時間帯があります。"
                              "保存すると、枠全体が入る部分だけが残ります。",
                              "Some hours do not fall on 30-minute steps; saving keeps only the "
                              "whole slots ticked here."),
    "time_slot": Label("時刻", "Time"),
    "dates": Label("日付ごとの例外（その日だけの時間帯）", "Dated exceptions (hours for that day)"),
    "dates_hint": Label("1行に1日: 2025-12-18 09:00-12:30、終日不可は 2025-12-24 不可",
                        "One day a line: 2025-12-18 09:00-12:30, or 2025-12-24 none for the "
                        "whole day"),
    "blocked": Label("対応できない期間", "Blocked dates and periods"),
    "blocked_hint": Label("1行に1期間: 2025-08-11~2025-08-15、または 1日だけ 2025-12-24",
                          "One a line: 2025-08-11~2025-08-15, or a single day 2025-12-24"),
    "saved_record": Label("保存されている内容", "As saved"),
    "edit_expert": Label("専門家の情報を編集", "Edit the expert"),
    "not_set": Label("指定なし", "not set"),
    "none": Label("なし", "none"),
    "no_experts": Label("専門家は登録されていません。", "No expert yet."),
    "back_experts": Label("専門家の一覧へ戻る", "Back to the experts"),
    # calendar feeds
    "feed_links": Label("カレンダー配信", "Calendar feeds"),
    "feed_intro": Label("専門家と団体ごとに、予定をカレンダーアプリで購読できる秘密のリンクを"
                        "発行します。リンクは発行した直後にだけ表示されます（保存されるのは"
                        "照合用の値だけです）。再発行すると前のリンクは使えなくなります。",
                        "Each expert and association gets a secret link their calendar app "
                        "subscribes to. The link is shown only right after it is issued (only a "
                        "hash is kept). Issuing again stops the previous link."),
    "subject": Label("対象", "For"),
    "feed_state": Label("配信の状態", "Feed"),
    "feed_active": Label("配信中", "active"),
    "feed_none": Label("未発行", "none"),
    "issued_at": Label("発行日時", "Issued"),
    "actions": Label("操作", "Actions"),
    "issue_feed": Label("リンクを発行", "Issue a link"),
    "rotate_feed": Label("再発行", "Issue a new link"),
    "revoke_feed": Label("停止", "Revoke"),
    "new_link": Label("新しい購読リンク", "New subscription link"),
    "new_link_once": Label("このリンクは今だけ表示されます。本人に送るか、QRコードを読み取って"
                           "もらってください。",
                           "This link is shown only now: send it to the subscriber or let them "
                           "scan the QR code."),
    "https_link": Label("https リンク（Google カレンダー、Outlook on the web）",
                        "https link (Google Calendar, Outlook on the web)"),
    "webcal_link": Label("webcal リンク（Apple カレンダー、Outlook）",
                         "webcal link (Apple Calendar, Outlook desktop)"),
    "qr_code": Label("購読リンクのQRコード", "QR code of the subscription link"),
    "revoked_msg": Label("リンクを停止しました。", "The link was revoked."),
    "experts_feeds": Label("専門家", "Experts"),
    "associations_feeds": Label("団体", "Associations"),
    # reports
    "reports": Label("報告", "Reports"),
    "totals": Label("合計", "Totals"),
    "item": Label("項目", "Item"),
    "count": Label("件数", "Count"),
    "category": Label("区分", "Category"),
    "download_xlsx": Label("Excel でダウンロード", "Download as Excel"),
    "download_csv": Label("CSV でダウンロード", "Download as CSV"),
    "chart": Label("グラフ", "Chart"),
    "no_schedule_yet": Label("スケジュールが未公開のため、計画の数値は空欄です。",
                             "No schedule is published yet, so the planned figures are blank."),
}
