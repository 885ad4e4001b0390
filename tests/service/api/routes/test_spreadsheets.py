"""The secretariat's sheets and the report over the API: template, import, export, report."""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from typing import Any

import openpyxl

from domain.loading import parse_scenario, scenario_sha256
from domain.plan import Plan
from domain.scenario import Scenario
from service.db.engine import transaction
from service.db.models import PlanRow
from spreadsheets import template_csvs, template_workbook
from tests.greedy_plans import greedy_plan
from tests.service_support import Api, example_document

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def state_of(document: dict[str, Any]) -> Scenario:
    """A scenario with its pinned sessions in the order the service exports them."""
    scenario = parse_scenario(document)
    return scenario.model_copy(update={"pinned": sorted(
        scenario.pinned, key=lambda s: (s.association_id, s.number))})


def put_scenario(api: Api, document: dict[str, Any]) -> None:
    response = api.send("PUT", "/api/v1/scenario", body=document)
    assert response.status_code == 200, response.text


def upload(api: Api, role: str = "staff", **files: tuple[str, bytes]) -> Any:
    return api.client.post("/api/v1/spreadsheets/import", headers=api.headers(role),
                           files={field: (name, data) for field, (name, data) in files.items()})


def publish_greedy_plan(api: Api) -> Plan:
    """The greedy plan of the current state, stored as a draft and published over the API."""
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    plan = greedy_plan(scenario)  # checked by check_plan
    with transaction(api.url) as db:
        row = PlanRow(status="draft", scenario=scenario.model_dump(mode="json", exclude_none=True),
                      scenario_sha256=scenario_sha256(scenario),
                      document=plan.model_dump(mode="json", exclude_none=True),
                      parameters={"method": "greedy"}, changes={}, created_by="test")
        db.add(row)
        db.flush()
        plan_id = row.id
    published = api.send("POST", f"/api/v1/plans/{plan_id}/publish")
    assert published.status_code == 200, published.text
    return plan


def test_the_filled_template_imports_to_the_example(api: Api) -> None:
    example = example_document()
    expected = state_of(example)
    # The state holds the example with every record changed; the sheets restore them.
    stale = copy.deepcopy(example)
    for expert in stale["experts"]:
        expert["max_associations"] += 1
    for association in stale["associations"]:
        association["member_count"] += 1
    put_scenario(api, stale)
    blank = api.get("/api/v1/spreadsheets/template")
    assert blank.status_code == 200 and blank.headers["content-type"] == XLSX
    names = openpyxl.load_workbook(io.BytesIO(blank.content)).sheetnames
    assert names[:3] == ["専門家", "申込団体", "記入方法"]

    response = upload(api, workbook=("registry.xlsx", template_workbook(expected)))
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["experts"], result["associations"]) == (20, 60)
    assert len(result["updated"]) == 80 and result["created"] == []
    assert state_of(api.get("/api/v1/scenario").json()) == expected

    # The same sheets again change nothing; each import was audited per record.
    again = upload(api, workbook=("registry.xlsx", template_workbook(expected))).json()
    assert (again["updated"], again["unchanged"]) == ([], 80)
    trail = api.get("/api/v1/audit?entity=expert&entity_id=E001", role="staff").json()
    assert [e["detail"]["source"] for e in trail if e["action"] == "update"] == ["registry.xlsx"]


def test_csv_template_and_csv_import_into_an_empty_database(api: Api) -> None:
    zipped = api.get("/api/v1/spreadsheets/template?format=csv&lang=en")
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert sorted(archive.namelist()) == ["applications.csv", "experts.csv", "notes.csv"]
        header = archive.read("experts.csv").decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Expert ID,")
    expected = parse_scenario(example_document())
    files = template_csvs(expected)
    response = upload(api, experts=("experts.csv", files["experts.csv"]),
                      applications=("applications.csv", files["applications.csv"]))
    assert response.status_code == 200, response.text
    assert len(response.json()["created"]) == 80
    state = parse_scenario(api.get("/api/v1/scenario").json())
    # No programme yet: the sheets start from the default Tokyo programme, as the CLI does.
    assert state.experts == expected.experts and state.associations == expected.associations


def test_bad_sheets_name_every_row_and_change_nothing(api: Api) -> None:
    put_scenario(api, example_document())
    before = api.get("/api/v1/scenario").json()
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(parse_scenario(before))))
    experts, applications = book["専門家"], book["申込団体"]
    columns = {cell.value: cell.column for cell in experts[1]}
    experts.cell(row=2, column=columns["上限団体数"], value="五")
    experts.cell(row=4, column=columns["上限団体数"], value=-1)
    experts.cell(row=5, column=columns["氏名"], value="別名で上書き")  # a good row: not written
    app_columns = {cell.value: cell.column for cell in applications[1]}
    applications.cell(row=3, column=app_columns["希望回数"], value=6)
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(api, workbook=("bad.xlsx", buffer.getvalue()))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    places = [(d["sheet"], d["row"], d["column"]) for d in detail]
    assert places == [("専門家", 2, "上限団体数"), ("専門家", 4, "上限団体数"),
                      ("申込団体", 3, "希望回数")]
    assert detail[0]["loc"] == ["body", "専門家", 2, "上限団体数"]
    assert "整数ではありません" in detail[0]["message"] and "not an integer" in detail[0][
        "message_en"]
    assert detail[2]["column_en"] and "max_sessions" in detail[2]["text_en"]
    assert api.get("/api/v1/scenario").json() == before

    not_a_workbook = upload(api, workbook=("notes.xlsx", b"just text"))
    assert not_a_workbook.status_code == 422
    assert "not an Excel workbook" in not_a_workbook.json()["detail"][0]["msg"]
    assert upload(api).status_code == 422  # no file at all
    assert api.get("/api/v1/scenario").json() == before


def test_viewer_reads_but_cannot_import(api: Api) -> None:
    put_scenario(api, example_document())
    before = api.get("/api/v1/scenario").json()
    data = template_workbook(parse_scenario(example_document()))
    assert upload(api, role="viewer", workbook=("registry.xlsx", data)).status_code == 403
    assert api.get("/api/v1/spreadsheets/template?filled=true").status_code == 200
    assert api.get("/api/v1/reports").status_code == 200
    assert api.get("/api/v1/scenario").json() == before


def test_plan_exports_open_in_excel_and_as_csv(api: Api) -> None:
    put_scenario(api, example_document())
    plan = publish_greedy_plan(api)
    plan_id = api.get("/api/v1/plans").json()[0]["id"]
    workbook = api.get(f"/api/v1/plans/{plan_id}/export.xlsx")
    assert workbook.status_code == 200 and workbook.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames[:2] == ["日程一覧", "未対応"]
    assert book["日程一覧"].max_row == 1 + len(plan.sessions)

    lead = plan.sessions[0].lead_id
    own = [s for s in plan.sessions if lead in s.expert_ids]
    one = api.get(f"/api/v1/plans/{plan_id}/export.xlsx?expert_id={lead}")
    sheet = openpyxl.load_workbook(io.BytesIO(one.content)).worksheets[0]
    assert sheet.max_row == 1 + len(own) and sheet.title.startswith(lead)

    text = api.get(f"/api/v1/plans/{plan_id}/export.csv?expert_id={lead}&lang=en")
    assert text.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Date" and len(rows) == 1 + len(own)
    archive = zipfile.ZipFile(io.BytesIO(api.get(f"/api/v1/plans/{plan_id}/export.csv").content))
    assert {"sessions.csv", "unserved.csv", f"expert-{lead}.csv"} <= set(archive.namelist())
    assert api.get(f"/api/v1/plans/{plan_id}/export.csv?expert_id=E999").status_code == 404
    assert api.get("/api/v1/plans/999/export.xlsx").status_code == 404


def test_report_totals_match_the_schedule(api: Api) -> None:
    document = example_document()
    put_scenario(api, document)
    empty = api.get("/api/v1/reports").json()
    pinned = len(document["pinned"])
    assert empty["totals"]["applications"] == len(document["associations"])
    assert empty["totals"]["sessions_planned"] == pinned
    plan = publish_greedy_plan(api)
    session = api.get("/api/v1/sessions").json()[0]
    etag = api.get(f"/api/v1/sessions/{session['id']}").headers["ETag"]
    held = api.send("POST", f"/api/v1/sessions/{session['id']}/held", if_match=etag,
                    body={"record": "実施済み"})
    assert held.status_code == 200, held.text

    report = api.get("/api/v1/reports").json()
    totals = report["totals"]
    accepted = [a for a in document["associations"]
                if a["status"] in ("accepted", "completed")]
    assert totals["accepted"] == len(accepted)
    assert totals["sessions_planned"] == len(plan.sessions)
    assert totals["planned"] == len({s.association_id for s in plan.sessions})
    assert totals["unserved"] == len(accepted) - totals["planned"]
    assert (totals["sessions_held"], totals["served"]) == (1, 1)
    by_month = next(t for t in report["tables"] if t["name"] == "by_session_month")
    assert sum(r["values"]["sessions_planned"] or 0 for r in by_month["rows"]) == len(
        plan.sessions)

    exported = api.get("/api/v1/reports.csv")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    figures = {row[0]: row[1] for row in rows if len(row) == 2}
    assert figures["派遣予定回数 (Sessions planned)"] == str(len(plan.sessions))
    assert figures["派遣実施回数 (Sessions held)"] == "1"


def test_an_import_keeps_the_schedule_and_the_screening(api: Api) -> None:
    document = example_document()
    put_scenario(api, document)
    publish_greedy_plan(api)
    received = next(a["id"] for a in document["associations"] if a["status"] == "received")
    checked = api.send("PUT", f"/api/v1/associations/{received}/eligibility/tokyo_address",
                       body={"passed": True, "note": "登記事項証明書で確認"})
    assert checked.status_code == 200, checked.text
    schedule = api.get("/api/v1/sessions").json()
    application = api.get(f"/api/v1/associations/{received}/application").json()

    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    renamed = scenario.model_copy(update={"experts": [
        e.model_copy(update={"name": "改姓 " + e.name}) for e in scenario.experts]})
    response = upload(api, workbook=("registry.xlsx", template_workbook(renamed)))
    assert response.status_code == 200, response.text
    assert len(response.json()["updated"]) == len(scenario.experts)
    assert api.get("/api/v1/sessions").json() == schedule
    assert api.get(f"/api/v1/associations/{received}/application").json() == application
    names = {e["id"]: e["name"] for e in api.get("/api/v1/experts").json()}
    assert all(name.startswith("改姓 ") for name in names.values())


def with_cell_text(workbook: bytes, placeholder: str, replacement: str) -> bytes:
    """``workbook`` with one cell's text swapped, compressed as Excel would: a small
    file that unpacks to ``replacement`` whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".xml"):
                data = data.replace(placeholder.encode(), replacement.encode())
            target.writestr(info.filename, data)
    return out.getvalue()


def expert_sheet_with(cell: str, value: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "専門家"
    sheet.append(["ID", "氏名"])
    sheet.append(["E900", "名前"])
    sheet[cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(server: Api) -> None:
    put_scenario(server, example_document())
    before = server.get("/api/v1/scenario").json()
    bomb = with_cell_text(expert_sheet_with("B2", "BOMB"), "BOMB", "x" * 100_000_000)
    assert len(bomb) < 1_000_000
    answer = upload(server, workbook=("bomb.xlsx", bomb))
    assert answer.status_code == 422, answer.text[:300]
    assert "bytes a workbook may" in answer.json()["detail"][0]["msg"]
    assert len(answer.content) < 2000  # names the limit, repeats nothing of the file
    assert server.get("/api/v1/scenario").json() == before


def test_cells_past_what_excel_holds_are_named_with_an_excerpt(api: Api) -> None:
    put_scenario(api, example_document())
    before = api.get("/api/v1/scenario").json()
    too_long = upload(api, workbook=("long.xlsx", with_cell_text(
        expert_sheet_with("B2", "LONG"), "LONG", "名" * 40_000)))
    assert too_long.status_code == 422, too_long.text[:300]
    problem = too_long.json()["detail"][0]
    assert problem["loc"][-1] == "専門家!B2" and "32,767" in problem["msg"]
    assert len(too_long.content) < 2000
    # Long but within a cell: the field's own limit, named on its row and column.
    named = upload(api, workbook=("name.xlsx", expert_sheet_with("B2", "名" * 5_000)))
    assert named.status_code == 422
    problems = [p for p in named.json()["detail"] if p["column"] == "氏名"]
    assert problems and "200" in problems[0]["message_en"], named.text[:500]
    assert len(named.content) < 10_000
    assert api.get("/api/v1/scenario").json() == before


def test_a_sheet_past_the_cell_limit_is_refused(database_url: str) -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.service_support import make_tokens, settings_for

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "専門家"
    for row in range(30):
        sheet.append([f"{row}-{column}" for column in range(10)])
    buffer = io.BytesIO()
    book.save(buffer)
    with TestClient(create_app(settings_for(database_url, max_sheet_cells=100))) as client:
        token = make_tokens(database_url)["staff"]
        answer = client.post("/api/v1/spreadsheets/import",
                             headers={"Authorization": f"Bearer {token}"},
                             files={"workbook": ("many.xlsx", buffer.getvalue())})
    assert answer.status_code == 422, answer.text
    assert "more than 100 cells" in answer.json()["detail"][0]["msg"]


def test_names_at_their_limit_survive_the_round_trip_and_longer_ones_are_refused(
        api: Api) -> None:
    from domain.limits import ADDRESS_LENGTH, NAME_LENGTH

    put_scenario(api, example_document())
    read = api.get("/api/v1/experts/E001")
    longest = {**read.json(), "name": "名" * NAME_LENGTH, "base_area": "区" * 100}
    refused = api.send("PUT", "/api/v1/experts/E001", if_match=read.headers["ETag"],
                       body={**longest, "name": "名" * 100_000})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "name"]
    assert len(refused.content) < 1000
    assert api.send("PUT", "/api/v1/experts/E001", if_match=read.headers["ETag"],
                    body=longest).status_code == 200
    association = api.get("/api/v1/associations/A001")
    stored = api.send("PUT", "/api/v1/associations/A001", if_match=association.headers["ETag"],
                      body={**association.json(), "name": "団" * NAME_LENGTH,
                            "address": "住" * ADDRESS_LENGTH})
    assert stored.status_code == 200, stored.text[:300]
    filled = api.get("/api/v1/spreadsheets/template?filled=true")
    again = upload(api, workbook=("filled.xlsx", filled.content))
    assert again.status_code == 200, again.text[:500]
    assert again.json()["updated"] == [] and again.json()["created"] == []
    assert api.get("/api/v1/experts/E001").json()["name"] == "名" * NAME_LENGTH
