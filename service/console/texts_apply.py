"""What the online application (/apply) and the decision letters' pages say, Japanese
first; the legal forms and declarations in the programme page's own words."""

from __future__ import annotations

from domain.vocabulary import Label, LegalForm

# The programme page's ①-③ (対象団体), word for word.
LEGAL_FORM_WORDING: dict[LegalForm, Label] = {
    "sme_cooperative": Label(
        "① 中小企業団体の組織に関する法律（昭和32年法律第185号）第3条第1項に規定され、"
        "中小企業等を主たる組合員とする中小企業団体",
        "① An organization defined under Article 3, Paragraph 1 of the Act on the "
        "Organization of Small and Medium Enterprise Cooperatives (Act No. 185 of 1957), "
        "composed primarily of SMEs as its union members."),
    "general_incorporated": Label(
        "② 一般社団法人及び一般財団法人に関する法律（平成18年法律第48号）に規定する法人"
        "（公益社団法人及び公益財団法人の認定等に関する法律（平成18年法律第49号）に規定する"
        "法人を含む。）",
        "② A corporation as defined under the Act on General Incorporated Associations and "
        "General Incorporated Foundations (Act No. 48 of 2006), including corporations "
        "certified under the Act on Authorization of Public Interest Incorporated "
        "Associations and Public Interest Incorporated Foundations (Act No. 49 of 2006)."),
    "other_corporation": Label(
        "③ その他法人格を有するもので、中小企業等の会員を有し、その事業経営の充実等を"
        "図ることを目的とするもの",
        "③ Any other legal entity that has SME members and aims to enhance their business "
        "management and operations."),
}

# The programme page's requirements, one declaration each (keys of applications.ELIGIBILITY).
DECLARATIONS: dict[str, Label] = {
    "legal_form": Label(
        "主たる会員や組合員が業種別の企業等で構成される業界団体等で、上記①〜③のいずれかに"
        "該当します。",
        "We are an industry organization whose primary members consist of entities grouped "
        "by industry type, and we meet one of the criteria ①–③ above."),
    "tokyo_address": Label(
        "都内を活動範囲とし、都内に住所または主たる事務所があります。",
        "We operate within Tokyo and have our address or main office in Tokyo."),
    "no_tax_arrears": Label(
        "法人事業税、法人住民税、法人税、消費税等の滞納がありません。",
        "We have no overdue corporate enterprise tax, corporate inhabitant tax, corporate "
        "tax, consumption tax, etc."),
    "no_serious_violations": Label(
        "過去5年間に重大な法令違反等がありません。",
        "We have not committed any serious legal violations in the past five years."),
    "no_unpaid_metropolitan_tax": Label(
        "都税の未納がありません。", "We have no unpaid Tokyo metropolitan taxes."),
    "not_adult_entertainment": Label(
        "風俗営業等の規制及び業務の適正化等に関する法律（昭和23年法律第122号）第2条第5項に"
        "規定する性風俗関連特殊営業、当該営業に係る「接客業務受託営業」及びこれらに類する事業を"
        "行っていません。",
        "We are not engaged in adult entertainment businesses as defined in Article 2, "
        "Paragraph 5 of the Act on Control and Improvement of Amusement Business, including "
        "“customer service outsourcing businesses” related to them, or similar businesses."),
    "not_organized_crime": Label(
        "東京都暴力団排除条例（平成23年東京都条例第54号）第2条第2号に規定する暴力団に該当せず、"
        "代表者、役員又は使用人その他の労働者若しくは構成員が、同条第3号に規定する暴力団員及び"
        "同条第4号に規定する暴力団関係者に該当しません。",
        "We are not an organized crime group under Article 2, Item 2 of the Tokyo "
        "Metropolitan Ordinance for the Exclusion of Organized Crime Groups (Ordinance No. 54 "
        "of 2011), and none of our representatives, officers, employees or members is an "
        "organized crime member or related person under Items 3 and 4 of that article."),
    "not_harmful_group": Label(
        "公共の安全及び福祉を脅かす恐れのある団体に属する者又は信用度が極端に悪化している者では"
        "ありません。また、青少年の健全育成上ふさわしくない事業を行っていません。",
        "We are not affiliated with groups that threaten public safety and welfare, our "
        "credibility is not severely damaged, and we operate no business inappropriate for "
        "the sound development of youth."),
    "not_religious_political": Label(
        "宗教活動や政治活動を主たる目的としていません。",
        "Religious or political activity is not our primary purpose."),
    "labour_law_compliance": Label(
        "賃金や労働時間等に関する労働関係法令を遵守しています。",
        "We comply with labour laws, including those on wages and working hours."),
}

TEXTS: dict[str, Label] = {
    "apply_site": Label("団体向け専門家派遣 申込み", "Expert dispatch for organizations: "
                                                "application"),
    "apply_title": Label("専門家派遣のお申込み", "Apply for expert dispatch"),
    "apply_intro": Label(
        "カスタマーハラスメント防止対策マニュアルの作成を支援する専門家派遣（1団体につき最大5回、"
        "各回1〜2時間、無料）のお申込みフォームです。お申込み後、5営業日を目途に事務局から"
        "お電話でご連絡いたします（事前ヒアリング）。",
        "This form applies for the expert dispatch that supports your customer-harassment "
        "prevention manual (up to five sessions of 1-2 hours, free of charge). Within about "
        "five business days the secretariat will call you for a pre-interview."),
    "required_note": Label("すべての項目が必須です（所在地の番地以降を含む）。",
                           "Every field is required."),
    "apply_period": Label("申込受付期間", "Application period"),
    "window_not_yet": Label("お申込みの受付はまだ始まっていません。",
                            "Applications are not open yet."),
    "apply_window_closed": Label("お申込みの受付は終了しました。", "Applications are closed."),
    "window_closed_early": Label("お申込みの受付は終了しました（受付を締め切りました）。",
                                 "Applications are closed (closed early)."),
    "window_none": Label("現在、お申込みは受け付けていません。",
                         "Applications are not being accepted."),
    "window_opens": Label("受付開始日", "Opens on"),
    "window_closed_on": Label("受付終了日", "Closed on"),
    "section_association": Label("団体について", "Your organization"),
    "section_support": Label("ご希望の支援", "The support you would like"),
    "section_contact": Label("ご担当者", "Contact person"),
    "section_declarations": Label("対象団体の要件の確認", "Eligibility declarations"),
    "declarations_hint": Label("該当する場合はすべてにチェックしてください。",
                               "Tick each one that is true of your organization."),
    "apply_name": Label("団体名", "Organization name"),
    "apply_legal_form": Label("法人の種類（①〜③）", "Legal form (①–③)"),
    "apply_prefecture": Label("都道府県", "Prefecture"),
    "apply_city": Label("市区町村", "City or ward"),
    "apply_address": Label("所在地（町名・番地・建物名）", "Address (street, number, building)"),
    "apply_industry": Label("業種", "Industry"),
    "apply_industry_other": Label("その他", "Other"),
    "apply_member_count": Label("会員数（社・者）", "Number of members"),
    "apply_needs": Label("相談したい内容", "What you would like help with"),
    "apply_primary_need": Label("主な相談内容", "Main need"),
    "apply_other_needs": Label("その他の相談内容（任意・複数可）", "Other needs (optional)"),
    "apply_sessions_requested": Label("希望回数", "Sessions wanted"),
    "apply_sessions_unit": Label("回", "sessions"),
    "apply_session_minutes": Label("1回あたりの時間", "Length of a session"),
    "apply_minutes_unit": Label("分", "minutes"),
    "apply_mode": Label("実施方法", "How the sessions are held"),
    "apply_has_manual": Label("カスハラ対策マニュアルの有無", "An existing harassment manual"),
    "apply_has_manual_yes": Label("作成済み（内容の精査・改善提案を希望）",
                            "We have one (review and improvement)"),
    "apply_has_manual_no": Label("未作成", "We have none"),
    "apply_availability": Label("ご都合のよい曜日・時間帯", "Days and hours that suit you"),
    "apply_weekly": Label("ご都合のよい曜日・時間帯", "Days and hours that suit you"),
    "apply_availability_any": Label("平日の9時〜18時であればいつでも",
                              "Any time on weekdays, 9:00–18:00"),
    "apply_availability_grid": Label("下の表で選ぶ", "Choose in the table below"),
    "apply_availability_hint": Label("ご都合のよい時間帯にチェックしてください（1時間単位）。",
                               "Tick the hours that suit you (one hour each)."),
    "apply_contact_name": Label("ご担当者名", "Contact name"),
    "apply_contact_email": Label("メールアドレス", "E-mail address"),
    "apply_contact_phone": Label("電話番号", "Telephone"),
    "apply_contact_hint": Label("受付番号のお知らせと事前ヒアリングのご連絡に使います。",
                          "For the receipt and the pre-interview call."),
    "apply_choose": Label("選択してください", "Choose"),
    "submit_application": Label("申し込む", "Apply"),
    "apply_errors": Label("入力内容に誤りがあります。各項目をご確認ください。",
                          "Please correct the fields below."),
    "apply_too_many": Label("送信が続いたため、しばらくしてからお試しください。",
                            "Too many submissions from your address; try again later."),
    "received_title": Label("お申込みを受け付けました", "Application received"),
    "receipt_number": Label("受付番号", "Receipt number"),
    "receipt_keep": Label("受付番号はお問い合わせの際に必要です。お控えください。",
                          "Keep this number: quote it when you contact us."),
    "received_call": Label("事前ヒアリングのご連絡（目途）", "Pre-interview call by"),
    "received_on": Label("受付日時", "Received at"),
    "apply_receipt": Label("受付", "Receipt"),
    "apply_online": Label("オンライン申込み", "online application"),
    # Decision letters (pages_letters).
    "letters": Label("通知書", "Letters"),
    "letter_templates": Label("通知書のひな形", "Letter templates"),
    "letter_acceptance": Label("実施決定通知書", "Notice of decision (acceptance)"),
    "letter_rejection": Label("不採択通知書", "Notice of decision (rejection)"),
    "letter_download": Label("通知書（PDF）", "Letter (PDF)"),
    "letter_title": Label("表題", "Title"),
    "letter_body": Label("本文", "Body"),
    "letter_placeholders": Label("使える差し込み項目", "Placeholders"),
    "letter_preview": Label("見本を表示（PDF）", "Sample (PDF)"),
    "letter_reset": Label("既定の文面に戻す", "Back to the default wording"),
    "letter_admin_only": Label("ひな形の変更は管理者のみ行えます。",
                               "Only admins may change the templates."),
    "letter_no_decision": Label("通知書は実施決定または不採択の後に作成できます。",
                                "A letter exists once the application is accepted or "
                                "rejected."),
}
