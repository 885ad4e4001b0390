"""Decision letters in the console: an application's letter as PDF, and the templates'
page, where admins change the wording (saved through the same logic as the API's PUT)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.console import sessions
from service.console.texts import label, text
from service.console.toolkit import (
    Forbidden,
    SignedInDep,
    StaffForm,
    form_text,
    language,
    redirect_to,
    render,
)
from service.logic import letters
from service.logic.errors import Invalid, NotFound, PreconditionFailed
from service.logic.letters import KINDS, LetterKind
from service.logic.state import etag
from service.web.dependencies import DbDep
from service.web.files import PDF, download

router = APIRouter(include_in_schema=False)


@router.get("/applications/{association_id}/letter.pdf")
def letter_pdf(db: DbDep, who: SignedInDep, association_id: str) -> Response:
    kind, letter = letters.letter_for(db, association_id)
    return download(letters.pdf(letter), PDF, letters.filename(kind, association_id))


def _kind(kind: str) -> LetterKind:
    if kind not in KINDS:
        raise NotFound(f"no letter {kind!r}; letters: {', '.join(KINDS)}")
    return kind


@router.get("/letters/{kind}/sample.pdf")
def sample_pdf(db: DbDep, who: SignedInDep, kind: str) -> Response:
    chosen = _kind(kind)
    return download(letters.pdf(letters.sample(db, chosen)), PDF,
                    f"{chosen}-letter-sample.pdf")


def _page(request: Request, db: DbDep, who: sessions.SignedIn,
          entered: dict[str, dict[str, str]] | None = None,
          errors: dict[str, dict[str, str]] | None = None, message: str | None = None,
          done: bool = False, status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    templates = {kind: letters.template(db, kind) for kind in KINDS}
    shown: dict[str, dict[str, Any]] = {
        kind: {"title": t.title, "body": t.body, "version": str(t.version)}
        for kind, t in templates.items()}
    for kind, values in (entered or {}).items():
        shown[kind].update(values)
    return render(request, "letters.html", {
        "templates": templates, "shown": shown, "errors": errors or {}, "message": message,
        "done": done, "may_admin": who.actor.may("admin"),
        "placeholders": {k: label(v, lang) for k, v in letters.PLACEHOLDERS.items()},
        "kinds": KINDS,
    }, who, status_code=status_code)


@router.get("/letters")
def letters_page(request: Request, db: DbDep, who: SignedInDep,
                 done: str | None = None) -> HTMLResponse:
    return _page(request, db, who, done=done == "saved")


@router.post("/letters/{kind}")
def save_letter(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
                kind: str) -> Response:
    chosen = _kind(kind)
    if not who.actor.may("admin"):
        raise Forbidden
    entered = {"title": form_text(form, "title") or "",
               "body": (str(form.get("body") or "")).replace("\r\n", "\n").strip("\n"),
               "version": form_text(form, "version") or ""}
    version = entered["version"]
    if_match = etag(int(version)) if version.isdigit() else None
    try:
        if form.get("reset") == "yes":
            letters.reset_template(db, chosen, if_match, who.actor.name)
        else:
            letters.put_template(db, chosen, entered["title"], entered["body"], if_match,
                                 who.actor.name)
        db.commit()
    except Invalid as error:
        db.rollback()
        errors: dict[str, dict[str, str]] = {
            chosen: {issue.path: issue.message for issue in error.issues}}
        return _page(request, db, who, {chosen: entered}, errors, status_code=422)
    except PreconditionFailed:
        db.rollback()
        current = letters.template(db, chosen)
        return _page(request, db, who, {chosen: {**entered, "version": str(current.version)}},
                     message=text("stale", language(request)), status_code=412)
    return redirect_to(f"/letters?done=saved#letter-{chosen}")
