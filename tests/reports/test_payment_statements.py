"""The PDF statements, read back with poppler's pdftotext: Japanese, figures, masking."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from domain.payments import Adjustment, close_month, facts_of
from reports.payment_statements import statements_pdf
from tests.payments_support import july_sessions, payees, payments_scenario

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils is not installed (.ci/run installs it)")


def pdf_text(data: bytes) -> list[str]:
    """Each page's text."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True, timeout=60).stdout.decode("utf-8")
    return out.split("\f")[:-1]


def test_a_page_per_payee_with_its_figures_in_japanese() -> None:
    scenario = payments_scenario()
    experts, associations = facts_of(scenario.experts, scenario.associations)
    close = close_month(scenario.programme.payment_rules, "2026-07", dt.date(2026, 8, 31),
                        july_sessions(), payees(), experts, associations,
                        [Adjustment("E3", 2_000, "6月分の交通費の不足")])
    data = statements_pdf(close, scenario.programme.name)
    assert data == statements_pdf(close, scenario.programme.name)  # the same bytes again
    pages = pdf_text(data)
    assert len(pages) == 3
    first, _, third = pages
    assert "支払明細書" in first and "2026年7月分" in first
    assert "カスハラ対策マニュアル作成支援" in first
    assert "山田 花子 様（E1）" in first and "個人" in first
    assert "****567" in first and "1234567" not in first
    for figure in ("¥82,500", "¥6,240", "¥88,740", "-¥9,060", "¥79,680"):
        assert figure in first
    assert "調整：6月分の交通費の不足" in third and "¥29,100" in third


def test_one_experts_statement() -> None:
    scenario = payments_scenario()
    experts, associations = facts_of(scenario.experts, scenario.associations)
    close = close_month(scenario.programme.payment_rules, "2026-07", dt.date(2026, 8, 31),
                        july_sessions(), payees(), experts, associations)
    [page] = pdf_text(statements_pdf(close, scenario.programme.name, ["E2"]))
    assert "佐藤 一郎 様（E2）" in page and "法人" in page and "¥50,980" in page
