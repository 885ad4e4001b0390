"""Contact details and how each person hears of their sessions, and the outbox.

``/contacts/expert/E001`` and ``/contacts/association/A001`` edit the address (an
expert's ``email``; an association's ``contact``) through the same logic as the API's
PUT (If-Match, the state's validation), and the choice of invitations, the feed or
both, in one transaction: an error names its field and nothing is saved.
``/outbox`` lists the e-mail queued, sent and failed, and sends a failed one again.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from domain.scenario import Association, Expert
from service.console import sessions
from service.console.texts import TEXTS, text
from service.console.toolkit import (
    Forbidden,
    SignedInDep,
    StaffForm,
    form_text,
    language,
    redirect_to,
    render,
)
from service.db.models import AssociationRow, ExpertRow
from service.logic import invitations, mailer, outbox, records
from service.logic.errors import Invalid, NotFound, PreconditionFailed, ServiceError
from service.logic.state import etag
from service.web.dependencies import DbDep, SettingsDep

router = APIRouter(include_in_schema=False)
# Kinds of message with a label of their own; any other kind is shown as it is named.
KIND_TEXTS = frozenset(key for key in TEXTS if key.startswith("kind_"))

Subject = Literal["expert", "association"]
FIELDS = {"expert": ("email", "delivery"),
          "association": ("contact_name", "email", "phone", "delivery")}


def _subject(kind: str) -> Subject:
    if kind not in FIELDS:
        raise NotFound(f"no such page: /contacts/{kind}")
    return kind  # type: ignore[return-value]


def _saved(db: DbDep, subject: Subject, subject_id: str) -> tuple[Any, dict[str, str]]:
    """The record's row and what the form shows of it."""
    row: ExpertRow | AssociationRow
    if subject == "expert":
        row = records.expert_row(db, subject_id)
        shown = {"email": row.data.get("email") or ""}
    else:
        row = records.association_row(db, subject_id)
        contact = row.data.get("contact") or {}
        shown = {"contact_name": contact.get("name") or "", "email": contact.get("email") or "",
                 "phone": contact.get("phone") or ""}
    shown["delivery"] = row.delivery or ""
    shown["version"] = str(row.version)
    return row, shown


def _page(request: Request, db: DbDep, who: sessions.SignedIn, subject: Subject,
          subject_id: str, entered: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, message: str | None = None,
          done: bool = False, status_code: int = 200) -> HTMLResponse:
    row, shown = _saved(db, subject, subject_id)
    choice = invitations.delivery_choice(db, subject, subject_id)
    return render(request, "contact.html", {
        "subject": subject, "subject_id": subject_id, "name": row.data["name"],
        "entered": entered or shown, "saved": shown, "choice": choice,
        "fields": FIELDS[subject], "deliveries": invitations.DELIVERIES,
        "errors": errors or {}, "message": message, "done": done,
        "back": f"/experts/{subject_id}" if subject == "expert"
        else f"/applications/{subject_id}",
    }, who, status_code=status_code)


@router.get("/contacts/{kind}/{subject_id}")
def contact_page(request: Request, db: DbDep, who: SignedInDep, kind: str, subject_id: str,
                 done: str | None = None) -> HTMLResponse:
    return _page(request, db, who, _subject(kind), subject_id, done=done == "saved")


def _edited(subject: Subject, data: dict[str, Any], entered: dict[str, str]
            ) -> tuple[Expert | Association | None, dict[str, str]]:
    """The record with the entered contact details, or None and the errors by field."""
    record = dict(data)
    if subject == "expert":
        record.pop("email", None)
        if entered["email"]:
            record["email"] = entered["email"]
    else:
        contact = {"name": entered["contact_name"], "email": entered["email"] or None,
                   "phone": entered["phone"] or None}
        contact = {key: value for key, value in contact.items() if value}
        record.pop("contact", None)
        if contact:
            record["contact"] = contact
    try:
        model = Expert if subject == "expert" else Association
        return model.model_validate(record), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for issue in error.errors():
            where = [str(part) for part in issue["loc"]]
            name = {"name": "contact_name"}.get(where[-1], where[-1]) \
                if where[0] == "contact" else where[0]
            errors.setdefault(name if name in FIELDS[subject] else "form", issue["msg"])
        return None, errors


@router.post("/contacts/{kind}/{subject_id}")
def save_contact(request: Request, db: DbDep, who: SignedInDep, form: StaffForm, kind: str,
                 subject_id: str) -> Response:
    subject = _subject(kind)
    lang = language(request)
    entered = {name: form_text(form, name) or "" for name in (*FIELDS[subject], "version")}
    row, _ = _saved(db, subject, subject_id)
    errors: dict[str, str] = {}
    delivery = entered["delivery"] or None
    if delivery is not None and delivery not in invitations.DELIVERIES:
        errors["delivery"] = text("delivery_hint", lang)
    record, record_errors = _edited(subject, row.data, entered)
    errors.update(record_errors)
    if errors or record is None:
        return _page(request, db, who, subject, subject_id, entered, errors, status_code=422)
    version = entered["version"]
    if_match = etag(int(version)) if version.isdigit() else None
    try:
        if isinstance(record, Expert):
            records.update_expert(db, subject_id, record, if_match, who.actor.name)
        else:
            records.update_association(db, subject_id, record, if_match, who.actor.name)
        if delivery is not None:
            invitations.set_delivery(db, subject, subject_id, delivery,  # type: ignore[arg-type]
                                     who.actor.name)
        db.commit()
    except Invalid as error:
        db.rollback()
        return _page(request, db, who, subject, subject_id, entered,
                     {"form": "; ".join(str(issue) for issue in error.issues)},
                     status_code=422)
    except PreconditionFailed:
        db.rollback()
        _, fresh = _saved(db, subject, subject_id)
        return _page(request, db, who, subject, subject_id,
                     {**entered, "version": fresh["version"]}, message=text("stale", lang),
                     status_code=412)
    except ServiceError as error:
        db.rollback()
        return _page(request, db, who, subject, subject_id, entered, message=error.message,
                     status_code=error.status_code)
    return redirect_to(f"/contacts/{subject}/{subject_id}?done=saved")


# --- the outbox ----------------------------------------------------------------------------


@router.get("/outbox")
def outbox_page(request: Request, db: DbDep, settings: SettingsDep, who: SignedInDep,
                status: str | None = None, done: str | None = None) -> HTMLResponse:
    if not who.actor.may("staff"):  # addresses and texts: staff, as the API's /outbox
        raise Forbidden
    chosen = status if status in outbox.STATUSES else None
    return render(request, "outbox.html", {
        "messages": outbox.listing(db, chosen, limit=200), "counts": outbox.counts(db),
        "status": chosen or "", "statuses": outbox.STATUSES,
        "not_sending": mailer.sending_state(settings, mailer.programme_of(db)),
        "done": done == "retried", "kinds": KIND_TEXTS,
    }, who)


@router.get("/outbox/{message_id}")
def message_page(request: Request, db: DbDep, who: SignedInDep, message_id: int
                 ) -> HTMLResponse:
    if not who.actor.may("staff"):
        raise Forbidden
    return render(request, "outbox_message.html", {"message": outbox.message_row(db, message_id)},
                  who)


@router.post("/outbox/{message_id}/retry")
def retry(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
          message_id: int) -> Response:
    try:
        outbox.retry(db, message_id, who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return render(request, "message.html", {"message": error.message}, who,
                      status_code=error.status_code)
    return redirect_to("/outbox?done=retried")
