"""When an expert's report is due: business days of the programme (Japanese holidays and
closed dates skipped), five by default and seven for the last session, or as the
programme sets them."""

from __future__ import annotations

import datetime as dt

from domain.scenario import Programme
from service.logic.session_life import report_due_on
from tests.scenarios import PROGRAMME

FRIDAY = dt.date(2025, 9, 12)  # Monday the 15th (敬老の日) and the 23rd (秋分の日) are holidays


def test_reports_are_due_in_business_days_by_default() -> None:
    programme = Programme.model_validate(PROGRAMME)
    assert report_due_on(programme, FRIDAY, last=False) == dt.date(2025, 9, 22)
    assert report_due_on(programme, FRIDAY, last=True) == dt.date(2025, 9, 25)


def test_the_programme_sets_its_own_deadlines_and_closed_dates_count() -> None:
    programme = Programme.model_validate({
        **PROGRAMME, "report_due_business_days": 2, "final_report_due_business_days": 3,
        "closed_dates": ["2025-09-16"]})
    assert report_due_on(programme, FRIDAY, last=False) == dt.date(2025, 9, 18)
    assert report_due_on(programme, FRIDAY, last=True) == dt.date(2025, 9, 19)
