"""What the contact, notification and outbox pages say, Japanese first, English beside it.

Kept apart from ``texts.py`` (see ``texts_experts_feeds_reports``); ``texts.TEXTS`` takes
these in.
"""

from __future__ import annotations

from domain.vocabulary import Label

TEXTS: dict[str, Label] = {
    "outbox": Label("送信メール", "Outbox"),
    "contact_and_delivery": Label("連絡先と日程の通知", "Contact and notifications"),
    "contact_name": Label("担当者名", "Contact name"),
    "email": Label("メールアドレス", "E-mail address"),
    "phone": Label("電話番号", "Telephone"),
    "delivery": Label("日程の受け取り方", "How sessions reach them"),
    "delivery_invitations": Label("メールで招待（カレンダー招待）", "E-mailed invitations"),
    "delivery_feed": Label("カレンダーフィード（購読URL）のみ", "The calendar feed only"),
    "delivery_both": Label("招待とフィードの両方（予定が二重に表示されます）",
                           "Both (a calendar subscribed to the feed shows sessions twice)"),
    "delivery_hint": Label("未設定なら、メールアドレスがあれば招待をお送りします。",
                           "Unset: invitations wherever an address is known."),
    "delivery_now": Label("現在の設定", "Now"),
    "invitations_on": Label("招待メールを送ります", "Invitations are e-mailed"),
    "invitations_off": Label("招待メールは送りません", "No invitations are e-mailed"),
    "no_address": Label("メールアドレス未登録", "No address on record"),
    "contact_private": Label("連絡先は本人宛のメールと事務局にのみ使われ、他の方の予定や"
                             "メールには表示されません。",
                             "Contact details reach only this person's own messages and the "
                             "secretariat, never another party's calendar or e-mail."),
    "outbox_not_sending": Label("メールは送信されていません", "Mail is not being sent"),
    "outbox_sending": Label("SMTPサーバーへ送信中", "Mail is sent through the SMTP server"),
    "message_kind": Label("種類", "Kind"),
    "recipient": Label("宛先", "To"),
    "message_title": Label("件名", "Subject"),
    "attempts": Label("試行", "Attempts"),
    "last_error": Label("最後のエラー", "Last error"),
    "queued_at": Label("作成", "Queued"),
    "sent_at": Label("送信", "Sent"),
    "next_attempt": Label("次の試行", "Next attempt"),
    "retry": Label("再送する", "Send again"),
    "no_messages": Label("該当するメールはありません。", "No message."),
    "mail_queued": Label("送信待ち", "queued"),
    "mail_sending": Label("送信中", "sending"),
    "mail_sent": Label("送信済み", "sent"),
    "mail_failed": Label("送信失敗", "failed"),
    "kind_invitation": Label("日程の招待", "invitation"),
    "kind_reminder": Label("リマインダー", "reminder"),
    "kind_receipt": Label("申請の受付", "receipt"),
    "kind_decision": Label("決定通知", "decision"),
    "message_text": Label("本文", "Text"),
    "retried": Label("再送の予約をしました。", "Queued to be sent again."),
}
