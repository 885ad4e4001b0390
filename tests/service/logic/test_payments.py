"""The close in the service's logic: the sessions it pays are the session's life's
approved, unpaid ones, and they are marked paid in the close's own transaction."""

from __future__ import annotations

import pytest

from service.db.engine import transaction
from service.db.models import SessionRow
from service.logic import payments
from tests.closing_support import JULY_KEYS, july_approved, states
from tests.service_support import Api


class Abandoned(Exception):
    """Raised inside the transaction to roll it back."""


def test_the_close_and_the_sessions_marked_paid_are_one_transaction(api: Api) -> None:
    july_approved(api)
    with pytest.raises(Abandoned), transaction(api.url) as db:
        closed = payments.close(db, "2026-07", "test")
        assert closed.totals.net_yen == 154_994
        assert {row.state for row in db.query(SessionRow)
                if (row.association_id, row.number) in JULY_KEYS} == {"paid"}
        raise Abandoned
    # Rolled back together: no month, and every session still approved (not paid).
    with transaction(api.url) as db:
        assert payments.month_rows(db) == []
        assert len(payments.payable_sessions(db, "2026-07")) == 6
    assert {states(api)[key] for key in JULY_KEYS} == {"approved"}

    with transaction(api.url) as db:
        closed = payments.close(db, "2026-07", "test")
    assert {states(api)[key] for key in JULY_KEYS} == {"paid"}
    with transaction(api.url) as db:
        assert payments.closed_month(db, "2026-07") == closed
        assert payments.payable_sessions(db, "2026-07") == []
        assert payments.payable_sessions(db, "2026-08") == []
