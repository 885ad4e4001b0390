"""The online application (/apply): the application window, the form's record, the receipt.

An application sent through the public form becomes an association record of the exchange
format, validated by the same models and field limits as the API's POST /associations, and
stored as ``received`` with its pre-interview call due date (records.create_association).
The applicant gets a receipt number; the receipt e-mail goes through outgoing.queue_email.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.errors import Issue
from domain.limits import Address, Email, Key, Name, Phone, Place
from domain.scenario import Association, Contact, Programme, WeeklyWindows
from domain.types import format_clock
from domain.vocabulary import WEEKDAYS, AssociationMode, LegalForm
from service.db.models import (
    ApplicationReceiptRow,
    ApplySubmissionRow,
    AssociationRow,
    utcnow,
)
from service.logic import application_window, audit
from service.logic.applications import ELIGIBILITY
from service.logic.auth_limits import Limit
from service.logic.errors import Conflict, Invalid
from service.logic.outgoing import OutgoingEmail, queue_email
from service.logic.records import create_association
from service.logic.state import programme

# Who the audit log names for what came through the public form.
APPLICANT = "online application"

# --- the form's record ---------------------------------------------------------------------

# A plausible address, no more: what is real is shown when the receipt reaches it.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# The form's weekly grid: one-hour slots, "mon-09" = Mondays 09:00-10:00.
SLOT_MINUTES = 60
_SLOT = re.compile(r"(mon|tue|wed|thu|fri|sat|sun)-([01]\d|2[0-3])")
# Larger numbers are typing mistakes, not associations.
MAX_MEMBERS = 10_000_000

Required = StringConstraints(strip_whitespace=True, min_length=1)


class ApplicantContact(BaseModel):
    """The contact of the exchange format (``Contact``), every part required here."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[Name, Required]
    email: Annotated[Email, Required, StringConstraints(pattern=EMAIL_PATTERN)]
    phone: Annotated[Phone, Required]


class ApplicationIn(BaseModel):
    """What the applicant enters, with the exchange format's field limits; ``needs`` in
    order, the primary first; ``weekly`` None: any time in business hours."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[Name, Required]
    legal_form: LegalForm
    prefecture: Annotated[Place, Required]
    city: Annotated[Place, Required]
    address: Annotated[Address, Required]
    industry: Key
    member_count: int = Field(ge=0, le=MAX_MEMBERS)
    needs: list[Key] = Field(min_length=1)
    sessions_requested: int = Field(ge=1)
    session_minutes: int = Field(gt=0)
    mode: AssociationMode
    has_manual: bool
    weekly: WeeklyWindows | None = None
    contact: ApplicantContact
    declarations: list[Key] = []

    @model_validator(mode="after")
    def _needs_once_each(self) -> ApplicationIn:
        if len(set(self.needs)) != len(self.needs):
            raise ValueError("needs: each need at most once")
        return self


def weekly_from_slots(slots: set[str]) -> dict[str, list[list[str]]]:
    """Ticked one-hour slots joined into windows per weekday; ValueError on a forged slot."""
    hours: dict[str, list[int]] = {day: [] for day in WEEKDAYS}
    for slot in slots:
        match = _SLOT.fullmatch(slot)
        if match is None:
            raise ValueError(f"{slot!r} is not a slot of the grid")
        hours[match[1]].append(int(match[2]) * 60)
    weekly: dict[str, list[list[str]]] = {}
    for day, starts in hours.items():
        windows: list[list[int]] = []
        for start in sorted(starts):
            if windows and windows[-1][1] == start:
                windows[-1][1] = start + SLOT_MINUTES
            else:
                windows.append([start, start + SLOT_MINUTES])
        if windows:
            weekly[day] = [[format_clock(a), format_clock(b)] for a, b in windows]
    return weekly


def session_lengths(prog: Programme) -> list[int]:
    """The lengths offered: the programme's range in half hours (60, 90, 120)."""
    low, high = prog.session_minutes.min, prog.session_minutes.max
    lengths = list(range(low, high + 1, 30))
    return lengths if lengths[-1] == high else [*lengths, high]


@dataclass(frozen=True)
class Problem:
    """One field's problem in both languages; ``path`` as pydantic locates it."""

    path: str
    ja: str
    en: str


class ApplicationRefused(Invalid):
    """Invalid, with each problem in Japanese as well, for the form to show beside its field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([Issue(p.path, p.en) for p in problems])


def programme_problems(prog: Programme, entered: ApplicationIn) -> list[Problem]:
    """What the programme itself limits: its needs, its sessions, its declarations."""
    problems = []
    for index, need in enumerate(entered.needs):
        if need not in prog.words.needs:
            problems.append(Problem(f"needs.{index}", "この事業の相談内容ではありません",
                                    f"{need!r} is not a need of the programme"))
    if entered.sessions_requested > prog.max_sessions:
        problems.append(Problem("sessions_requested", f"{prog.max_sessions}回までです",
                                f"at most {prog.max_sessions} sessions"))
    lengths = "、".join(f"{m}分" for m in session_lengths(prog))
    if entered.session_minutes not in session_lengths(prog):
        problems.append(Problem("session_minutes", f"{lengths}のいずれかを選んでください",
                                "one of " + ", ".join(str(m) for m in session_lengths(prog))
                                + " minutes"))
    return problems


def declaration_problems(declared: object) -> list[Problem]:
    """Every eligibility item of the programme page must be declared, and nothing else."""
    items = [item for item in declared if isinstance(item, str)] \
        if isinstance(declared, list) else []
    problems = [Problem(f"declarations.{item}", "申込みには確認が必要です",
                        "must be declared to apply")
                for item in ELIGIBILITY if item not in items]
    problems += [Problem("declarations", "不明な項目です", "not an eligibility item")
                 for item in items if item not in ELIGIBILITY]
    return problems


def _problem(issue: Any) -> Problem:
    """pydantic's error in the applicant's words (its English kept as the English)."""
    path = ".".join(str(part) for part in issue["loc"]) or "form"
    kind, ctx, english = issue["type"], issue.get("ctx") or {}, issue["msg"]
    if kind == "missing" or (kind in ("string_too_short", "too_short")
                             and ctx.get("min_length") == 1):
        chosen = path in ("legal_form", "industry", "needs", "mode", "has_manual",
                          "sessions_requested", "session_minutes")
        return Problem(path, "選択してください" if chosen else "入力してください",
                       "Choose one" if chosen else "Required")
    if kind == "string_too_long":
        return Problem(path, f"{ctx['max_length']}文字以内で入力してください", english)
    # The address's syntax is checked by the pattern and by the domain's validator.
    if path.endswith("email") and kind in ("string_pattern_mismatch", "value_error"):
        return Problem(path, "メールアドレスの形式で入力してください（例: sato@example.jp）",
                       "Enter an e-mail address (e.g. sato@example.jp)")
    if kind == "string_pattern_mismatch" and path.endswith("phone"):
        return Problem(path, "数字とハイフンで入力してください（例: 03-0000-0000）",
                       "Digits and hyphens (e.g. 03-0000-0000)")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return Problem(path, "半角数字で入力してください", "Enter a whole number")
    if kind == "greater_than_equal":
        return Problem(path, f"{ctx['ge']}以上で入力してください", english)
    if kind == "greater_than":
        return Problem(path, f"{ctx['gt']}より大きい数で入力してください", english)
    if kind == "less_than_equal":
        return Problem(path, f"{ctx['le']:,}以下で入力してください", english)
    if kind in ("literal_error", "enum"):
        return Problem(path, "選択肢から選んでください", english)
    if kind == "bool_parsing":
        return Problem(path, "「はい」か「いいえ」を選んでください", english)
    return Problem(path, f"入力内容を確認してください（{english}）", english)


def association_of(entered: ApplicationIn, association_id: str,
                   applied_at: dt.datetime) -> Association:
    """The exchange format's record of the application, as staff would enter it."""
    record: dict[str, Any] = {
        "id": association_id, "name": entered.name, "legal_form": entered.legal_form,
        "prefecture": entered.prefecture, "city": entered.city, "address": entered.address,
        "industry": entered.industry, "member_count": entered.member_count,
        "applied_at": applied_at.isoformat(), "status": "received", "needs": entered.needs,
        "sessions_requested": entered.sessions_requested,
        "session_minutes": entered.session_minutes, "mode": entered.mode,
        "has_manual": entered.has_manual,
        "contact": Contact(name=entered.contact.name, email=entered.contact.email,
                           phone=entered.contact.phone).model_dump(),
    }
    if entered.weekly is not None:
        record["availability"] = {"weekly": entered.weekly.model_dump(mode="json")}
    return Association.model_validate(record)


def read_application(raw: dict[str, Any], prog: Programme) -> ApplicationIn:
    """The form's values checked all at once; ApplicationRefused lists every problem."""
    # The declarations are checked whatever else is wrong, so every problem shows at once.
    problems = declaration_problems(raw.get("declarations", []))
    try:
        entered = ApplicationIn.model_validate(raw)
    except ValidationError as error:
        problems = [_problem(issue) for issue in error.errors()
                    if issue["loc"][:1] != ("declarations",)] + problems
        raise ApplicationRefused(problems) from None
    problems = programme_problems(prog, entered) + problems
    if problems:
        raise ApplicationRefused(problems)
    return entered


# --- submitting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    number: str
    association_id: str
    received_at: dt.datetime
    call_due_on: dt.date
    # The receipt e-mail, and whether the outbox took it.
    email: OutgoingEmail
    email_queued: bool


# Crockford's base32 without look-alikes (no I, L, O, U): easy to read out on the phone.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def receipt_number(on: dt.date) -> str:
    code = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(6))
    return f"HK-{on:%Y%m%d}-{code}"


_NUMBERED = re.compile(r"A(\d{1,9})")


def next_association_id(db: Session) -> str:
    """A001, A002, ...: one past the highest id of that form (staff's ids of other forms
    are left alone)."""
    highest = 0
    for existing in db.scalars(select(AssociationRow.id)):
        if match := _NUMBERED.fullmatch(existing):
            highest = max(highest, int(match[1]))
    return f"A{highest + 1:03d}"


def too_many_posts(db: Session, client: str, limit: Limit) -> float | None:
    """Count a post of the form from ``client``: None while it may post, else the seconds
    until it may (the caller answers 429). Commits, whatever the post brings."""
    client = client[:64]
    now = utcnow()
    since = now - limit.window
    recent, oldest = db.execute(
        select(func.count(), func.min(ApplySubmissionRow.at))
        .where(ApplySubmissionRow.client == client, ApplySubmissionRow.at > since)).one()
    if recent >= limit.allowed:
        db.rollback()
        return max(1.0, (oldest + limit.window - now).total_seconds())
    db.execute(delete(ApplySubmissionRow).where(ApplySubmissionRow.at <= since))
    db.add(ApplySubmissionRow(client=client, at=now))
    if recent + 1 == limit.allowed:
        audit.record(db, APPLICANT, "apply_limit", "client", client, allowed=limit.allowed,
                     window_seconds=limit.window.total_seconds())
    db.commit()
    return None


# Two applications sent at the same moment may choose the same next id; the later one
# then takes the next.
_ID_ATTEMPTS = 5


def submit(db: Session, entered: ApplicationIn, client: str) -> Receipt:
    """Store the application as ``received`` with its receipt; the caller commits.

    Raises Conflict when the window is not open, Invalid when the state refuses it.
    """
    window = application_window.state(db)
    if not window.is_open:
        raise Conflict(f"applications are not accepted now (window {window.phase})")
    received_at = utcnow()
    for attempt in range(_ID_ATTEMPTS):
        association_id = next_association_id(db)
        association = association_of(entered, association_id, received_at)
        number = receipt_number(window.today or received_at.date())
        savepoint = db.begin_nested()
        try:
            row = create_association(db, association, APPLICANT)
            db.add(ApplicationReceiptRow(number=number, association_id=association_id,
                                         received_at=received_at, client=client[:64]))
            db.flush()
        except IntegrityError:
            savepoint.rollback()
            if attempt == _ID_ATTEMPTS - 1:
                raise
            continue
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        break
    audit.record(db, APPLICANT, "apply", "association", association_id, receipt=number,
                 client=client[:64])
    message = receipt_email(association, number, row.call_due_on, programme(db))
    queued = queue_email(db, message)
    return Receipt(number, association_id, received_at, row.call_due_on, message, queued)


def receipt_email(association: Association, number: str, call_due_on: dt.date,
                  prog: Programme) -> OutgoingEmail:
    """The receipt as the applicant's contact receives it: Japanese, then English."""
    contact = association.contact
    assert contact is not None and contact.email  # the form requires them
    body = "\n".join([
        f"{association.name}",
        f"{contact.name} 様",
        "",
        f"{prog.name}へのお申込みを受け付けました。",
        f"受付番号: {number}",
        "",
        f"{call_due_on.month}月{call_due_on.day}日までを目途に、事務局からお電話で"
        "ご連絡いたします（事前ヒアリング）。",
        "お問い合わせの際は受付番号をお知らせください。",
        *([f"事務局: {prog.secretariat_contact}"] if prog.secretariat_contact else []),
        "",
        "-----",
        f"We have received {association.name}'s application to {prog.name}.",
        f"Receipt number: {number}",
        f"The secretariat will call you by {call_due_on.isoformat()} for the pre-interview.",
        "Please quote the receipt number when you contact us.",
    ])
    return OutgoingEmail(to=contact.email, subject=f"【受付番号 {number}】お申込みを受け付けました"
                         f" / Application received", body=body,
                         about=("association", association.id),
                         key=f"receipt:{association.id}", kind="receipt")


def local_time(db: Session, moment: dt.datetime) -> dt.datetime:
    """``moment`` in the programme's time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(programme(db).timezone))


def receipt_of(db: Session, association_id: str) -> ApplicationReceiptRow | None:
    return db.scalars(select(ApplicationReceiptRow).where(
        ApplicationReceiptRow.association_id == association_id)).first()
