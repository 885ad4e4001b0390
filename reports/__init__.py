"""What the programme reports: the figures of the results report to the metropolitan
government, from the scenario, the plan and the sessions held."""

from reports.figures import FIGURE_LABELS, ReportInput, build_report

__all__ = ["FIGURE_LABELS", "ReportInput", "build_report"]
