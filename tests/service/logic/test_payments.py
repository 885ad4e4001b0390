"""The close in the service's logic: the session's life marks the sessions paid in the
close's own transaction, and a failure there closes nothing."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy.orm import Session

from domain.payments import PayableSession
from service.db.engine import transaction
from service.logic import payments
from service.logic.errors import Conflict
from tests.payments_support import july_sessions
from tests.service.api.routes.test_payments import set_up
from tests.service_support import Api


def test_mark_paid_runs_in_the_close_and_its_failure_closes_nothing(api: Api) -> None:
    set_up(api)
    marked: list[tuple[str, int, str, str]] = []

    def refuse(db: Session, sessions: Sequence[PayableSession], month: str,
               actor: str) -> None:
        raise Conflict("session A1 #1 is not approved")

    with pytest.raises(Conflict, match="not approved"), transaction(api.url) as db:
        payments.close(db, "2026-07", july_sessions(), "test", mark_paid=refuse)
    with transaction(api.url) as db:
        assert payments.month_rows(db) == []

    def mark(db: Session, sessions: Sequence[PayableSession], month: str,
             actor: str) -> None:
        marked.extend((s.association_id, s.number, s.expert_id, month) for s in sessions)

    with transaction(api.url) as db:
        closed = payments.close(db, "2026-07", july_sessions(), "test", mark_paid=mark)
    assert len(marked) == 6 and {m[3] for m in marked} == {"2026-07"}
    with transaction(api.url) as db:
        assert [row.month for row in payments.month_rows(db)] == ["2026-07"]
        assert payments.closed_month(db, "2026-07") == closed
