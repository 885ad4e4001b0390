"""The words of the e-mail the service sends: Japanese first, English below."""

from __future__ import annotations

import datetime as dt

from domain.vocabulary import MODE_LABELS

WEEKDAYS_JA = "月火水木金土日"
SEPARATOR = "-" * 40
FOOTER_JA = "このメールは専門家派遣事業の日程管理システムから自動送信しています。"
FOOTER_EN = "This message was sent automatically by the programme's scheduling system."


def day_ja(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS_JA[day.weekday()]}）"


def day_en(day: dt.date) -> str:
    return day.strftime("%a %d %b %Y")


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def session_line_ja(day: dt.date, start: int, end: int, mode: str, title: str) -> str:
    return (f"・{day_ja(day)} {clock(start)}〜{clock(end)} {MODE_LABELS[mode].ja}"
            f"\n　{title}")


def session_line_en(day: dt.date, start: int, end: int, mode: str, title: str) -> str:
    return (f"- {day_en(day)} {clock(start)}-{clock(end)} {MODE_LABELS[mode].en}"
            f"\n  {title}")


def signature(contact: str | None) -> tuple[str, str]:
    if contact:
        return f"お問い合わせ：{contact}", f"Contact: {contact}"
    return ("お問い合わせは事務局までお願いします。",
            "Please contact the secretariat with any question.")


def invitation(name: str, programme: str, new_ja: list[str], new_en: list[str],
               gone_ja: list[str], gone_en: list[str], contact: str | None) -> tuple[str, str]:
    """The subject and text of one person's invitation e-mail."""
    if new_ja and gone_ja:
        subject = "【日程のお知らせ・中止】"
        subject_en = "Sessions scheduled and cancelled"
    elif new_ja:
        subject, subject_en = "【日程のお知らせ】", "Sessions scheduled"
    else:
        subject, subject_en = "【日程中止のお知らせ】", "Sessions cancelled"
    contact_ja, contact_en = signature(contact)
    ja = [f"{name} 様", "", f"{programme}の相談セッションについてお知らせします。", ""]
    if new_ja:
        ja += ["■ 新しい日程・変更された日程", *new_ja, ""]
    if gone_ja:
        ja += ["■ 中止になった日程", *gone_ja, ""]
    ja += ["カレンダーに取り込める招待（.ics）を添付しています。お使いのカレンダーで開くと、"
           "予定が追加・更新・削除されます。",
           "日程のご都合が合わない場合は事務局までご連絡ください。",
           "", contact_ja, FOOTER_JA]
    en = [f"Dear {name},", "", f"This is about your sessions of {programme}.", ""]
    if new_en:
        en += ["New or changed sessions:", *new_en, ""]
    if gone_en:
        en += ["Cancelled sessions:", *gone_en, ""]
    en += ["The attached calendar invitation (.ics) adds, updates or removes the sessions "
           "in your calendar.", "If a date does not suit you, please tell the secretariat.",
           "", contact_en, FOOTER_EN]
    return f"{subject}{programme} / {subject_en}", "\n".join([*ja, "", SEPARATOR, "", *en])


def session_reminder(name: str, programme: str, line_ja: str, line_en: str,
                     contact: str | None) -> tuple[str, str]:
    contact_ja, contact_en = signature(contact)
    ja = [f"{name} 様", "", f"{programme}の相談セッションが近づいています。", "", line_ja, "",
          contact_ja, FOOTER_JA]
    en = [f"Dear {name},", "", f"A session of {programme} is coming up:", "", line_en, "",
          contact_en, FOOTER_EN]
    return ("【リマインダー】相談セッションのご案内 / Reminder: your session",
            "\n".join([*ja, "", SEPARATOR, "", *en]))


def call_reminder(programme: str, calls: list[tuple[str, str, dt.date]]) -> tuple[str, str]:
    """To the secretariat: applications whose pre-interview call is due (id, name, due)."""
    ja = ["事務局各位", "", f"{programme}：事前ヒアリングの電話期限が近い申込があります。", ""]
    ja += [f"・{association_id} {name}（期限 {day_ja(due)}）" for association_id, name, due
           in calls]
    en = ["To the secretariat,", "", f"{programme}: pre-interview calls are due soon:", ""]
    en += [f"- {association_id} {name} (due {day_en(due)})" for association_id, name, due
           in calls]
    return ("【事前ヒアリング期限】電話連絡の期限が近い申込 / Pre-interview calls due",
            "\n".join([*ja, "", FOOTER_JA, "", SEPARATOR, "", *en, "", FOOTER_EN]))


def decision_letter(name: str, association: str, programme: str, accepted: bool,
                    decided_on: dt.date, contact: str | None) -> tuple[str, str]:
    """The e-mail that carries the decision letter (the PDF attached)."""
    contact_ja, contact_en = signature(contact)
    letter_ja = "実施決定通知書" if accepted else "審査結果のお知らせ（不採択）"
    decision_ja = ("専門家派遣の実施が決定しました。" if accepted
                   else "誠に残念ながら、今回は専門家派遣を実施しないこととなりました。"
                        "理由は添付の通知書に記載しています。")
    decision_en = ("the secretariat has decided to send experts to your association."
                   if accepted else "we regret that experts will not be sent to your "
                   "association this time; the attached letter gives the reason.")
    ja = [association, f"{name} 様", "",
          f"{programme}へのお申込みについて、{day_ja(decided_on)}付けで審査結果が出ました。",
          decision_ja, "", f"{letter_ja}（PDF）を添付しています。", "", contact_ja, FOOTER_JA]
    en = [f"Dear {name},", "",
          f"About {association}'s application to {programme}: on {day_en(decided_on)} "
          f"{decision_en}", "",
          "The decision letter (PDF, in Japanese) is attached.", "", contact_en, FOOTER_EN]
    subject_en = "Notice of decision" if accepted else "Result of your application"
    return (f"【{letter_ja}】{programme} / {subject_en}",
            "\n".join([*ja, "", SEPARATOR, "", *en]))


def report_reminder(name: str, programme: str, line_ja: str, line_en: str, due_on: dt.date,
                    late: bool, contact: str | None) -> tuple[str, str]:
    """To a session's lead expert: the report (支援実施報告書) is due soon, or late."""
    contact_ja, contact_en = signature(contact)
    if late:
        head_ja = (f"次の相談セッションの支援実施報告書の提出期限（{day_ja(due_on)}）が"
                   "過ぎています。")
        head_en = f"The report of this session was due on {day_en(due_on)} and is not filed:"
        subject = "【報告書提出期限超過】支援実施報告書のご提出 / Session report overdue"
    else:
        head_ja = f"次の相談セッションの支援実施報告書の提出期限は{day_ja(due_on)}です。"
        head_en = f"The report of this session is due on {day_en(due_on)}:"
        subject = "【報告書提出期限】支援実施報告書のご提出 / Session report due"
    ja = [f"{name} 様", "", f"{programme}：{head_ja}", "", line_ja, "",
          "お早めにご提出ください。すでにご提出の場合は行き違いですのでご容赦ください。",
          "", contact_ja, FOOTER_JA]
    en = [f"Dear {name},", "", f"{programme}: {head_en}", "", line_en, "",
          "Please file it soon; if you already have, please ignore this message.",
          "", contact_en, FOOTER_EN]
    return subject, "\n".join([*ja, "", SEPARATOR, "", *en])


def confirmation_reminder(name: str, programme: str, line_ja: str, line_en: str,
                          late: bool, contact: str | None) -> tuple[str, str]:
    """To the association: confirm that a reported session took place (従事証明)."""
    contact_ja, contact_en = signature(contact)
    subject = ("【ご確認のお願い（再送）】相談セッションの実施確認 / Reminder: please confirm "
               "your session" if late else
               "【ご確認のお願い】相談セッションの実施確認 / Please confirm your session")
    ja = [f"{name} 様", "",
          f"{programme}：専門家から次の相談セッションの実施報告が届いています。"
          "報告のとおり実施されたかご確認ください（従事証明）。",
          "", line_ja, "",
          *(["確認がまだ届いておりません。お手数ですがご確認をお願いします。", ""] if late
            else []), contact_ja, FOOTER_JA]
    en = [f"Dear {name},", "",
          f"{programme}: the expert has reported this session. Please confirm that it "
          "took place as reported.", "", line_en, "",
          *(["We have not received your confirmation yet.", ""] if late else []),
          contact_en, FOOTER_EN]
    return subject, "\n".join([*ja, "", SEPARATOR, "", *en])
