"""The scenario generator, ``haken generate`` and the bundled example."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from benchmarks.compare import run_greedy
from cli.main import app
from domain.calendar import BusinessCalendar
from domain.checker import check_plan
from domain.loading import load_scenario, parse_scenario, scenario_sha256
from domain.plan import Plan, Stats
from domain.scenario import Scenario
from domain.vocabulary import DEFAULT_QUALIFICATIONS
from simulation.generator import generate_scenario, legal_form_of
from simulation.profiles import PROFILES, Profile
from tests.paths import EXAMPLES

EXAMPLE = EXAMPLES / "tokyo-2025.json"
COMPANY_EXAMPLE = EXAMPLES / "company-2026.json"
COMPANY_COMMAND = ("haken generate -n 300 -m 60 --seed 2026 --profile company --pinned 4 "
                   "-o examples/company-2026.json")
# The command in examples/README.md that made the example.
EXAMPLE_ARGS: dict[str, Any] = {
    "associations": 60, "experts": 20, "seed": 1904, "profile": "tokyo", "pinned": 4,
}
SEEDS = (0, 1, 7)
# A plan of pinned sessions alone serves nobody completely: these two rules must complain.
PARTIAL_PLAN_RULES = {"accepted_served_or_unserved", "session_sequence"}


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def _pinned_only_plan(scenario: Scenario) -> Plan:
    return Plan(
        scenario_sha256=scenario_sha256(scenario),
        sessions=list(scenario.pinned),
        unserved=[],
        stats=Stats(served=0, unserved=0, served_upper_bound=0, solver_status="PINNED",
                    wall_seconds=0.0),
    )


# --- every profile gives a loadable, realistic scenario ------------------------------


def test_profiles_are_described() -> None:
    assert {"balanced", "scarce_experts", "late_decisions", "narrow_availability",
            "many_conflicts"} <= set(PROFILES)
    for profile in PROFILES.values():
        assert isinstance(profile, Profile)
        assert profile.description and "\n" not in profile.description


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_loads(profile: str, seed: int) -> None:
    scenario = parse_scenario(generate_scenario(40, 12, seed, profile, pinned=2))
    assert len(scenario.associations) == 40
    assert len(scenario.experts) == 12
    assert len(scenario.pinned) == 2
    assert scenario.accepted


@pytest.mark.parametrize(("associations", "experts"), [(0, 0), (1, 0), (0, 3), (7, 2), (250, 40)])
def test_counts_match_arguments(associations: int, experts: int) -> None:
    scenario = parse_scenario(generate_scenario(associations, experts, 3))
    assert len(scenario.associations) == associations
    assert len(scenario.experts) == experts
    assert len({a.id for a in scenario.associations}) == associations
    assert len({e.id for e in scenario.experts}) == experts


def test_same_arguments_give_the_same_document() -> None:
    first = generate_scenario(80, 15, 42, "balanced", pinned=3)
    again = generate_scenario(80, 15, 42, "balanced", pinned=3)
    assert _dumps(first) == _dumps(again)


def test_different_seed_or_profile_gives_a_different_document() -> None:
    base = _dumps(generate_scenario(30, 8, 1))
    assert _dumps(generate_scenario(30, 8, 2)) != base
    assert _dumps(generate_scenario(30, 8, 1, "late_decisions")) != base


def test_the_documents_are_json_ready() -> None:
    document = generate_scenario(20, 5, 0, pinned=1)
    assert json.loads(json.dumps(document)) == document


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        generate_scenario(10, 3, 0, "nope")
    with pytest.raises(ValueError, match="negative"):
        generate_scenario(-1, 3, 0)
    with pytest.raises(ValueError, match="could pin only 0 of 1"):
        generate_scenario(5, 0, 0, pinned=1)


# --- realism ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def balanced() -> Scenario:
    return parse_scenario(generate_scenario(400, 80, 11))


def test_programme_is_the_real_2025_26_one(balanced: Scenario) -> None:
    programme = balanced.programme
    assert programme.application_period is not None
    assert (programme.application_period.start, programme.application_period.end) == (
        dt.date(2025, 6, 30), dt.date(2026, 1, 9))
    assert (programme.implementation_period.start, programme.implementation_period.end) == (
        dt.date(2025, 7, 14), dt.date(2026, 3, 13))
    assert programme.closed_dates == [dt.date(2025, 12, 29), dt.date(2025, 12, 30),
                                      dt.date(2025, 12, 31), dt.date(2026, 1, 2)]
    assert (programme.max_sessions, programme.min_days_between_sessions,
            programme.target_days_between_sessions) == (5, 7, 21)
    assert programme.first_session_after_decision_business_days == 5
    assert programme.travel_buffer_minutes == 60
    assert programme.vocabulary is None  # the default table of the spec


def test_associations_look_like_tokyo_applications(balanced: Scenario) -> None:
    programme = balanced.programme
    calendar = BusinessCalendar(programme)
    assert programme.application_period is not None
    applied = sorted(a.applied_at for a in balanced.associations)
    assert [a.applied_at for a in balanced.associations] == applied  # ids in order of application
    for association in balanced.associations:
        assert association.prefecture == "東京都"
        assert association.address and association.address.startswith(f"東京都{association.city}")
        assert association.legal_form == legal_form_of(association.name)
        assert association.applied_at.utcoffset() == dt.timedelta(hours=9)
        applied_on = association.applied_at.date()
        assert programme.application_period.start <= applied_on <= programme.application_period.end
        if association.status in ("accepted", "rejected"):
            assert association.decided_on is not None
        if association.decided_on is not None:
            assert applied_on < association.decided_on <= programme.implementation_period.end
            assert calendar.is_business_day(association.decided_on)
        assert 1 <= len(association.needs) <= 3
        assert association.session_minutes in (60, 90, 120)
        assert (association.sessions_requested == 1) == association.has_manual
    statuses = Counter(a.status for a in balanced.associations)
    assert statuses["accepted"] > 0.8 * len(balanced.associations)
    assert {"rejected", "withdrawn"} <= set(statuses)
    primaries = Counter(a.primary_need for a in balanced.associations)
    assert primaries.most_common(1)[0][0] == "labour_law"
    assert len({a.industry for a in balanced.associations}) >= 15
    assert len({a.name for a in balanced.associations}) == len(balanced.associations)
    # More applications early in the period than late.
    middle = programme.application_period.start + dt.timedelta(days=97)
    early = sum(a.applied_at.date() < middle for a in balanced.associations)
    assert early > len(balanced.associations) / 2


def test_experts_look_like_busy_consultants(balanced: Scenario) -> None:
    association_ids = {a.id for a in balanced.associations}
    qualifications: Counter[str] = Counter()
    for expert in balanced.experts:
        family, given = expert.name.split(" ")
        assert family and given
        assert 1 <= len(expert.qualifications) <= 2
        assert len(set(expert.qualifications)) == len(expert.qualifications)
        qualifications.update(expert.qualifications)
        assert 1 <= len(expert.industries) <= 4
        assert 4 <= expert.max_associations <= 10
        assert 1 <= expert.max_sessions_per_day <= 3
        assert 2 <= expert.max_sessions_per_week <= 6
        assert expert.availability is not None and expert.availability.weekly is not None
        weekdays = [day for day in ("mon", "tue", "wed", "thu", "fri")
                    if getattr(expert.availability.weekly, day)]
        assert 2 <= len(weekdays) <= 4
        assert set(expert.conflicts) <= association_ids
    assert set(qualifications) == set(DEFAULT_QUALIFICATIONS)
    assert qualifications.most_common(1)[0][0] == "sharoushi"


def test_small_pools_still_have_every_qualification() -> None:
    scenario = parse_scenario(generate_scenario(10, 6, 5))
    held = {q for expert in scenario.experts for q in expert.qualifications}
    assert held == set(DEFAULT_QUALIFICATIONS)


def _late_share(scenario: Scenario) -> float:
    late = [a for a in scenario.accepted
            if a.decided_on is not None and a.decided_on >= dt.date(2026, 1, 1)]
    return len(late) / len(scenario.accepted)


def test_profiles_do_what_they_say() -> None:
    balanced = parse_scenario(generate_scenario(300, 60, 4, "balanced"))
    scarce = parse_scenario(generate_scenario(300, 60, 4, "scarce_experts"))
    late = parse_scenario(generate_scenario(300, 60, 4, "late_decisions"))
    narrow = parse_scenario(generate_scenario(300, 60, 4, "narrow_availability"))
    conflicted = parse_scenario(generate_scenario(300, 60, 4, "many_conflicts"))
    both = parse_scenario(generate_scenario(300, 60, 4, "scarce_narrow"))

    def capacity(scenario: Scenario) -> int:
        return sum(e.max_associations for e in scenario.experts)

    assert capacity(scarce) < 0.5 * capacity(balanced)
    assert capacity(scarce) < len(scarce.accepted)
    assert capacity(both) < 0.5 * capacity(balanced)
    assert capacity(both) < len(both.accepted)

    assert _late_share(late) > 2 * _late_share(balanced)
    calendar = BusinessCalendar(late.programme)
    too_late = [
        a for a in late.accepted
        if a.decided_on is not None and a.sessions_requested == 5
        and calendar.earliest_first_session(a.decided_on) + dt.timedelta(days=28)
        > late.programme.implementation_period.end
    ]
    assert len(too_late) >= 3

    def weekly_minutes(scenario: Scenario) -> float:
        total = 0
        for expert in scenario.experts:
            assert expert.availability is not None and expert.availability.weekly is not None
            for day in range(5):
                total += sum(end - start for start, end in expert.availability.weekly.on(day))
        return total / len(scenario.experts)

    assert weekly_minutes(narrow) < 0.5 * weekly_minutes(balanced)
    assert weekly_minutes(both) < 0.5 * weekly_minutes(balanced)
    assert weekly_minutes(both) < 0.5 * weekly_minutes(scarce)

    assert all(len(e.conflicts) >= 0.04 * len(conflicted.associations)
               for e in conflicted.experts)
    assert sum(len(e.conflicts) for e in balanced.experts) < 0.1 * len(balanced.associations)


def test_five_thousand_by_one_thousand_is_quick() -> None:
    started = time.perf_counter()
    document = generate_scenario(5000, 1000, 0)
    seconds = time.perf_counter() - started
    assert len(document["associations"]) == 5000 and len(document["experts"]) == 1000
    assert seconds < 15, f"took {seconds:.1f} s"


# --- the sister programme for single companies -------------------------------------------


@pytest.fixture(scope="module")
def companies() -> Scenario:
    return parse_scenario(generate_scenario(300, 60, 8, "company"))


def test_company_programme_has_its_own_vocabulary_with_attorneys(companies: Scenario) -> None:
    programme = companies.programme
    assert programme.name == "令和7年度 企業向け専門家派遣"
    assert programme.max_sessions == 4
    assert programme.vocabulary is not None
    assert programme.vocabulary.qualifications["bengoshi"].ja == "弁護士"
    assert programme.vocabulary.needs["legal"].covered_by == ["bengoshi"]
    # The default table is kept beside the legal need.
    assert set(DEFAULT_QUALIFICATIONS) < set(programme.vocabulary.qualifications)
    assert programme.vocabulary.needs["labour_law"].covered_by == ["sharoushi"]


def test_company_applications_are_single_companies(companies: Scenario) -> None:
    forms = ("株式会社", "有限会社", "合同会社")
    for company in companies.associations:
        assert company.name.startswith(forms) or company.name.endswith("株式会社"), company.name
        assert company.legal_form == "other_corporation" == legal_form_of(company.name)
        assert company.member_count is None
        assert 1 <= company.sessions_requested <= companies.programme.max_sessions
        assert (company.sessions_requested == 1) == company.has_manual
        assert set(company.needs) <= set(companies.programme.words.needs)
    assert len({c.name for c in companies.associations}) == len(companies.associations)
    primaries = Counter(c.primary_need for c in companies.associations)
    assert primaries["legal"] >= 0.1 * len(companies.associations)
    assert {c.sessions_requested for c in companies.associations} == {1, 2, 3, 4}
    attorneys = [e for e in companies.experts if "bengoshi" in e.qualifications]
    assert attorneys and all(companies.covers(e, "legal") for e in attorneys)


def test_thousands_of_company_applications_load() -> None:
    scenario = parse_scenario(generate_scenario(3000, 100, 1, "company"))
    assert len(scenario.associations) == 3000
    assert len({c.name for c in scenario.associations}) > 0.97 * 3000


def test_the_company_example_is_what_the_readme_says() -> None:
    scenario = load_scenario(COMPANY_EXAMPLE)
    assert len(scenario.associations) == 300 and len(scenario.experts) == 60
    expected = _dumps(generate_scenario(300, 60, 2026, "company", pinned=4)) + "\n"
    assert COMPANY_EXAMPLE.read_text(encoding="utf-8") == expected, (
        "examples/company-2026.json differs from the generator's output; regenerate it with "
        "the command in examples/README.md")
    assert COMPANY_COMMAND in (EXAMPLES / "README.md").read_text(encoding="utf-8")


def test_the_company_example_has_a_plan_that_passes_the_checker() -> None:
    scenario = load_scenario(COMPANY_EXAMPLE)
    plan, _ = run_greedy(scenario)
    assert check_plan(scenario, plan) == []
    legal_leads = {s.lead_id for s in plan.sessions
                   if scenario.association_by_id[s.association_id].primary_need == "legal"}
    assert legal_leads
    assert all("bengoshi" in scenario.expert_by_id[e].qualifications for e in legal_leads)
    for pin in scenario.pinned:
        assert pin in plan.sessions


# --- pinned sessions ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_pinned_sessions_reference_accepted_associations_and_qualified_leads(
        profile: str, seed: int) -> None:
    scenario = parse_scenario(generate_scenario(60, 15, seed, profile, pinned=4))
    assert len(scenario.pinned) == 4
    for session in scenario.pinned:
        association = scenario.association_by_id[session.association_id]
        lead = scenario.expert_by_id[session.lead_id]
        assert association.status == "accepted"
        assert session.number == 1
        assert scenario.covers(lead, association.primary_need)
        assert association.id not in lead.conflicts
        assert session.mode in lead.modes
        assert association.mode in ("either", session.mode)
        assert session.minutes == association.session_minutes
    assert len({s.association_id for s in scenario.pinned}) == 4


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_pinned_sessions_obey_every_hard_rule_they_can_break_alone(
        profile: str, seed: int) -> None:
    scenario = parse_scenario(generate_scenario(80, 10, seed, profile, pinned=6))
    violations = check_plan(scenario, _pinned_only_plan(scenario))
    assert [str(v) for v in violations if v.rule not in PARTIAL_PLAN_RULES] == []


# --- the bundled example -------------------------------------------------------------------


def test_the_bundled_example_loads_and_is_what_the_readme_says() -> None:
    scenario = load_scenario(EXAMPLE)
    assert 55 <= len(scenario.associations) <= 65
    assert 18 <= len(scenario.experts) <= 22
    assert 3 <= len(scenario.pinned) <= 4
    held = {q for expert in scenario.experts for q in expert.qualifications}
    assert held == set(DEFAULT_QUALIFICATIONS)
    assert len({a.industry for a in scenario.associations}) >= 12
    assert len(scenario.accepted) >= 0.85 * len(scenario.associations)
    expected = _dumps(generate_scenario(**EXAMPLE_ARGS)) + "\n"
    assert EXAMPLE.read_text(encoding="utf-8") == expected, (
        "examples/tokyo-2025.json differs from the generator's output; regenerate it with "
        "the command in examples/README.md")
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert ("haken generate -n 60 -m 20 --seed 1904 --profile tokyo --pinned 4 "
            "-o examples/tokyo-2025.json") in readme


def test_the_bundled_example_pins_obey_the_rules() -> None:
    scenario = load_scenario(EXAMPLE)
    violations = check_plan(scenario, _pinned_only_plan(scenario))
    assert [str(v) for v in violations if v.rule not in PARTIAL_PLAN_RULES] == []


# --- haken generate ------------------------------------------------------------------------


def test_cli_writes_a_scenario_that_loads(tmp_path: Path) -> None:
    target = tmp_path / "scenario.json"
    result = CliRunner().invoke(app, [
        "generate", "-n", "25", "-m", "6", "--seed", "3", "--profile", "late_decisions",
        "--pinned", "1", "-o", str(target),
    ])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "東京都" in text  # not \\u-escaped
    scenario = load_scenario(target)
    assert len(scenario.associations) == 25 and len(scenario.experts) == 6
    assert text == _dumps(generate_scenario(25, 6, 3, "late_decisions", pinned=1)) + "\n"


def test_cli_writes_to_standard_output_without_output() -> None:
    result = CliRunner().invoke(app, ["generate", "--associations", "4", "--experts", "2"])
    assert result.exit_code == 0, result.output
    scenario = parse_scenario(json.loads(result.stdout))
    assert len(scenario.associations) == 4


def test_cli_refuses_an_unknown_profile_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "scenario.json"
    result = CliRunner().invoke(app, [
        "generate", "-n", "5", "-m", "2", "--profile", "crowded", "-o", str(target),
    ])
    assert result.exit_code == 2
    assert "unknown profile 'crowded'" in result.output
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_reports_pins_it_cannot_place(tmp_path: Path) -> None:
    target = tmp_path / "scenario.json"
    result = CliRunner().invoke(app, [
        "generate", "-n", "5", "-m", "0", "--pinned", "2", "-o", str(target),
    ])
    assert result.exit_code == 2
    assert "could pin only" in result.output
    assert not target.exists()


def test_national_profile_spreads_over_the_prefectures_with_experts_tied_to_them() -> None:
    from domain.prefectures import PREFECTURES, prefecture_of
    scenario = parse_scenario(generate_scenario(2000, 400, 1, "national"))
    by_prefecture = Counter(a.prefecture for a in scenario.associations)
    assert set(by_prefecture) <= set(PREFECTURES)
    assert len(by_prefecture) >= 45  # at 2,000 applications nearly every prefecture applies
    largest = [name for name, _ in by_prefecture.most_common(4)]
    assert largest[0] == "東京都"
    assert {"大阪府", "愛知県"} <= set(largest + [n for n, _ in by_prefecture.most_common(6)])
    for association in scenario.associations:
        assert association.address and association.address.startswith(
            f"{association.prefecture}{association.city}")
    onsite = [e for e in scenario.experts if "onsite" in e.modes]
    online_only = [e for e in scenario.experts if e.modes == ["online"]]
    assert onsite and online_only
    # Every expert's base names its prefecture; those who go onsite cover all 47.
    assert all(prefecture_of(e.base_area) for e in scenario.experts)
    assert {prefecture_of(e.base_area) for e in onsite} == set(PREFECTURES)
    # Experts follow demand: Tokyo has the most onsite experts too.
    experts_by = Counter(prefecture_of(e.base_area) for e in onsite)
    assert experts_by.most_common(1)[0][0] == "東京都"


def test_national_pins_keep_the_regions_independent() -> None:
    from scheduler.regions import split_by_region
    scenario = parse_scenario(generate_scenario(300, 80, 2, "national", pinned=6))
    assert len(scenario.pinned) == 6
    parts = split_by_region(scenario)  # raises on a pin across parts
    assert sum(len(p.scenario.pinned) for p in parts) == 6


def test_the_other_profiles_stay_in_tokyo() -> None:
    scenario = parse_scenario(generate_scenario(200, 40, 1, "balanced"))
    assert {a.prefecture for a in scenario.associations} == {"東京都"}
