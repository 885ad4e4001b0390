"""The shape of the results report to the metropolitan government, and sessions held.

``reports.build_report`` fills a ``Report``; ``spreadsheets`` writes it for Excel and
reads held sessions from the secretariat's sheets. A ``Report`` is JSON-ready
(``model_dump(mode="json")``): a table's columns are figure keys, and their labels,
Japanese and English, are in ``Report.figure_labels``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class HeldSession:
    """A session that took place: which association, which of its sessions, when."""

    association_id: str
    number: int
    date: dt.date | None = None  # None: the session's date in the plan
    # Where it was read, as its reader counts (a CSV's line number, "行4 (line 4)");
    # None: by its place in the list.
    source_place: str | None = field(default=None, compare=False)


class SessionOutcome(BaseModel):
    """What became of one session after it was planned (the service's session life).

    Held and later states count as held; ``cancelled`` and ``no_show`` are the times it
    was called off (a session called off and planned again appears once per time).
    """

    association_id: str
    number: int
    state: Literal["held", "reported", "confirmed", "approved", "paid", "cancelled",
                   "no_show"]
    date: dt.date = Field(description="The date it was held, or was planned for when called "
                                      "off.")
    expert_ids: list[str] = Field(description="The lead first, then the joiners.")
    report_late: bool = Field(default=False, description="Its report was filed after the due "
                                                         "date, or is past due and not filed.")
    rating: int | None = Field(default=None, ge=1, le=5,
                               description="The association's rating (1-5), once confirmed.")


class ManualOutcome(BaseModel):
    """An association's manual as its survey after the last session says."""

    association_id: str
    completed: bool
    completed_on: dt.date | None = None


class PaidSession(BaseModel):
    """One expert's part in a session paid: its fee and travel, integer yen."""

    association_id: str
    number: int
    date: dt.date = Field(description="The date it was held.")
    fee_yen: int
    travel_yen: int


class PaymentOutcome(BaseModel):
    """One payee's payment in a closed month (the payments' monthly close), integer yen."""

    month: str = Field(description="The month closed, YYYY-MM.")
    expert_id: str
    sessions: list[PaidSession] = []
    fee_yen: int
    travel_yen: int
    adjustment_yen: int = 0
    withholding_yen: int = Field(description="Income tax withheld from the payment; it is "
                                             "reckoned per payee and month, not per session.")
    net_yen: int


class Outcomes(BaseModel):
    """What the programme achieved: ``reports.build_report`` counts it by month, industry
    and expert qualification, and sums what was paid (fees, travel, tax withheld)."""

    sessions: list[SessionOutcome] = []
    manuals: list[ManualOutcome] = []
    payments: list[PaymentOutcome] = []


class ReportRow(BaseModel):
    key: str
    label: str
    label_en: str
    # Counts, and the average rating (one decimal); None where a figure has no source.
    values: dict[str, int | float | None]


class ReportTable(BaseModel):
    name: str
    title: str
    title_en: str
    columns: list[str]  # figure keys, in order; their labels are in Report.figure_labels
    rows: list[ReportRow]
    note: str = ""
    note_en: str = ""


class Report(BaseModel):
    programme: str
    has_plan: bool
    has_held: bool
    has_outcomes: bool = False
    totals: dict[str, int | float | None]
    tables: list[ReportTable]
    figure_labels: dict[str, dict[str, str]]
