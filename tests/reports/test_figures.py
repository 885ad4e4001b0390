"""The programme's report: totals and breakdowns against counts made here independently."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from domain.checker import check_plan
from domain.errors import InputError
from domain.loading import load_scenario, parse_scenario
from domain.plan import Plan
from domain.report import HeldSession, Report
from domain.scenario import Scenario
from reports import ReportInput, build_report
from simulation.generator import generate_scenario
from simulation.profiles import PROFILES
from spreadsheets import read_held, report_csv
from tests.greedy_plans import greedy_plan
from tests.paths import EXAMPLES

EXAMPLE = EXAMPLES / "tokyo-2025.json"
runner = CliRunner()


def _table(report: Report, name: str) -> dict[str, dict[str, int | None]]:
    table = next(t for t in report.tables if t.name == name)
    return {row.key: row.values for row in table.rows}


def _column_sum(rows: dict[str, dict[str, int | None]], column: str) -> int:
    return sum(values[column] or 0 for values in rows.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    associations=st.integers(min_value=0, max_value=16),
    experts=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=10_000),
    profile=st.sampled_from(sorted(PROFILES)),
    held_share=st.floats(min_value=0.0, max_value=1.0),
)
def test_report_counts_match_an_independent_count(
        associations: int, experts: int, seed: int, profile: str, held_share: float) -> None:
    scenario = parse_scenario(generate_scenario(associations, experts, seed, profile))
    plan = greedy_plan(scenario)
    assert check_plan(scenario, plan) == []
    sessions = sorted(plan.sessions, key=lambda s: (s.date, s.start, s.association_id))
    held_sessions = sessions[: round(len(sessions) * held_share)]
    held = [HeldSession(s.association_id, s.number) for s in held_sessions]

    report = build_report(ReportInput(scenario, plan, held))

    # Counted here from the records, without the report's code.
    by_id = {a.id: a for a in scenario.associations}
    accepted = [a for a in scenario.associations if a.status in ("accepted", "completed")]
    planned = {s.association_id for s in plan.sessions}
    served = {s.association_id for s in held_sessions}
    completed = {a for a in served
                 if sum(s.association_id == a for s in held_sessions)
                 == by_id[a].sessions_requested}
    totals = report.totals
    assert totals["applications"] == len(scenario.associations)
    assert totals["accepted"] == len(accepted)
    assert totals["planned"] == len(planned)
    assert totals["unserved"] == len({a.id for a in accepted} - planned)
    assert totals["planned"] == plan.stats.served
    assert totals["sessions_planned"] == len(plan.sessions)
    assert totals["served"] == len(served)
    assert totals["completed"] == len(completed)
    assert totals["sessions_held"] == len(held_sessions)

    # Every breakdown adds up to the totals.
    zone = zoneinfo.ZoneInfo(scenario.programme.timezone)
    by_month = _table(report, "by_application_month")
    for column in ("applications", "accepted", "planned", "served"):
        assert _column_sum(by_month, column) == totals[column]
    for association in scenario.associations:
        month = association.applied_at.astimezone(zone).strftime("%Y-%m")
        assert (by_month[month]["applications"] or 0) >= 1
    session_months = _table(report, "by_session_month")
    assert _column_sum(session_months, "sessions_planned") == len(plan.sessions)
    assert _column_sum(session_months, "sessions_held") == len(held_sessions)
    for session in plan.sessions:
        assert session_months[session.date.strftime("%Y-%m")]["sessions_planned"]
    industries = _table(report, "by_industry")
    for column in ("applications", "accepted", "planned", "served", "sessions_planned",
                   "sessions_held"):
        assert _column_sum(industries, column) == totals[column]
    statuses = _table(report, "by_status")
    assert _column_sum(statuses, "applications") == len(scenario.associations)

    qualifications = _table(report, "by_qualification")
    for key, values in qualifications.items():
        holders = {e.id for e in scenario.experts if key in e.qualifications}
        assert values["experts"] == len(holders)
        assert values["sessions_planned"] == sum(
            1 for s in plan.sessions if set(s.expert_ids) & holders)
        assert values["sessions_held"] == sum(
            1 for s in held_sessions if set(s.expert_ids) & holders)
        assert values["associations_led"] == len(
            {s.association_id for s in plan.sessions if s.lead_id in holders})

    json.dumps(report.model_dump(mode="json"))  # JSON-ready


def test_without_plan_or_held_the_figures_are_absent() -> None:
    scenario = load_scenario(EXAMPLE)
    report = build_report(ReportInput(scenario))
    assert report.totals["applications"] == 60 and report.totals["accepted"] == 58
    assert report.totals["planned"] is None and report.totals["sessions_held"] is None
    assert not report.has_plan and not report.has_held
    text = report_csv(report).decode("utf-8-sig")
    assert "派遣予定団体数 (Associations planned)," in text  # blank, not zero


@pytest.fixture(scope="module")
def example_plan() -> tuple[Scenario, Plan]:
    scenario = load_scenario(EXAMPLE)
    plan = greedy_plan(scenario)
    assert check_plan(scenario, plan) == []
    return scenario, plan


def test_held_sessions_are_checked_and_errors_named(example_plan: tuple[Scenario, Plan]) -> None:
    scenario, plan = example_plan
    bad = [HeldSession("A999", 1), HeldSession("A001", 9), HeldSession("A001", 1),
           HeldSession("A001", 1)]
    with pytest.raises(InputError) as caught:
        build_report(ReportInput(scenario, plan, bad, source="held.csv"))
    assert [str(issue) for issue in caught.value.issues] == [
        "held[0] (A999 #1): unknown association 'A999'",
        "held[1] (A001 #9): session 9 is outside 1..5 (sessions_requested)",
        "held[3] (A001 #1): this session is listed twice",
    ]
    # Without a plan a held session needs its date; the pinned ones have theirs.
    pinned = scenario.pinned[0]
    report = build_report(ReportInput(scenario, None, [HeldSession(pinned.association_id, 1)]))
    assert report.totals["sessions_held"] == 1
    unpinned = next(a.id for a in scenario.accepted
                    if a.id not in {p.association_id for p in scenario.pinned})
    with pytest.raises(InputError, match="give the date it was held"):
        build_report(ReportInput(scenario, None, [HeldSession(unpinned, 1)]))


def test_held_files_in_csv_and_json() -> None:
    csv_text = "団体ID,回,実施日\nA001,1,2025/07/28\nA004,2,\n"
    assert read_held(csv_text.encode("utf-8-sig"), "held.csv") == [
        HeldSession("A001", 1, dt.date(2025, 7, 28)),
        HeldSession("A004", 2)]
    data = json.dumps([{"association_id": "A001", "number": 1}]).encode()
    assert read_held(data, "held.json") == [HeldSession("A001", 1)]
    with pytest.raises(InputError) as caught:
        read_held("団体ID,回\nA001,一\n".encode(), "held.csv")
    assert str(caught.value.issues[0]).startswith("行2 (line 2): 整数ではありません")


def test_a_held_csv_is_named_by_its_line_numbers(tmp_path: Path,
                                                 example_plan: tuple[Scenario, Plan]) -> None:
    """A spreadsheet user counts lines (the header is line 1), not places in a list."""
    _, plan = example_plan
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan.model_dump_json(exclude_none=True), encoding="utf-8")
    held = tmp_path / "held.csv"
    held.write_text("団体ID,回\nA001,1\n\nA999,1\nA001,1\n", encoding="utf-8")
    result = runner.invoke(app, ["report", str(EXAMPLE), str(plan_path), "--held", str(held)])
    assert result.exit_code == 2
    assert "行4 (line 4) (A999 #1): unknown association 'A999'" in result.output
    assert "行5 (line 5) (A001 #1): this session is listed twice" in result.output
    assert "held[" not in result.output


def test_report_command(tmp_path: Path, example_plan: tuple[Scenario, Plan]) -> None:
    _, plan = example_plan
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan.model_dump_json(exclude_none=True), encoding="utf-8")
    held = tmp_path / "held.csv"
    first = min(plan.sessions, key=lambda s: s.date)
    held.write_text(f"団体ID,回\n{first.association_id},{first.number}\n", encoding="utf-8")
    out = tmp_path / "report.csv"
    result = runner.invoke(app, ["report", str(EXAMPLE), str(plan_path), "--held", str(held),
                                 "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = text.decode("utf-8-sig").splitlines()
    assert "派遣実施回数 (Sessions held),1" in lines
    assert "業種別,By industry" in lines

    result = runner.invoke(app, ["report", str(EXAMPLE), str(plan_path)])
    assert result.exit_code == 0
    assert json.loads(result.output)["totals"]["sessions_planned"] == len(plan.sessions)

    held.write_text("団体ID,回\nA999,1\n", encoding="utf-8")
    bad_out = tmp_path / "bad.json"
    result = runner.invoke(app, ["report", str(EXAMPLE), str(plan_path), "--held", str(held),
                                 "-o", str(bad_out)])
    assert result.exit_code == 2
    assert "unknown association 'A999'" in result.output
    assert not bad_out.exists()


def test_outcomes_are_counted_by_month_industry_and_qualification() -> None:
    from domain.report import ManualOutcome, Outcomes, SessionOutcome
    from tests.scenarios import association, expert, scenario

    loaded = scenario(
        [expert("E1"), expert("E2", qualifications=["industrial_counselor"])],
        [association("A1"), association("A2", industry="food_service")])
    day = dt.date(2025, 9, 2)
    outcomes = Outcomes(sessions=[
        SessionOutcome(association_id="A1", number=1, state="approved", date=day,
                       expert_ids=["E1", "E2"], report_late=True, rating=5),
        SessionOutcome(association_id="A1", number=2, state="confirmed",
                       date=dt.date(2025, 10, 1), expert_ids=["E1"], rating=2),
        SessionOutcome(association_id="A2", number=1, state="no_show", date=day,
                       expert_ids=["E2"]),
        SessionOutcome(association_id="A2", number=1, state="cancelled", date=day,
                       expert_ids=["E2"]),
    ], manuals=[ManualOutcome(association_id="A1", completed=True,
                              completed_on=dt.date(2025, 10, 20)),
                ManualOutcome(association_id="A2", completed=False)])
    report = build_report(ReportInput(loaded, outcomes=outcomes))
    assert report.has_outcomes
    assert {key: report.totals[key] for key in (
        "no_shows", "cancellations", "reports_late", "ratings", "rating_average", "satisfied",
        "manuals_completed")} == {"no_shows": 1, "cancellations": 1, "reports_late": 1,
                                  "ratings": 2, "rating_average": 3.5, "satisfied": 1,
                                  "manuals_completed": 1}
    tables = {t.name: t for t in report.tables}
    month = {r.key: r.values for r in tables["outcomes_by_month"].rows}
    assert month["2025-09"]["ratings"] == 1 and month["2025-09"]["no_shows"] == 1
    assert month["2025-10"]["rating_average"] == 2.0
    assert month["2025-10"]["manuals_completed"] == 1
    industry = {r.key: r.values for r in tables["outcomes_by_industry"].rows}
    assert industry["food_service"]["cancellations"] == 1
    assert industry["food_service"]["manuals_completed"] == 0
    assert industry["retail"]["manuals_completed"] == 1
    kinds = {r.key: r.values for r in tables["outcomes_by_qualification"].rows}
    # E2 joined one session of A1 and was the expert of both of A2's called off.
    assert kinds["industrial_counselor"]["ratings"] == 1
    assert kinds["industrial_counselor"]["no_shows"] == 1
    assert kinds["sharoushi"]["manuals_completed"] == 1  # E1 led A1
    assert kinds["industrial_counselor"]["manuals_completed"] == 0
    # Without outcomes the report is as before, without their figures.
    plain = build_report(ReportInput(loaded))
    assert not plain.has_outcomes and "no_shows" not in plain.totals
    assert "outcomes_by_month" not in {t.name for t in plain.tables}
    for lang in ("ja", "en"):
        _sheets_open_in_excel(report, lang)


def _sheets_open_in_excel(report: Report, lang: str) -> None:
    """Excel refuses a sheet name over 31 characters (openpyxl only warns): every name
    fits and is unique, and a title cut to fit is still written in full in its sheet."""
    import io
    import warnings

    from openpyxl import load_workbook

    from spreadsheets import report_workbook
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl's "Title is more than 31 characters"
        data = report_workbook(report, lang)
    book = load_workbook(io.BytesIO(data), read_only=True)
    names = book.sheetnames
    assert all(len(name) <= 31 for name in names) and len(set(names)) == len(names)
    titles = [t.title_en if lang == "en" else t.title for t in report.tables]
    assert len(names) == 1 + len(titles)
    for name, title in zip(names[1:], titles, strict=True):
        cells = {cell for row in book[name].iter_rows(values_only=True) for cell in row}
        assert name == title or title in cells, (name, title)
    assert "Outcomes by expert qualification" in titles or lang == "ja"


def test_what_was_paid_is_summed_by_month_closed_industry_and_qualification() -> None:
    from domain.report import Outcomes, PaidSession, PaymentOutcome
    from tests.scenarios import association, expert, scenario

    loaded = scenario(
        [expert("E1"), expert("E2", qualifications=["industrial_counselor", "sharoushi"])],
        [association("A1"), association("A2", industry="food_service")])

    def line(association_id: str, number: int, fee: int, travel: int) -> PaidSession:
        return PaidSession(association_id=association_id, number=number,
                           date=dt.date(2025, 9, number), fee_yen=fee, travel_yen=travel)

    payments = [
        PaymentOutcome(month="2025-09", expert_id="E1",
                       sessions=[line("A1", 1, 30_000, 1_240), line("A2", 1, 15_000, 0)],
                       fee_yen=45_000, travel_yen=1_240, withholding_yen=4_721,
                       net_yen=41_519),
        PaymentOutcome(month="2025-10", expert_id="E2", sessions=[line("A2", 2, 25_000, 980)],
                       fee_yen=25_000, travel_yen=980, adjustment_yen=500,
                       withholding_yen=2_703, net_yen=23_777),
    ]
    report = build_report(ReportInput(loaded, outcomes=Outcomes(payments=payments)))
    assert {key: report.totals[key] for key in (
        "fees_paid", "travel_paid", "withholding", "adjustments", "net_paid")} == {
        "fees_paid": 70_000, "travel_paid": 2_220, "withholding": 7_424, "adjustments": 500,
        "net_paid": 65_296}
    tables = {t.name: t for t in report.tables}
    month = {r.key: r.values for r in tables["payments_by_month"].rows}
    assert list(month) == ["2025-09", "2025-10"]
    assert month["2025-10"] == {"fees_paid": 25_000, "travel_paid": 980,
                                "withholding": 2_703, "adjustments": 500, "net_paid": 23_777}
    industry = {r.key: r.values for r in tables["payments_by_industry"].rows}
    assert industry["food_service"]["fees_paid"] == 40_000  # E1's A2 #1 and E2's A2 #2
    assert industry["retail"]["travel_paid"] == 1_240
    assert industry["retail"]["withholding"] is None  # reckoned per payee, not split
    kinds = {r.key: r.values for r in tables["payments_by_qualification"].rows}
    assert kinds["sharoushi"]["fees_paid"] == 70_000  # both hold it
    assert kinds["industrial_counselor"]["withholding"] == 2_703
    assert report.figure_labels["fees_paid"]["ja"] == "謝金支払額（円）"
    # Without outcomes there are no payment figures.
    assert "fees_paid" not in build_report(ReportInput(loaded)).totals


def test_outcomes_of_unknown_associations_are_named() -> None:
    from domain.report import ManualOutcome, Outcomes, SessionOutcome
    from tests.scenarios import association, expert, scenario

    loaded = scenario([expert("E1")], [association("A1")])
    bad = Outcomes(sessions=[SessionOutcome(association_id="A9", number=1, state="held",
                                            date=dt.date(2025, 9, 2), expert_ids=["E1"])],
                   manuals=[ManualOutcome(association_id="A8", completed=True)])
    with pytest.raises(InputError) as raised:
        build_report(ReportInput(loaded, outcomes=bad, source="outcomes.json"))
    text = raised.value.render()
    assert "outcomes.sessions[0]" in text and "A9" in text
    assert "outcomes.manuals[0]" in text and "A8" in text


def test_report_command_counts_outcomes(tmp_path: Path,
                                        example_plan: tuple[Scenario, Plan]) -> None:
    _, plan = example_plan
    first = min(plan.sessions, key=lambda s: s.date)
    outcomes = tmp_path / "outcomes.json"
    outcomes.write_text(json.dumps({
        "sessions": [{"association_id": first.association_id, "number": first.number,
                      "state": "approved", "date": first.date.isoformat(),
                      "expert_ids": first.expert_ids, "report_late": True, "rating": 4}],
        "manuals": [{"association_id": first.association_id, "completed": True,
                     "completed_on": first.date.isoformat()}]}), encoding="utf-8")
    out = tmp_path / "report.csv"
    result = runner.invoke(app, ["report", str(EXAMPLE), "--outcomes", str(outcomes),
                                 "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert "報告書の提出遅れ (Reports late),1" in lines
    assert "マニュアル完成団体数 (Manuals completed),1" in lines
    assert "成果（実施月別）,Outcomes by month of session" in lines

    outcomes.write_text('{"sessions": [{"association_id": "A001", "number": 1, '
                        '"state": "held", "date": "2025-09-02", "expert_ids": [], '
                        '"rating": 7}]}', encoding="utf-8")
    bad_out = tmp_path / "bad.json"
    result = runner.invoke(app, ["report", str(EXAMPLE), "--outcomes", str(outcomes),
                                 "-o", str(bad_out)])
    assert result.exit_code == 2
    assert "sessions.0.rating" in result.output and str(outcomes) in result.output
    assert not bad_out.exists()
