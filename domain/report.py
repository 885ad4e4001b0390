"""The shape of the results report to the metropolitan government, and sessions held.

``reports.build_report`` fills a ``Report``; ``spreadsheets`` writes it for Excel and
reads held sessions from the secretariat's sheets. A ``Report`` is JSON-ready
(``model_dump(mode="json")``): a table's columns are figure keys, and their labels,
Japanese and English, are in ``Report.figure_labels``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True)
class HeldSession:
    """A session that took place: which association, which of its sessions, when."""

    association_id: str
    number: int
    date: dt.date | None = None  # None: the session's date in the plan
    # Where it was read, as its reader counts (a CSV's line number, "行4 (line 4)");
    # None: by its place in the list.
    source_place: str | None = field(default=None, compare=False)


class ReportRow(BaseModel):
    key: str
    label: str
    label_en: str
    values: dict[str, int | None]


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
    totals: dict[str, int | None]
    tables: list[ReportTable]
    figure_labels: dict[str, dict[str, str]]
