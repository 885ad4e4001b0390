"""The secretariat's sheets: import, templates and plan export, as staff use them."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.checker import check_plan
from domain.loading import load_scenario, parse_scenario
from domain.plan import Plan
from domain.scenario import Scenario
from simulation.generator import generate_scenario
from spreadsheets import (
    SpreadsheetError,
    import_tables,
    plan_csvs,
    plan_workbook,
    read_csv,
    read_xlsx,
    template_csvs,
    template_workbook,
)
from spreadsheets.cells import CellProblem, parse_blocked, parse_dates, parse_weekly
from spreadsheets.columns import APPLICATION_SHEET, EXPERT_SHEET
from tests.greedy_plans import greedy_plan
from tests.paths import EXAMPLES

EXAMPLE = EXAMPLES / "tokyo-2025.json"
runner = CliRunner()


@pytest.fixture(scope="module")
def example() -> Scenario:
    return load_scenario(EXAMPLE)


def _without_records(scenario: Scenario) -> dict[str, Any]:
    """The example's programme and pinned sessions, with no experts or associations."""
    document = scenario.model_dump(mode="json", exclude_none=True)
    return {**document, "experts": [], "associations": []}


def _column_letter(sheet: Any, header: str) -> str:
    for cell in sheet[1]:
        if cell.value == header:
            return str(cell.column_letter)
    raise AssertionError(f"no column {header!r}")


# --- availability as staff type it ----------------------------------------------------


def test_weekly_windows_read_in_japanese_and_english() -> None:
    assert parse_weekly("月 10:00-12:00, 13:00-17:00; 水 09:00-12:00") == {
        "mon": [["10:00", "12:00"], ["13:00", "17:00"]], "wed": [["09:00", "12:00"]]}
    assert parse_weekly("月・金曜日 9:00〜12:00\nThursday １３:００-１５:００") == {
        "mon": [["09:00", "12:00"]], "fri": [["09:00", "12:00"]], "thu": [["13:00", "15:00"]]}
    assert parse_weekly("なし") == {}


def test_dated_windows_and_blocked_periods() -> None:
    assert parse_dates("2025/12/18 09:00-12:30; 2025-12-24 不可") == {
        "2025-12-18": [["09:00", "12:30"]], "2025-12-24": []}
    assert parse_blocked("2025-08-11~2025-08-15; 2025-12-24") == [
        {"start": "2025-08-11", "end": "2025-08-15"}, {"start": "2025-12-24", "end": "2025-12-24"}]


@pytest.mark.parametrize(("parser", "text", "words"), [
    (parse_weekly, "月 10-12", "時間帯ではありません"),
    (parse_weekly, "毎日 10:00-12:00", "曜日が読めません"),
    (parse_dates, "12/18 10:00-12:00", "日付で始まっていません"),
    (parse_dates, "2025-02-30 不可", "存在しない日付"),
    (parse_blocked, "2025-08-11 2025-08-12 2025-08-13", "期間ではありません"),
])
def test_unreadable_availability_is_named(parser: Any, text: str, words: str) -> None:
    with pytest.raises(CellProblem) as caught:
        parser(text)
    assert words in caught.value.ja
    assert caught.value.en


# --- round trips -----------------------------------------------------------------------


def test_example_round_trips_through_the_workbook(example: Scenario) -> None:
    data = template_workbook(example)
    result = import_tables(read_xlsx(data, "registry.xlsx"), _without_records(example))
    assert result.scenario == example
    assert result.imported == {"experts": 20, "associations": 60}
    assert parse_scenario(json.loads(json.dumps(result.document))) == example


def test_example_round_trips_through_csv(example: Scenario) -> None:
    files = template_csvs(example)
    assert all(data.startswith(b"\xef\xbb\xbf") for data in files.values())  # BOM for Excel
    tables = [read_csv(files["experts.csv"], EXPERT_SHEET, "experts.csv"),
              read_csv(files["applications.csv"], APPLICATION_SHEET, "applications.csv")]
    assert import_tables(tables, _without_records(example)).scenario == example


def test_english_headers_round_trip(example: Scenario) -> None:
    data = template_workbook(example, lang="en")
    assert import_tables(read_xlsx(data, "en.xlsx"), _without_records(example)).scenario == (
        example)


def test_csv_without_bom_and_in_shift_jis() -> None:
    text = template_csvs()["applications.csv"].decode("utf-8-sig")
    for data in (text.encode("utf-8"), text.encode("cp932")):
        table = read_csv(data, APPLICATION_SHEET, "applications.csv")
        association = import_tables([table]).scenario.associations[0]
        assert association.name == "東京都〇〇商店街振興組合連合会"
        assert association.mode == "either"


def test_rows_replace_base_records_by_id_and_keep_the_others(example: Scenario) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(example)))
    experts = book["専門家"]
    experts[f"{_column_letter(experts, '上限団体数')}2"] = 1
    experts.delete_rows(3, experts.max_row)
    del book["申込団体"]
    buffer = io.BytesIO()
    book.save(buffer)
    base = example.model_dump(mode="json", exclude_none=True)
    result = import_tables(read_xlsx(buffer.getvalue(), "one.xlsx"), base)
    first = example.experts[0].id
    assert result.scenario.expert_by_id[first].max_associations == 1
    assert len(result.scenario.experts) == len(example.experts)
    assert result.scenario.associations == example.associations


# --- bad cells are named, every row, nothing returned -----------------------------------


def _template_with_rows(edit: Any) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _copy_row(sheet: Any, to_row: int, record_id: str) -> None:
    for cell in sheet[2]:
        sheet.cell(row=to_row, column=cell.column, value=cell.value)
    sheet.cell(row=to_row, column=1, value=record_id)


def test_malformed_cells_are_named_for_every_row() -> None:
    def edit(book: Any) -> None:
        experts, applications = book["専門家"], book["申込団体"]
        for row in range(3, 7):
            _copy_row(experts, row, f"E00{row}")
        experts[f"{_column_letter(experts, '上限団体数')}3"] = "五"
        experts[f"{_column_letter(experts, '保有資格')}4"] = "社労士、弁護士"
        experts[f"{_column_letter(experts, '対応可能時間(毎週)')}5"] = "火 10:00-09:00"
        experts[f"{_column_letter(experts, '氏名')}6"] = None
        _copy_row(applications, 3, "A002")
        applications[f"{_column_letter(applications, '希望回数')}3"] = 6
        applications[f"{_column_letter(applications, '実施形式')}2"] = "電話"

    with pytest.raises(SpreadsheetError) as caught:
        import_tables(read_xlsx(_template_with_rows(edit), "bad.xlsx"), source="bad.xlsx")
    texts = [issue.text("ja") for issue in caught.value.sheet_issues]
    assert texts[0] == "専門家!行3 (E003) 上限団体数: 整数ではありません（五）"
    assert texts[1].startswith("専門家!行4 (E004) 保有資格: 「弁護士」は資格の一覧にありません")
    assert texts[2] == "専門家!行5 (E005) 対応可能時間(毎週): 終了 09:00 が開始 10:00 より前です"
    assert texts[3] == "専門家!行6 (E006) 氏名: 必須項目が空です"
    assert texts[4].startswith("申込団体!行2 (A001) 実施形式: 「電話」は実施形式の一覧にありません")
    # Cross-record rules still run on the rows that loaded.
    assert texts[5] == "申込団体!行3 (A002) 希望回数: 6回は事業の上限 5回を超えています"
    assert len(texts) == 6
    english = caught.value.sheet_issues[0].text("en")
    assert english == "専門家!row 3 (E003) Max associations: not an integer ('五')"
    rendered = caught.value.render()
    assert "6件のエラー" in rendered and english in rendered


def test_unknown_and_duplicate_headers_are_named() -> None:
    def edit(book: Any) -> None:
        experts = book["専門家"]
        experts.cell(row=1, column=experts.max_column + 1, value="趣味")
        experts.cell(row=1, column=experts.max_column + 1, value="name")
        experts.cell(row=1, column=experts.max_column + 1, value="備考")

    with pytest.raises(SpreadsheetError) as caught:
        import_tables(read_xlsx(_template_with_rows(edit), "h.xlsx"))
    texts = [issue.text("ja") for issue in caught.value.sheet_issues]
    assert texts[0].startswith("専門家!行1: 列「趣味」は使えません")
    assert texts[1] == "専門家!行1 氏名: 列が二つあります（「氏名」と「name」）"
    assert len(texts) == 2


def test_a_file_that_is_not_a_workbook_is_named() -> None:
    with pytest.raises(Exception, match="not an Excel workbook"):
        read_xlsx(b"PK not really", "x.xlsx")


# --- the template -------------------------------------------------------------------------


def test_template_has_notes_and_dropdowns() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames[:3] == ["専門家", "申込団体", "記入方法"]
    assert book["選択肢"].sheet_state == "hidden"
    notes = list(book["記入方法"].iter_rows(values_only=True))
    assert notes[0][:2] == ("シート", "列") and "Description" in notes[0]
    assert len(notes) - 1 == len(EXPERT_SHEET.columns) + len(APPLICATION_SHEET.columns)
    assert ("申込団体", "状況") in {(row[0], row[1]) for row in notes}

    applications = book["申込団体"]
    assert applications.freeze_panes == "A2"
    validated = {str(v.sqref).split(":")[0].rstrip("0123456789"): v
                 for v in applications.data_validations.dataValidation}
    for header in ("法人格", "状況", "支援ニーズ(主)", "実施形式", "マニュアル有無", "業種"):
        validation = validated[_column_letter(applications, header)]
        assert validation.type == "list" and "選択肢" in str(validation.formula1)
    status_list = validated[_column_letter(applications, "状況")].formula1
    column = str(status_list).split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    values = [book["選択肢"][f"{column}{row}"].value for row in range(2, 8)]
    assert values == ["受付", "ヒアリング済", "実施決定", "対象外", "取下げ", "支援完了"]
    assert validated[_column_letter(applications, "希望回数")].type == "whole"
    assert isinstance(applications[f"{_column_letter(applications, '申込日時')}2"].value,
                      dt.datetime)


def test_template_example_rows_import() -> None:
    result = import_tables(read_xlsx(template_workbook(), "template.xlsx"))
    assert [e.id for e in result.scenario.experts] == ["E001"]
    assert result.scenario.experts[0].qualifications == ["sharoushi", "career_consultant"]
    assert result.scenario.associations[0].needs == ["labour_law", "mental_health"]


# --- plan export -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planned() -> tuple[Scenario, Plan]:
    scenario = parse_scenario(generate_scenario(14, 5, seed=3, profile="scarce_experts"))
    plan = greedy_plan(scenario)
    assert check_plan(scenario, plan) == []
    assert plan.sessions and [u for u in plan.unserved if u.reason != "not_accepted"]
    return scenario, plan


def test_plan_workbook_has_every_session_schedule_and_unserved(
        planned: tuple[Scenario, Plan]) -> None:
    scenario, plan = planned
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(scenario, plan)))
    assert book.sheetnames[:2] == ["日程一覧", "未対応"]
    sessions = book["日程一覧"]
    assert sessions.freeze_panes == "A2"
    header = [cell.value for cell in sessions[1]]
    for title in ("団体ID", "団体名", "回", "フェーズ", "日付", "曜日", "開始", "終了", "形式",
                  "主担当専門家", "同行専門家"):
        assert title in header
    rows = list(sessions.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(plan.sessions)
    got = {(row[header.index("団体ID")], row[header.index("回")], row[header.index("日付")].date(),
            row[header.index("開始")].strftime("%H:%M")) for row in rows}
    expected = {(s.association_id, s.number, s.date, f"{s.start // 60:02d}:{s.start % 60:02d}")
                for s in plan.sessions}
    assert got == expected
    assert sessions.cell(row=2, column=header.index("日付") + 1).number_format == "yyyy-mm-dd"
    assert sessions.column_dimensions["B"].width > 10

    for expert in scenario.experts:
        title = next(name for name in book.sheetnames if name.startswith(expert.id + " "))
        schedule = list(book[title].iter_rows(min_row=2, values_only=True))
        assert len(schedule) == sum(expert.id in s.expert_ids for s in plan.sessions)

    unserved = list(book["未対応"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in unserved] == [u.association_id for u in plan.unserved]
    assert all(row[5] for row in unserved)  # the Japanese detail


def test_plan_csvs_one_per_expert(planned: tuple[Scenario, Plan]) -> None:
    scenario, plan = planned
    files = plan_csvs(scenario, plan)
    assert set(files) == {"sessions.csv", "unserved.csv",
                          *(f"expert-{e.id}.csv" for e in scenario.experts)}
    lines = files["sessions.csv"].decode("utf-8-sig").splitlines()
    assert lines[0].startswith("団体ID,団体名,回,フェーズ,日付,曜日,開始,終了")
    assert len(lines) == len(plan.sessions) + 1


# --- the commands ------------------------------------------------------------------------------


def test_template_import_export_commands(tmp_path: Path, planned: tuple[Scenario, Plan]) -> None:
    template = tmp_path / "template.xlsx"
    assert runner.invoke(app, ["template", "-o", str(template)]).exit_code == 0
    csv_dir = tmp_path / "csv"
    assert runner.invoke(app, ["template", "--csv", str(csv_dir)]).exit_code == 0
    out = tmp_path / "scenario.json"
    result = runner.invoke(app, ["import", "--experts", str(csv_dir / "experts.csv"),
                                 "--applications", str(csv_dir / "applications.csv"),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [e.id for e in load_scenario(out).experts] == ["E001"]

    scenario, plan = planned
    scenario_path, plan_path = tmp_path / "s.json", tmp_path / "p.json"
    scenario_path.write_text(scenario.model_dump_json(exclude_none=True), encoding="utf-8")
    plan_path.write_text(plan.model_dump_json(exclude_none=True), encoding="utf-8")
    xlsx = tmp_path / "plan.xlsx"
    result = runner.invoke(app, ["export", str(scenario_path), str(plan_path), "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "日程一覧"
    result = runner.invoke(app, ["export", str(scenario_path), str(plan_path), "--csv",
                                 str(tmp_path / "plan-csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plan-csv" / "sessions.csv").exists()


def test_import_of_bad_sheets_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    def edit(book: Any) -> None:
        experts = book["専門家"]
        experts[f"{_column_letter(experts, '1週上限回数')}2"] = "たくさん"

    book = tmp_path / "bad.xlsx"
    book.write_bytes(_template_with_rows(edit))
    out = tmp_path / "scenario.json"
    result = runner.invoke(app, ["import", str(book), "-o", str(out)])
    assert result.exit_code == 2
    assert "専門家!行2 (E001) 1週上限回数: 整数ではありません（たくさん）" in result.output
    assert "Max sessions per week: not an integer" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [book]


# --- contact details -----------------------------------------------------------------------


def _with_contacts(example: Scenario) -> Scenario:
    document = example.model_dump(mode="json", exclude_none=True)
    document["experts"][0]["email"] = "yamada@example.jp"
    document["associations"][0]["contact"] = {"name": "佐藤 一郎", "email": "sato@example.jp",
                                              "phone": "03-0000-0000"}
    document["associations"][1]["contact"] = {"email": "only-mail@example.jp"}
    return parse_scenario(document)


def test_contact_details_round_trip_through_the_workbook_and_csv(example: Scenario) -> None:
    contacts = _with_contacts(example)
    for lang in ("ja", "en"):
        data = template_workbook(contacts, lang=lang)
        assert import_tables(read_xlsx(data, "c.xlsx"), _without_records(contacts)).scenario \
            == contacts
    files = template_csvs(contacts)
    tables = [read_csv(files["experts.csv"], EXPERT_SHEET, "experts.csv"),
              read_csv(files["applications.csv"], APPLICATION_SHEET, "applications.csv")]
    assert import_tables(tables, _without_records(contacts)).scenario == contacts
    header = files["applications.csv"].decode("utf-8-sig").splitlines()[0]
    assert "担当者メールアドレス" in header and "担当者名" in header


def test_a_malformed_contact_address_is_named_with_its_column() -> None:
    def edit(book: Any) -> None:
        applications = book["申込団体"]
        applications[f"{_column_letter(applications, '担当者メールアドレス')}2"] = "sato at example"

    with pytest.raises(SpreadsheetError) as caught:
        import_tables(read_xlsx(_template_with_rows(edit), "bad.xlsx"), source="bad.xlsx")
    texts = [issue.text("ja") for issue in caught.value.sheet_issues]
    assert len(texts) == 1
    assert texts[0].startswith("申込団体!行2 (A001) 担当者メールアドレス:"), texts
    assert "「sato at example」はメールアドレスの形式ではありません" in texts[0]
    assert "not an e-mail address" in caught.value.sheet_issues[0].text("en")
