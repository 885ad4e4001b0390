"""What the payments pages say, Japanese first, English beside it (``texts.TEXTS`` takes
these in)."""

from __future__ import annotations

from domain.vocabulary import Label

TEXTS: dict[str, Label] = {
    "payments": Label("支払", "Payments"),
    "payments_intro": Label(
        "承認済みの実施回から月ごとに謝金・交通費・源泉徴収税額を計算し、締めます。"
        "締めた月は変更できません（訂正は後の月の調整として支払います）。",
        "Fees, travel and tax withheld per payee, from a month's approved sessions. A "
        "closed month cannot change: a correction is an adjustment paid in a later month."),
    "closed_months": Label("締めた月", "Closed months"),
    "no_closed_months": Label("締めた月はまだありません。", "No month is closed yet."),
    "month": Label("対象月", "Month"),
    "pay_on": Label("振込日", "Transfer date"),
    "pay_on_hint": Label("空欄なら翌月の最終営業日", "Blank: the last business day of the "
                                              "next month"),
    "payees_count": Label("支払先数", "Payees"),
    "fee": Label("謝金", "Fee"),
    "travel_paid": Label("交通費", "Travel"),
    "adjustment": Label("調整", "Adjustment"),
    "gross": Label("支払金額", "Paid"),
    "withholding": Label("源泉徴収税額", "Tax withheld"),
    "net": Label("差引振込額", "Net transfer"),
    "downloads": Label("ダウンロード", "Downloads"),
    "statements_xlsx": Label("支払明細書（Excel）", "Statements (Excel)"),
    "statements_pdf": Label("支払明細書（PDF）", "Statements (PDF)"),
    "transfer_file": Label("総合振込ファイル（全銀）", "Transfer file (Zengin)"),
    "close_a_month": Label("月を締める", "Close a month"),
    "month_sessions_hint": Label(
        "その月に実施され、承認済みでまだ支払っていない実施回を自動で集計します。"
        "締めると各回は「支払済」になります。",
        "The month's approved, unpaid sessions are taken as they are; closing marks each "
        "of them paid."),
    "sessions_paid": Label("支払う実施回", "Sessions paid"),
    "preview": Label("試算する", "Preview"),
    "preview_of": Label("試算", "Preview"),
    "preview_note": Label("まだ締めていません。内容を確かめてから締めてください。",
                          "Not closed yet: check it, then close the month."),
    "close_month": Label("この内容で締める", "Close the month as shown"),
    "admin_closes": Label("月を締めるのは管理者です。", "An admin closes the month."),
    "closed_msg": Label("締めました。", "Closed."),
    "payee": Label("支払先", "Payee"),
    "payees": Label("支払先と口座", "Payees and accounts"),
    "payee_type": Label("区分", "Type"),
    "individual": Label("個人", "Individual"),
    "corporate": Label("法人", "Corporate"),
    "account": Label("口座", "Account"),
    "no_payee": Label("未登録", "not set"),
    "edit_payee": Label("口座を設定", "Set the account"),
    "bank_code": Label("銀行コード（4桁）", "Bank code (4 digits)"),
    "bank_name": Label("銀行名（カナ）", "Bank name (kana)"),
    "branch_code": Label("支店コード（3桁）", "Branch code (3 digits)"),
    "branch_name": Label("支店名（カナ）", "Branch name (kana)"),
    "account_type": Label("預金種目", "Account type"),
    "ordinary": Label("普通", "Ordinary (普通)"),
    "current": Label("当座", "Current (当座)"),
    "account_number": Label("口座番号（7桁）", "Account number (7 digits)"),
    "holder_name": Label("口座名義（カナ）", "Account holder (kana)"),
    "holder_hint": Label("全角カナ・ひらがなは半角カナに変換します（小さい文字は大きく）。",
                         "Full-width katakana and hiragana become half-width (small kana "
                         "written large)."),
    "admin_only_account": Label("口座番号の全体は管理者だけが見られます。",
                                "Only admins see whole account numbers."),
    "total": Label("合計", "Total"),
    "yearly": Label("年間の支払（支払調書）", "Yearly totals (for the tax return)"),
    "year": Label("年", "Year"),
    "months_paid": Label("支払月", "Months paid"),
    "yearly_xlsx": Label("年間集計（Excel）", "Yearly totals (Excel)"),
    "sessions_n": Label("回数", "Sessions"),
}
