"""The secretariat's spreadsheets: import experts and applications, export plans, templates.

Staff work in Excel; these functions read and write .xlsx (openpyxl) and CSV
(UTF-8 with BOM) with Japanese headers, and hand the domain exchange-format
records so that every validation rule stays in ``domain``.
"""

from spreadsheets.importing import (
    ImportResult,
    SheetIssue,
    SheetLimits,
    SpreadsheetError,
    Table,
    import_tables,
    read_csv,
    read_xlsx,
)
from spreadsheets.plan_export import (
    expert_csv,
    expert_workbook,
    plan_csvs,
    plan_issues,
    plan_workbook,
)
from spreadsheets.report_sheets import read_held, report_csv, report_workbook
from spreadsheets.template import template_csvs, template_workbook

__all__ = [
    "ImportResult",
    "SheetIssue",
    "SheetLimits",
    "SpreadsheetError",
    "Table",
    "expert_csv",
    "expert_workbook",
    "import_tables",
    "plan_csvs",
    "plan_issues",
    "plan_workbook",
    "read_csv",
    "read_held",
    "read_xlsx",
    "report_csv",
    "report_workbook",
    "template_csvs",
    "template_workbook",
]
