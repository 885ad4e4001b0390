"""The money rules: fees, travel, withholding at its threshold, accounts, the close, the year."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from domain.errors import InputError
from domain.payments import (
    Adjustment,
    BankAccount,
    MonthClose,
    Payee,
    PaymentRules,
    WithholdingRule,
    close_month,
    facts_of,
    masked,
    to_zengin_text,
    yearly_totals,
)
from domain.scenario import Programme, Scenario
from tests.payments_support import PAYEES, july_sessions, payees, payments_scenario, session
from tests.scenarios import PROGRAMME

PAY_ON = dt.date(2026, 8, 31)


def close(scenario: Scenario, sessions: list[Any], month: str = "2026-07", **kw: Any,
          ) -> MonthClose:
    experts, associations = facts_of(scenario.experts, scenario.associations)
    return close_month(scenario.programme.payment_rules, month, kw.pop("pay_on", PAY_ON),
                       sessions, kw.pop("payees", payees()), experts, associations, **kw)


# --- withholding ---------------------------------------------------------------------


@pytest.mark.parametrize(("payment", "withheld"), [
    (0, 0),
    (1, 0),
    (10, 1),  # 1.021 -> 1
    (88_740, 9_060),  # 9,060.354
    (999_999, 102_099),  # 102,099.8979: one yen under the threshold
    (1_000_000, 102_100),  # at the threshold: 10.21 % of all of it
    (1_000_001, 102_100),  # one yen over: 102,100 + 0.2042
    (1_000_005, 102_101),  # 102,100 + 1.021
    (1_500_000, 204_200),  # 102,100 + 500,000 x 20.42 %
])
def test_withholding_is_10_21_percent_to_a_million_and_20_42_above_rounded_down(
        payment: int, withheld: int) -> None:
    tax = WithholdingRule().tax_on(payment)
    assert tax == withheld
    assert type(tax) is int


def test_withholding_rates_are_data() -> None:
    flat = WithholdingRule(rate_bp=1000, threshold_yen=0, excess_rate_bp=1000)
    assert flat.tax_on(12_345) == 1_234


def test_rates_and_amounts_refuse_floats() -> None:
    with pytest.raises(ValidationError, match="rate_bp"):
        WithholdingRule.model_validate({"rate_bp": 10.21})
    with pytest.raises(ValidationError, match="yen"):
        PaymentRules.model_validate({"default_fee": {"basis": "per_hour", "yen": 15000.5}})
    with pytest.raises(ValidationError, match="cap_yen"):
        PaymentRules.model_validate({"travel": {"kind": "actual_up_to_cap", "cap_yen": "5000"}})


# --- the programme's block ----------------------------------------------------------------


def test_a_programme_without_payments_has_tokyos_defaults_and_dumps_nothing_new() -> None:
    programme = Programme.model_validate(PROGRAMME)
    rules = programme.payment_rules
    assert rules.default_fee.fee_for(120) == 30_000
    assert rules.travel.kind == "actual_up_to_cap"
    assert rules.withholding.rate_bp == 1021
    assert "payments" not in programme.model_dump(mode="json", exclude_none=True)


def test_the_payments_block_round_trips_through_json() -> None:
    programme = payments_scenario().programme
    again = Programme.model_validate(json.loads(programme.model_dump_json(exclude_none=True)))
    assert again == programme
    assert again.payment_rules.remitter is not None


def test_the_highest_listed_fee_of_an_experts_qualifications_is_paid() -> None:
    rules = payments_scenario().programme.payment_rules
    assert rules.fee_rule(["sharoushi"]).fee_for(60) == 15_000
    assert rules.fee_rule(["sharoushi", "sme_consultant"]).fee_for(60) == 25_000
    assert rules.fee_rule(["psychologist"]).fee_for(90) == 18_000  # the default, pro rata


# --- accounts ------------------------------------------------------------------------------


def account(**fields: Any) -> dict[str, Any]:
    return {**PAYEES["E1"]["account"], **fields}


@pytest.mark.parametrize(("given", "written"), [
    ("ヤマダ　ハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ"),
    ("やまだ はなこ", "ﾔﾏﾀﾞ ﾊﾅｺ"),
    ("キュウヨ　イチロウ", "ｷﾕｳﾖ ｲﾁﾛｳ"),  # small kana written large
    ("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ"),
    ("ｶﾌﾞｼｷｶﾞｲｼﾔ abc", "ｶﾌﾞｼｷｶﾞｲｼﾔ ABC"),
    ("ヴィヴィ", "ｳﾞｲｳﾞｲ"),
])
def test_holder_names_become_the_banks_half_width_kana(given: str, written: str) -> None:
    assert BankAccount.model_validate(account(holder_name=given)).holder_name == written


@pytest.mark.parametrize(("name", "said"), [
    ("山田花子", "'山'"),
    ("サトー", "long vowel"),
    ("ヤマダ・ハナコ", "middle dot"),
    ("ヤマダ&ハナコ", "'&'"),
    ("", "empty"),
    ("ア" * 31, "carries 30"),
])
def test_a_holder_name_the_bank_format_cannot_carry_is_named(name: str, said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BankAccount.model_validate(account(holder_name=name))
    [problem] = caught.value.errors()
    assert problem["loc"] == ("holder_name",)
    assert said in problem["msg"]


@pytest.mark.parametrize(("field", "value", "said"), [
    ("account_number", "123456", "7 digits, got 6"),
    ("account_number", "12345678", "7 digits, got 8"),
    ("account_number", "12-4567", "7 digits"),
    ("bank_code", "001", "4 digits"),
    ("branch_code", "1234", "3 digits"),
    ("account_type", 3, "account_type"),
])
def test_codes_and_numbers_of_the_wrong_length_are_named(field: str, value: Any,
                                                          said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BankAccount.model_validate(account(**{field: value}))
    [problem] = caught.value.errors()
    assert problem["loc"][0] == field
    assert said in problem["msg"] or said == field


def test_full_width_digits_and_the_words_for_account_types_are_read() -> None:
    read = BankAccount.model_validate(account(account_number="１２３４５６７",
                                              account_type="当座"))
    assert (read.account_number, read.account_type) == ("1234567", 2)


def test_accounts_are_shown_masked() -> None:
    assert masked("1234567") == "****567"
    shown = Payee.model_validate(PAYEES["E1"]).account.masked()
    assert shown.account_number == "****567"
    assert shown.holder_name == "ﾔﾏﾀﾞ ﾊﾅｺ"


def test_zengin_text_keeps_what_it_can_carry() -> None:
    assert to_zengin_text("ABC 123 ()-./") == "ABC 123 ()-./"


# --- the close --------------------------------------------------------------------------------


def test_the_close_pays_fee_travel_less_withholding_per_payee() -> None:
    month = close(payments_scenario(), july_sessions())
    by_id = {entry.expert_id: entry for entry in month.entries}
    e1, e2, e3 = by_id["E1"], by_id["E2"], by_id["E3"]
    # E1 (sharoushi, ¥15,000/h): 2 h + 2 h + 1.5 h; travel as claimed, onsite only.
    assert [line.fee_yen for line in e1.sessions] == [30_000, 30_000, 22_500]
    assert [line.travel_yen for line in e1.sessions] == [1_240, 5_000, 0]
    assert (e1.fee_yen, e1.travel_yen, e1.gross_yen) == (82_500, 6_240, 88_740)
    assert (e1.withholding_yen, e1.net_yen) == (9_060, 79_680)
    # E2 (sme_consultant, ¥25,000 a session), corporate: nothing withheld.
    assert (e2.fee_yen, e2.travel_yen, e2.withholding_yen, e2.net_yen) == (
        50_000, 980, 0, 50_980)
    # E3 (no listed qualification: the default ¥12,000/h).
    assert (e3.fee_yen, e3.withholding_yen, e3.net_yen) == (24_000, 2_766, 24_334)
    assert month.totals.net_yen == 79_680 + 50_980 + 24_334
    assert month.totals.gross_yen - month.totals.withholding_yen == month.totals.net_yen
    assert month.totals.sessions == 6


def test_every_amount_is_an_integer_of_yen() -> None:
    document = close(payments_scenario(), july_sessions()).model_dump(mode="json")

    def numbers(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [n for item in value.values() for n in numbers(item)]
        if isinstance(value, list):
            return [n for item in value for n in numbers(item)]
        return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []

    found = numbers(document)
    assert found and all(type(n) is int for n in found)


def test_fixed_travel_by_area_pays_the_areas_amount_onsite_only() -> None:
    scenario = payments_scenario(travel={"kind": "fixed_by_area",
                                         "by_area": {"八王子市": 2_000, "東京都": 1_000},
                                         "default_yen": 500})
    month = close(scenario, july_sessions())
    e1 = next(entry for entry in month.entries if entry.expert_id == "E1")
    # A1 is in 千代田区 (the prefecture's amount), A2 in 八王子市; the online one nothing.
    assert [line.travel_yen for line in e1.sessions] == [1_000, 2_000, 0]


def test_withholding_on_the_fee_alone_when_travel_is_not_part_of_the_payment() -> None:
    scenario = payments_scenario(withholding={"includes_travel": False})
    e1 = next(e for e in close(scenario, july_sessions()).entries if e.expert_id == "E1")
    assert e1.withholding_yen == 82_500 * 1021 // 10_000


def test_an_adjustment_is_paid_with_its_reason_and_withheld_on() -> None:
    adjustments = [Adjustment("E1", 7_500, "2026-06 の第2回の謝金（30分不足分）"),
                   Adjustment("E3", -1_000, "2026-06 の交通費の過払い", taxable=False)]
    month = close(payments_scenario(), july_sessions(), adjustments=adjustments)
    by_id = {entry.expert_id: entry for entry in month.entries}
    assert by_id["E1"].gross_yen == 88_740 + 7_500
    assert by_id["E1"].withholding_yen == (88_740 + 7_500) * 1021 // 10_000
    assert by_id["E3"].gross_yen == 27_100 - 1_000
    assert by_id["E3"].withholding_yen == 27_100 * 1021 // 10_000
    assert by_id["E1"].adjustments[0].reason.startswith("2026-06")


def test_an_adjustment_alone_makes_an_entry() -> None:
    month = close(payments_scenario(), [], adjustments=[Adjustment("E2", 3_000, "追加精算")])
    assert [(e.expert_id, e.gross_yen, e.net_yen) for e in month.entries] == [
        ("E2", 3_000, 3_000)]


def problems(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(issue) for issue in error.value.issues]


def test_a_claim_over_the_travel_cap_is_named_and_nothing_is_closed() -> None:
    sessions = [*july_sessions(), session("A2", 2, "E3", 28, travel=5_001)]
    with pytest.raises(InputError) as caught:
        close(payments_scenario(), sessions)
    assert problems(caught) == [
        "[6] (A2 #2 E3).travel_claimed_yen: ¥5,001 is over the programme's cap of "
        "¥5,000 a session"]


def test_bad_sessions_are_each_named() -> None:
    sessions = [
        session("A1", 1, "E1", 6, travel=100, mode="online"),
        session("A1", 1, "E1", 6),
        session("A9", 3, "E9", 6),
        session("A2", 1, "E1", 3, month=8),
        session("A2", 2, "E1", 9, travel=-5),
    ]
    with pytest.raises(InputError) as caught:
        close(payments_scenario(), sessions)
    said = problems(caught)
    assert said[0] == ("[0] (A1 #1 E1).travel_claimed_yen: ¥100 claimed for an online "
                       "session: travel is paid for onsite sessions only")
    assert said[1] == "[1] (A1 #1 E1): the same expert's session is listed twice"
    assert "[2] (A9 #3 E9).expert_id: no expert 'E9'" in said
    assert "[2] (A9 #3 E9).association_id: no association 'A9'" in said
    assert "[3] (A2 #1 E1).date: 2026-08-03 is not in 2026-07 or before it" in said
    assert any(p.startswith("[4] (A2 #2 E1).travel_claimed_yen: -5") for p in said)


def test_a_float_claim_is_refused() -> None:
    bad = session("A1", 1, "E1", 6)
    bad = type(bad)(**{**bad.__dict__, "travel_claimed_yen": 1200.0})
    with pytest.raises(InputError, match="not a whole number of yen"):
        close(payments_scenario(), [bad])


def test_an_expert_without_a_payee_record_stops_the_close() -> None:
    known = payees()
    del known["E3"]
    with pytest.raises(InputError) as caught:
        close(payments_scenario(), july_sessions(), payees=known)
    assert problems(caught)[0].startswith("payees (E3): no payee record")


def test_a_negative_net_cannot_be_transferred() -> None:
    with pytest.raises(InputError, match="cannot be negative"):
        close(payments_scenario(), [], adjustments=[Adjustment("E2", -3_000, "過払い")])


def test_an_adjustment_needs_a_reason() -> None:
    with pytest.raises(InputError, match=r"adjustments\[0\] \(E2\).reason"):
        close(payments_scenario(), [], adjustments=[Adjustment("E2", 3_000, " ")])


def test_a_stored_close_whose_totals_do_not_add_up_does_not_load() -> None:
    document = close(payments_scenario(), july_sessions()).model_dump(mode="json")
    document["totals"]["net_yen"] += 1
    with pytest.raises(ValidationError, match="do not add up"):
        MonthClose.model_validate(document)


def test_masking_a_close_hides_every_account_number() -> None:
    shown = close(payments_scenario(), july_sessions()).masked()
    assert {e.account.account_number for e in shown.entries} == {"****567", "****345",
                                                                  "****777"}


# --- the year -----------------------------------------------------------------------------


def test_yearly_totals_add_up_the_months_paid_in_the_year() -> None:
    scenario = payments_scenario()
    july = close(scenario, july_sessions())
    august = close(scenario, [session("A1", 3, "E1", 5, month=8, travel=800)], month="2026-08",
                   pay_on=dt.date(2026, 9, 30))
    december = close(scenario, [session("A1", 4, "E1", 7, month=12)], month="2026-12",
                     pay_on=dt.date(2027, 1, 29))  # paid in 2027: next year's return
    totals = {t.expert_id: t for t in yearly_totals([december, august, july], 2026)}
    e1 = totals["E1"]
    assert e1.months == ["2026-07", "2026-08"]
    assert e1.paid_yen == 88_740 + 30_800
    assert e1.withheld_yen == 9_060 + 30_800 * 1021 // 10_000
    assert e1.net_yen == e1.paid_yen - e1.withheld_yen
    assert totals["E2"].withheld_yen == 0
    assert [t.expert_id for t in yearly_totals([december], 2027)] == ["E1"]
