"""Payees: who is paid for an expert's sessions and into which account.

Staff read them with the account number masked; only admins read an account whole, and
only admins set one."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Path, Response
from pydantic import BaseModel, Field

from domain.payments import Payee, PayeeType
from service.api.deps import ID_TEXT, Admin, AuthenticatedRoute, IfMatch, Staff
from service.api.errors import responses
from service.db.models import PayeeRow
from service.logic import payments, state
from service.logic.payments import PayeeBody
from service.web.dependencies import DbDep

router = APIRouter(prefix="/payees", tags=["payees"], route_class=AuthenticatedRoute)

ExpertId = Annotated[str, Path(description="The expert's id, e.g. E001.", **ID_TEXT)]
PAYEE_EXAMPLE = {"payee_type": "individual", "account": {
    "bank_code": "0001", "bank_name": "ﾐｽﾞﾎ", "branch_code": "123", "branch_name": "ﾄｳｷﾖｳ",
    "account_type": 1, "account_number": "1234567", "holder_name": "ヤマダ　ハナコ"}}


class AccountOut(BaseModel):
    """An account as shown: the number masked (****567) unless an admin asked for it whole,
    so its schema is not the input's seven digits."""

    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: int
    account_number: str = Field(description="Masked (****567) unless read whole by an admin.")
    holder_name: str


class PayeeOut(BaseModel):
    """A payee as staff see it: the account number masked (****567)."""

    expert_id: str
    payee_type: PayeeType
    account: AccountOut
    updated_at: dt.datetime
    updated_by: str

    @classmethod
    def of(cls, row: PayeeRow, whole: bool = False) -> PayeeOut:
        payee = payments.as_payee(row)
        return cls(expert_id=row.expert_id, payee_type=payee.payee_type,
                   account=AccountOut(**(payee.account if whole
                                         else payee.account.masked()).model_dump()),
                   updated_at=row.updated_at, updated_by=row.updated_by)


@router.get("", response_model=list[PayeeOut])
def list_payees(_: Staff, db: DbDep) -> list[PayeeOut]:
    """Every payee, by expert id, account numbers masked."""
    return [PayeeOut.of(row) for row in payments.payee_rows(db)]


@router.get("/{expert_id}", response_model=PayeeOut, responses=responses(404))
def read_payee(_: Staff, db: DbDep, response: Response, expert_id: ExpertId) -> PayeeOut:
    """One payee, the account number masked; the ETag is the version to send back."""
    row = payments.payee_row(db, expert_id)
    response.headers["ETag"] = state.etag(row.version)
    return PayeeOut.of(row)


@router.get("/{expert_id}/account", response_model=Payee, responses=responses(404))
def read_account(_: Admin, db: DbDep, response: Response, expert_id: ExpertId) -> Payee:
    """The payee with the account whole (admins only); not cached anywhere."""
    row = payments.payee_row(db, expert_id)
    response.headers["ETag"] = state.etag(row.version)
    response.headers["Cache-Control"] = "no-store"
    return payments.as_payee(row)


@router.put("/{expert_id}", response_model=PayeeOut, status_code=200,
            responses={201: {"description": "Created.", "model": PayeeOut},
                       **responses(404, 412, 422, 428)})
def put_payee(actor: Admin, db: DbDep, response: Response, expert_id: ExpertId,
              body: Annotated[PayeeBody, Body(openapi_examples={
                  "individual": {"summary": "An expert paid as a person",
                                 "value": PAYEE_EXAMPLE}})],
              if_match: IfMatch = None) -> PayeeOut:
    """Set the payee type and bank account (admins only). Codes and numbers must have their
    digits (bank 4, branch 3, account 7); the holder name is converted to half-width
    katakana and refused when the transfer format cannot carry it. To replace a payee,
    send If-Match with the ETag you read."""
    row, created = payments.put_payee(db, expert_id, body, if_match, actor.name)
    db.commit()
    response.headers["ETag"] = state.etag(row.version)
    if created:
        response.status_code = 201
    return PayeeOut.of(row)
