"""Adjustments: corrections paid (or taken back) in the next month closed, with a reason."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from pydantic import BaseModel

from service.api.deps import Admin, AuthenticatedRoute, Staff
from service.api.errors import responses
from service.db.models import PaymentAdjustmentRow
from service.logic import payments
from service.logic.payments import AdjustmentBody
from service.web.dependencies import DbDep

router = APIRouter(prefix="/payments/adjustments", tags=["payments"],
                   route_class=AuthenticatedRoute)


class AdjustmentOut(BaseModel):
    id: int
    expert_id: str
    amount_yen: int
    taxable: bool
    reason: str
    created_at: dt.datetime
    created_by: str
    paid_in: str | None

    @classmethod
    def of(cls, row: PaymentAdjustmentRow) -> AdjustmentOut:
        return cls(id=row.id, expert_id=row.expert_id, amount_yen=row.amount_yen,
                   taxable=row.taxable, reason=row.reason, created_at=row.created_at,
                   created_by=row.created_by, paid_in=row.paid_in)


@router.get("", response_model=list[AdjustmentOut])
def list_adjustments(_: Staff, db: DbDep) -> list[AdjustmentOut]:
    """Every adjustment; ``paid_in`` is the month that paid it, null while it waits."""
    return [AdjustmentOut.of(row) for row in payments.adjustment_rows(db)]


@router.post("", response_model=AdjustmentOut, status_code=201, responses=responses(422))
def add_adjustment(actor: Admin, db: DbDep, response: Response,
                   body: AdjustmentBody) -> AdjustmentOut:
    """Add a correction (admins only): it is paid with the next month closed."""
    row = payments.add_adjustment(db, body, actor.name)
    db.commit()
    response.headers["Location"] = f"/api/v1/payments/adjustments/{row.id}"
    return AdjustmentOut.of(row)
