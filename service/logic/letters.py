"""Decision letters: the secretariat's templates (stored, with defaults), filled for one
association's decision and laid out as PDF by reports.letters.

Placeholders are written ``{association_name}``; the list is PLACEHOLDERS. A template that
names an unknown one is refused when saved, so a letter never prints a stray brace.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from domain.errors import Issue
from domain.japanese_dates import seireki, wareki
from domain.scenario import Association, Programme
from domain.vocabulary import Label
from reports.letters import Letter, LetterFontMissing, render_pdf
from service.db.models import LetterTemplateRow, OutboxRow
from service.logic import audit, mail_texts, outbox
from service.logic.errors import Conflict, Invalid, ServiceError
from service.logic.records import association_row
from service.logic.state import check_if_match, programme

LetterKind = Literal["acceptance", "rejection"]
KINDS: tuple[LetterKind, ...] = ("acceptance", "rejection")

TITLE_LENGTH = 200
BODY_LENGTH = 8000


class LetterUnavailable(ServiceError):
    """A part the letters need is not installed here (the Japanese font)."""

    status_code = 503


PLACEHOLDERS: dict[str, Label] = {
    "association_name": Label("団体名", "The association's name"),
    "contact_name": Label("ご担当者名", "The contact's name"),
    "decision": Label("決定内容", "The decision in words"),
    "decided_on": Label("決定日（令和）", "Decision date, Japanese era (令和7年7月16日)"),
    "decided_on_western": Label("決定日（西暦）", "Decision date, Western year (2025年7月16日)"),
    "reason": Label("理由", "The reason recorded with the decision"),
    "programme_name": Label("事業名", "The programme's name"),
    "sessions_requested": Label("希望回数", "Sessions requested"),
    "association_id": Label("団体ID", "The association's id"),
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

DECISIONS: dict[LetterKind, str] = {
    "acceptance": "専門家派遣の実施決定",
    "rejection": "不採択（専門家派遣を実施しない）",
}


@dataclass(frozen=True)
class Template:
    kind: LetterKind
    title: str
    body: str
    version: int  # 0: the default, never saved
    updated_by: str | None = None
    updated_at: dt.datetime | None = None

    @property
    def is_default(self) -> bool:
        return self.version == 0


DEFAULTS: dict[LetterKind, tuple[str, str]] = {
    "acceptance": ("実施決定通知書", """\
拝啓　時下ますますご清栄のこととお喜び申し上げます。

このたびは「{programme_name}」にお申込みいただき、誠にありがとうございました。
お申込み内容及び事前ヒアリングの結果に基づき審査いたしました結果、下記のとおり専門家派遣の実施を決定しましたので通知いたします。
派遣の日程につきましては、追って事務局からご連絡いたします。

敬具

記

1　団体名　　{association_name}
2　決定内容　{decision}
3　決定日　　{decided_on}
4　支援回数　{sessions_requested}回（各回1〜2時間）

以上"""),
    "rejection": ("不採択通知書", """\
拝啓　時下ますますご清栄のこととお喜び申し上げます。

このたびは「{programme_name}」にお申込みいただき、誠にありがとうございました。
お申込み内容及び事前ヒアリングの結果に基づき慎重に審査いたしました結果、誠に残念ながら、下記の理由により今回はご希望に添えないこととなりましたので通知いたします。
何卒ご理解を賜りますようお願い申し上げます。

敬具

記

1　団体名　　{association_name}
2　決定内容　{decision}
3　決定日　　{decided_on}
4　理由　　　{reason}

以上"""),
}


def template(db: Session, kind: LetterKind) -> Template:
    row = db.get(LetterTemplateRow, kind)
    if row is None:
        title, body = DEFAULTS[kind]
        return Template(kind, title, body, 0)
    return Template(kind, row.title, row.body, row.version, row.updated_by, row.updated_at)


def _check_text(title: str, body: str) -> None:
    issues = []
    for name, value, longest in (("title", title, TITLE_LENGTH), ("body", body, BODY_LENGTH)):
        if not value.strip():
            issues.append(Issue(name, "must not be empty"))
        elif len(value) > longest:
            issues.append(Issue(name, f"at most {longest} characters (has {len(value)})"))
        elif "\x00" in value:
            issues.append(Issue(name, "NUL characters are not accepted"))
        unknown = sorted({m[1] for m in _PLACEHOLDER.finditer(value)} - set(PLACEHOLDERS))
        if unknown:
            issues.append(Issue(name, "unknown placeholder(s) " + ", ".join(
                f"{{{u}}}" for u in unknown) + "; known: " + ", ".join(
                f"{{{p}}}" for p in PLACEHOLDERS)))
    if issues:
        raise Invalid(issues)


def put_template(db: Session, kind: LetterKind, title: str, body: str, if_match: str | None,
                 actor: str) -> Template:
    """Save the secretariat's wording (If-Match: the version read; "0" for the default)."""
    current = template(db, kind)
    check_if_match(current.version, if_match, f"the {kind} letter's template")
    _check_text(title, body)
    row = db.get(LetterTemplateRow, kind)
    if row is None:
        row = LetterTemplateRow(kind=kind, title=title, body=body, updated_by=actor)
        db.add(row)
    else:
        row.title, row.body, row.updated_by = title, body, actor
    db.flush()
    audit.record(db, actor, "update", "letter_template", kind, title=title)
    return template(db, kind)


def reset_template(db: Session, kind: LetterKind, if_match: str | None,
                   actor: str) -> Template:
    """Back to the default wording."""
    current = template(db, kind)
    check_if_match(current.version, if_match, f"the {kind} letter's template")
    row = db.get(LetterTemplateRow, kind)
    if row is not None:
        db.delete(row)
        db.flush()
        audit.record(db, actor, "reset", "letter_template", kind)
    return template(db, kind)


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def kind_for(status: str) -> LetterKind | None:
    return {"accepted": "acceptance", "completed": "acceptance",
            "rejected": "rejection"}.get(status)  # type: ignore[return-value]


def letter_for(db: Session, association_id: str) -> tuple[LetterKind, Letter]:
    """The decision letter of an accepted (or completed) or rejected application."""
    row = association_row(db, association_id)
    association = Association.model_validate(row.data)
    kind = kind_for(association.status)
    if kind is None or association.decided_on is None:
        raise Conflict(f"association {association_id} is {association.status}: a letter "
                       "exists once it is accepted or rejected")
    return kind, compose(template(db, kind), programme(db), association,
                         row.decision_reason or "")


def compose(chosen: Template, prog: Programme, association: Association,
            reason: str) -> Letter:
    decided_on = association.decided_on or dt.date.today()
    values = {
        "association_name": association.name,
        "contact_name": association.contact.name if association.contact else "",
        "decision": DECISIONS[chosen.kind],
        "decided_on": wareki(decided_on),
        "decided_on_western": seireki(decided_on),
        "reason": reason,
        "programme_name": prog.name,
        "sessions_requested": str(association.sessions_requested),
        "association_id": association.id,
    }
    contact = association.contact.name if association.contact and \
        association.contact.name else ""
    addressee = f"{association.name}　御中" + (f"\n{contact}　様" if contact else "")
    sender = f"{prog.name}　事務局" + (f"\n{prog.secretariat_contact}"
                                     if prog.secretariat_contact else "")
    title = fill(chosen.title, values)
    return Letter(date_line=wareki(decided_on), addressee=addressee, sender=sender,
                  title=title, body=fill(chosen.body, values),
                  document_title=f"{title} {association.name}")


def pdf(letter: Letter) -> bytes:
    try:
        return render_pdf(letter)
    except LetterFontMissing as missing:
        raise LetterUnavailable(str(missing)) from None


def sample(db: Session, kind: LetterKind, chosen: Template | None = None) -> Letter:
    """The letter filled with an example association: what the template will look like."""
    example = Association.model_validate({
        "id": "A001", "name": "東京都〇〇商店街振興組合連合会", "legal_form": "sme_cooperative",
        "prefecture": "東京都", "city": "千代田区", "industry": "retail",
        "applied_at": "2025-07-02T10:15:00+09:00", "decided_on": "2025-07-16",
        "status": "accepted" if kind == "acceptance" else "rejected",
        "needs": ["labour_law"], "sessions_requested": 5, "session_minutes": 120,
        "mode": "either", "contact": {"name": "佐藤 一郎"}})
    return compose(chosen or template(db, kind), programme(db), example,
                   "都内に住所または主たる事務所がないため（例）")


def filename(kind: LetterKind, association_id: str) -> str:
    return f"{kind}-letter-{association_id}.pdf"


def decision_key(association_id: str, kind: LetterKind) -> str:
    """The outbox key of the decision's e-mail: an application is decided once."""
    return f"decision:{association_id}:{kind}"


def queue_decision_letter(db: Session, association_id: str) -> OutboxRow | None:
    """Queue, in ``db``'s transaction, the decision letter as PDF to the association's
    contact (None when no address is known). Raises LetterUnavailable when the PDF
    cannot be made here, so that the decision is not recorded without its letter."""
    row = association_row(db, association_id)
    association = Association.model_validate(row.data)
    contact = association.contact
    if contact is None or not contact.email:
        return None
    kind, letter = letter_for(db, association_id)
    key = decision_key(association_id, kind)
    if outbox.exists(db, key):
        return None
    prog = programme(db)
    assert association.decided_on is not None  # letter_for refuses an undecided one
    subject, text = mail_texts.decision_letter(
        contact.name or association.name, association.name, prog.name,
        kind == "acceptance", association.decided_on, prog.secretariat_contact)
    return outbox.queue_message(
        db, to=contact.email, to_name=contact.name or association.name, subject=subject,
        text=text, key=key, kind="decision", about=("association", association_id),
        attachments=[outbox.Attachment(filename(kind, association_id), "application/pdf",
                                       pdf(letter))])
