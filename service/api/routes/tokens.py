"""API tokens, for admins: create (the secret is shown once), list, revoke."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, Field

from domain.limits import Name
from service.api.deps import Admin, AuthenticatedRoute, RowId
from service.api.errors import responses
from service.db.models import TokenRow
from service.logic import tokens
from service.logic.bodies import RequestBody
from service.logic.tokens import Role
from service.web.dependencies import DbDep

router = APIRouter(prefix="/tokens", tags=["tokens"], route_class=AuthenticatedRoute)


class TokenRequest(RequestBody):
    name: Name = Field(max_length=100, examples=["suzuki-staff"])  # the column's width
    role: Role = Field(examples=["staff"])


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row: TokenRow) -> TokenOut:
        return cls(id=row.id, name=row.name, role=row.role, created_at=row.created_at,
                   revoked_at=row.revoked_at)


class NewToken(TokenOut):
    token: str = Field(description="The bearer token. It is shown only this once.")


@router.get("", response_model=list[TokenOut])
def list_tokens(_: Admin, db: DbDep) -> list[TokenOut]:
    """Every token: name, role, created, revoked (never the secret)."""
    return [TokenOut.of(row) for row in tokens.listing(db)]


@router.post("", response_model=NewToken, status_code=201, responses=responses(409, 422))
def create_token(actor: Admin, db: DbDep, body: TokenRequest) -> NewToken:
    """A new token; the answer shows it this once."""
    row, secret = tokens.create(db, body.name, body.role, actor.name)
    db.commit()
    return NewToken(**TokenOut.of(row).model_dump(), token=secret)


@router.delete("/{token_id}", response_model=TokenOut, responses=responses(404))
def revoke_token(actor: Admin, db: DbDep, token_id: RowId) -> TokenOut:
    """Revoke a token: it stops working at once; the record stays for the audit log."""
    row = tokens.revoke(db, tokens.by_id(db, token_id).name, actor.name)
    db.commit()
    return TokenOut.of(row)
