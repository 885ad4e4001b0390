"""Decision letters: an application's letter as PDF, and the templates the secretariat edits."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from domain.limits import STORABLE_PATTERN
from service.api.deps import ID_TEXT, Admin, AuthenticatedRoute, IfMatch, Viewer
from service.api.errors import responses
from service.logic import letters
from service.logic.bodies import RequestBody
from service.logic.letters import BODY_LENGTH, TITLE_LENGTH, LetterKind
from service.logic.state import etag
from service.web.dependencies import DbDep
from service.web.files import PDF, download, file_answer

router = APIRouter(tags=["letters"], route_class=AuthenticatedRoute)

AssociationId = Annotated[str, Path(description="The association's id, e.g. A001.", **ID_TEXT)]
Kind = Annotated[LetterKind, Path(description="acceptance (実施決定通知書) or rejection.")]


class TemplateIn(RequestBody):
    title: str = Field(min_length=1, max_length=TITLE_LENGTH, pattern=STORABLE_PATTERN,
                       examples=["実施決定通知書"])
    body: str = Field(min_length=1, max_length=BODY_LENGTH, pattern=STORABLE_PATTERN,
                      description="Text with placeholders such as {association_name}; "
                                  "blank lines separate paragraphs.")


class TemplateOut(BaseModel):
    kind: LetterKind
    title: str
    body: str
    is_default: bool = Field(description="True while the secretariat has not changed it.")
    updated_by: str | None
    updated_at: dt.datetime | None
    placeholders: dict[str, str] = Field(description="Each placeholder and what it holds.")


def _out(chosen: letters.Template, response: Response) -> TemplateOut:
    response.headers["ETag"] = etag(chosen.version)
    return TemplateOut(kind=chosen.kind, title=chosen.title, body=chosen.body,
                       is_default=chosen.is_default, updated_by=chosen.updated_by,
                       updated_at=chosen.updated_at,
                       placeholders={k: v.en for k, v in letters.PLACEHOLDERS.items()})


@router.get("/associations/{association_id}/letter", response_class=Response,
            responses={**file_answer("The decision letter as PDF (Japanese, fonts embedded).",
                                     PDF), **responses(404, 409, 422, 503)})
def decision_letter(_: Viewer, db: DbDep, association_id: AssociationId) -> Response:
    """実施決定通知書 for an accepted application, the letter of rejection with its reason
    for a rejected one, from the secretariat's template."""
    kind, letter = letters.letter_for(db, association_id)
    return download(letters.pdf(letter), PDF, letters.filename(kind, association_id))


@router.get("/letter-templates/{kind}", response_model=TemplateOut,
            responses=responses(422))
def read_template(_: Viewer, db: DbDep, response: Response, kind: Kind) -> TemplateOut:
    """The wording in force; the ETag is the version to send back (\"0\": the default)."""
    return _out(letters.template(db, kind), response)


@router.put("/letter-templates/{kind}", response_model=TemplateOut,
            responses=responses(412, 422, 428))
def save_template(actor: Admin, db: DbDep, response: Response, kind: Kind, body: TemplateIn,
                  if_match: IfMatch = None) -> TemplateOut:
    """Change the wording (admins); unknown placeholders are refused."""
    saved = letters.put_template(db, kind, body.title, body.body, if_match, actor.name)
    db.commit()
    return _out(saved, response)


@router.delete("/letter-templates/{kind}", response_model=TemplateOut,
               responses=responses(412, 422, 428))
def reset_template(actor: Admin, db: DbDep, response: Response, kind: Kind,
                   if_match: IfMatch = None) -> TemplateOut:
    """Back to the default wording (admins)."""
    reset = letters.reset_template(db, kind, if_match, actor.name)
    db.commit()
    return _out(reset, response)


@router.get("/letter-templates/{kind}/sample", response_class=Response,
            responses={**file_answer("The template filled with an example association.", PDF),
                       **responses(409, 422, 503)})
def sample_letter(_: Viewer, db: DbDep, kind: Kind) -> Response:
    """What the template looks like on paper."""
    return download(letters.pdf(letters.sample(db, kind)), PDF, f"{kind}-letter-sample.pdf")
