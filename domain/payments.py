"""Money of the programme: fees, travel, withholding tax, payees' bank accounts, the close.

Every amount is an integer of yen, end to end; rates are basis points (1 bp = 0.01 %, so
10.21 % is 1021), and every computation is integer arithmetic, rounded down to the yen
where the rule says so. Nothing here knows the database: the monthly close is a pure
function of the programme's rules, the experts, their payees and the approved sessions.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

import jaconv
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from domain.errors import InputError, Issue
from domain.limits import Key, Name, Note, Place, RecordId
from domain.types import ClockTime, IsoDate, format_clock

BASIS_POINTS = 10_000  # 100 %
# A month of payments, YYYY-MM, in this century (the programmes' years).
MONTH_PATTERN = r"^(20\d{2})-(0[1-9]|1[0-2])$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the characters a Zengin record carries --------------------------------------------

# The transfer file's C fields carry JIS X 0201: upper-case letters, digits, half-width
# katakana without the small ones, the two sound marks, the space and ( ) - . /
_HALF_KANA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝﾞﾟ"
ZENGIN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()-./" + _HALF_KANA)
# Small kana are written large in a bank's name records (ｷｭｳﾖ -> ｷﾕｳﾖ): unambiguous.
_SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ")
_WHY_NOT = {"ｰ": "the long vowel mark cannot be carried; write the vowel (ｻﾄｳ, not ｻﾄｰ)",
            "･": "the middle dot cannot be carried; use a space or a full stop"}


def to_zengin_text(text: str) -> str:
    """``text`` as a Zengin C field carries it: full-width and hiragana made half-width
    katakana, letters upper case, small kana large; ValueError naming what cannot be."""
    converted = jaconv.z2h(jaconv.hira2kata(text), kana=True, ascii=True, digit=True)
    converted = converted.upper().translate(_SMALL_TO_LARGE)
    bad = sorted({char for char in converted if char not in ZENGIN_CHARACTERS})
    if bad:
        reasons = [_WHY_NOT[char] for char in bad if char in _WHY_NOT]
        shown = " ".join(repr(char) for char in bad)
        raise ValueError(f"the bank transfer format cannot carry {shown}"
                         + (f" ({'; '.join(reasons)})" if reasons else "")
                         + ": use half-width katakana, A-Z, 0-9, space and ( ) - . /")
    return converted


def _zengin_text(width: int, required: bool = True) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # pydantic says it is not a string
        converted = to_zengin_text(value.strip())
        if required and not converted:
            raise ValueError("is empty")
        if len(converted) > width:
            raise ValueError(f"is {len(converted)} characters as the bank format writes it "
                             f"({converted}); the transfer record carries {width}")
        return converted

    return BeforeValidator(check)


def _digits(width: int, what: str) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = unicodedata.normalize("NFKC", value).strip()
        if not re.fullmatch(r"[0-9]+", text):
            raise ValueError(f"{what} must be {width} digits, got {value!r}")
        if len(text) != width:
            raise ValueError(f"{what} must be {width} digits, got {len(text)} ({value!r})")
        return text

    return BeforeValidator(check)


def _account_type(value: Any) -> Any:
    return {"普通": 1, "当座": 2, "1": 1, "2": 2}.get(value, value) if isinstance(
        value, str) else value


BankCode = Annotated[str, _digits(4, "a bank code"),
                     Field(pattern=r"^[0-9]{4}$", examples=["0001"])]
BranchCode = Annotated[str, _digits(3, "a branch code"),
                       Field(pattern=r"^[0-9]{3}$", examples=["123"])]
AccountNumber = Annotated[str, _digits(7, "an account number"),
                          Field(pattern=r"^[0-9]{7}$", examples=["1234567"])]
ConsignorCode = Annotated[str, _digits(10, "a consignor code"),
                          Field(pattern=r"^[0-9]{10}$", examples=["0000012345"])]
# 1 普通 (ordinary), 2 当座 (current), as the transfer record writes them.
AccountType = Annotated[Literal[1, 2], BeforeValidator(_account_type),
                        Field(description="1 普通 (ordinary) or 2 当座 (current); "
                                          "the words 普通 and 当座 are read too.")]
HolderName = Annotated[str, _zengin_text(30), Field(
    min_length=1, max_length=30, examples=["ﾔﾏﾀﾞ ﾊﾅｺ"],
    description="The account holder as the bank has it, in half-width katakana (full-width "
                "katakana and hiragana are converted; small kana written large).")]
BankName = Annotated[str, _zengin_text(15, required=False), Field(max_length=15)]
RemitterName = Annotated[str, _zengin_text(40), Field(min_length=1, max_length=40)]

ACCOUNT_TYPE_JA = {1: "普通", 2: "当座"}
PayeeType = Literal["individual", "corporate"]
PAYEE_TYPE_JA = {"individual": "個人", "corporate": "法人"}


def masked(number: str) -> str:
    """An account number shown to those who may not read it: its last three digits."""
    return "*" * (len(number) - 3) + number[-3:]


class BankAccount(_Record):
    """A payee's account, as the Zengin transfer record carries it."""

    bank_code: BankCode
    bank_name: BankName = Field(default="", description="In half-width katakana (optional).")
    branch_code: BranchCode
    branch_name: BankName = Field(default="", description="In half-width katakana (optional).")
    account_type: AccountType
    account_number: AccountNumber
    holder_name: HolderName

    def masked(self) -> BankAccount:
        return self.model_copy(update={"account_number": masked(self.account_number)})


class Payee(_Record):
    """Who is paid for an expert's sessions: the expert (individual) or a firm (corporate)."""

    expert_id: RecordId
    payee_type: PayeeType
    account: BankAccount


# --- the programme's rules, as data ------------------------------------------------------


class FeeRule(_Record):
    """A fee per hour of session (pro rata by the minute, rounded down) or per session."""

    basis: Literal["per_hour", "per_session"]
    yen: int = Field(ge=0, le=10_000_000, strict=True)

    def fee_for(self, minutes: int) -> int:
        return self.yen if self.basis == "per_session" else self.yen * minutes // 60


class ActualTravel(_Record):
    """Travel as claimed (actual cost), up to a cap per session; onsite sessions only."""

    kind: Literal["actual_up_to_cap"] = "actual_up_to_cap"
    cap_yen: int = Field(ge=0, le=1_000_000, strict=True)


class FixedTravel(_Record):
    """A fixed amount per onsite session by the association's area (its city, else its
    prefecture, else ``default_yen``); the amount claimed is not used."""

    kind: Literal["fixed_by_area"] = "fixed_by_area"
    by_area: dict[Place, Annotated[int, Field(ge=0, le=1_000_000, strict=True)]] = {}
    default_yen: int = Field(default=0, ge=0, le=1_000_000, strict=True)


class WithholdingRule(_Record):
    """Income tax withheld from an individual's payment (源泉徴収): ``rate_bp`` of the
    payment up to ``threshold_yen`` and ``excess_rate_bp`` of the rest, rounded down.

    The default is the rule for remuneration (報酬・料金): 10.21 % up to ¥1,000,000 and
    20.42 % of the excess. Travel paid to the payee is part of the payment unless
    ``includes_travel`` is false. Corporate payees have nothing withheld."""

    rate_bp: int = Field(default=1021, ge=0, le=BASIS_POINTS, strict=True)
    threshold_yen: int = Field(default=1_000_000, ge=0, strict=True)
    excess_rate_bp: int = Field(default=2042, ge=0, le=BASIS_POINTS, strict=True)
    includes_travel: bool = True

    def tax_on(self, payment_yen: int) -> int:
        if payment_yen <= 0:
            return 0
        within = min(payment_yen, self.threshold_yen)
        excess = payment_yen - within
        return (within * self.rate_bp + excess * self.excess_rate_bp) // BASIS_POINTS


class Remitter(_Record):
    """The secretariat's own account the transfers are made from (振込依頼人), and the
    consignor code its bank gave it; written in the transfer file's header."""

    consignor_code: ConsignorCode
    name: RemitterName
    bank_code: BankCode
    bank_name: BankName = ""
    branch_code: BranchCode
    branch_name: BankName = ""
    account_type: AccountType
    account_number: AccountNumber


DEFAULT_FEE = FeeRule(basis="per_hour", yen=15_000)


class PaymentRules(_Record):
    """Fees, travel and withholding of a programme (the ``payments`` block).

    A fee by qualification: an expert with several listed qualifications is paid the
    highest of their fees; one with none listed, ``default_fee``. Tokyo's defaults: ¥15,000
    an hour, travel as claimed up to ¥5,000 a session, the remuneration withholding rule."""

    fees: dict[Key, FeeRule] = {}
    default_fee: FeeRule = DEFAULT_FEE
    travel: Annotated[ActualTravel | FixedTravel, Field(discriminator="kind")] = ActualTravel(
        cap_yen=5_000)
    withholding: WithholdingRule = WithholdingRule()
    remitter: Remitter | None = None

    def fee_rule(self, qualifications: Iterable[str]) -> FeeRule:
        listed = [self.fees[q] for q in qualifications if q in self.fees]
        if not listed:
            return self.default_fee
        # The highest for a session of an hour: per-hour and per-session fees compared alike.
        return max(listed, key=lambda rule: rule.fee_for(60))


# --- what the close reads: approved sessions ----------------------------------------------


@dataclass(frozen=True)
class PayableSession:
    """An approved, unpaid session of one expert (one row per expert per session), as the
    session's life hands it to the close. ``start``/``end`` are minutes after midnight."""

    association_id: str
    number: int
    expert_id: str
    date: dt.date
    start: int
    end: int
    mode: str  # "onsite" or "online"
    travel_claimed_yen: int
    approved_at: dt.datetime

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.association_id, self.number, self.expert_id)

    def label(self) -> str:
        return f"{self.association_id} #{self.number} {self.expert_id}"


@dataclass(frozen=True)
class Adjustment:
    """A correction paid (or taken back, when negative) in a later month, with its reason."""

    expert_id: str
    amount_yen: int
    reason: str
    # Part of the payment withholding is computed on (a fee), or not (a travel refund).
    taxable: bool = True
    id: int | None = None


# --- what the close writes ------------------------------------------------------------------


class SessionLine(_Record):
    association_id: RecordId
    association_name: Name
    number: int
    date: IsoDate
    start: ClockTime
    end: ClockTime
    mode: Literal["onsite", "online"]
    minutes: int
    fee_yen: int
    travel_claimed_yen: int
    travel_yen: int


class AdjustmentLine(_Record):
    id: int | None = None
    amount_yen: int
    reason: Note
    taxable: bool


class PaymentEntry(_Record):
    """One payee's payment of a month: fee, travel, adjustments, withholding, net."""

    expert_id: RecordId
    expert_name: Name
    payee_type: PayeeType
    account: BankAccount
    sessions: list[SessionLine]
    adjustments: list[AdjustmentLine] = []
    fee_yen: int
    travel_yen: int
    adjustment_yen: int
    gross_yen: int = Field(description="fee + travel + adjustments: the amount paid (支払金額).")
    withholding_yen: int = Field(description="Income tax withheld (源泉徴収税額).")
    net_yen: int = Field(description="What is transferred: gross less withholding.")

    def masked(self) -> PaymentEntry:
        return self.model_copy(update={"account": self.account.masked()})


class MonthTotals(_Record):
    payees: int
    sessions: int
    fee_yen: int
    travel_yen: int
    adjustment_yen: int
    gross_yen: int
    withholding_yen: int
    net_yen: int


class MonthClose(_Record):
    """The payments of a month: an entry per payee, and what they add up to."""

    month: Annotated[str, Field(pattern=MONTH_PATTERN, examples=["2026-07"])]
    pay_on: IsoDate
    entries: list[PaymentEntry]
    totals: MonthTotals

    @model_validator(mode="after")
    def _totals_add_up(self) -> MonthClose:
        if _totals(self.entries) != self.totals:
            raise ValueError("the totals do not add up to the entries")
        return self

    def masked(self) -> MonthClose:
        return self.model_copy(update={"entries": [e.masked() for e in self.entries]})


def _totals(entries: Sequence[PaymentEntry]) -> MonthTotals:
    return MonthTotals(
        payees=len(entries), sessions=sum(len(e.sessions) for e in entries),
        fee_yen=sum(e.fee_yen for e in entries), travel_yen=sum(e.travel_yen for e in entries),
        adjustment_yen=sum(e.adjustment_yen for e in entries),
        gross_yen=sum(e.gross_yen for e in entries),
        withholding_yen=sum(e.withholding_yen for e in entries),
        net_yen=sum(e.net_yen for e in entries))


class ExpertFacts(_Record):
    """What the close needs of an expert: the name on the statement, the qualifications
    that set the fee."""

    name: Name
    qualifications: list[Key]


class AssociationFacts(_Record):
    """What the close needs of an association: its name, and its area for fixed travel."""

    name: Name
    city: Place = ""
    prefecture: Place = ""


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-07"`` -> (2026, 7); ValueError naming the text otherwise."""
    match = re.fullmatch(MONTH_PATTERN[1:-1], text)
    if not match:
        raise ValueError(f"{text!r} is not a month YYYY-MM (2000-01 to 2099-12)")
    return int(match.group(1)), int(match.group(2))


def _is_yen(value: object) -> bool:
    return type(value) is int  # not a bool, a float or a decimal: whole yen only


def close_month(rules: PaymentRules, month: str, pay_on: dt.date,
                sessions: Sequence[PayableSession], payees: Mapping[str, Payee],
                experts: Mapping[str, ExpertFacts], associations: Mapping[str, AssociationFacts],
                adjustments: Sequence[Adjustment] = (),
                source: str = "sessions") -> MonthClose:
    """The month's payments: per payee the sessions' fees and travel, the adjustments,
    the tax withheld and the net. Raises InputError naming every bad row; nothing is
    returned then, so nothing half-closed can be stored."""
    issues: list[Issue] = []
    try:
        year, month_number = parse_month(month)
    except ValueError as error:
        raise InputError(source, [Issue("month", str(error))]) from None
    seen: set[tuple[str, int, str]] = set()
    lines: dict[str, list[SessionLine]] = {}
    for index, session in enumerate(sessions):
        where = f"[{index}] ({session.label()})"
        problems = _session_problems(rules, session, year, month_number, experts,
                                     associations, seen)
        issues += [Issue(f"{where}.{field}" if field else where, message)
                   for field, message in problems]
        seen.add(session.key)
        if problems:
            continue
        lines.setdefault(session.expert_id, []).append(
            _line(rules, session, experts[session.expert_id], associations[
                session.association_id]))
    by_expert: dict[str, list[Adjustment]] = {}
    for index, adjustment in enumerate(adjustments):
        where = f"adjustments[{index}] ({adjustment.expert_id})"
        if adjustment.expert_id not in experts:
            issues.append(Issue(f"{where}.expert_id", "no such expert"))
        elif not _is_yen(adjustment.amount_yen) or adjustment.amount_yen == 0:
            issues.append(Issue(f"{where}.amount_yen", "must be a non-zero whole number of yen"))
        elif not adjustment.reason.strip():
            issues.append(Issue(f"{where}.reason", "an adjustment needs its reason"))
        else:
            by_expert.setdefault(adjustment.expert_id, []).append(adjustment)
    entries = []
    for expert_id in sorted(set(lines) | set(by_expert)):
        payee = payees.get(expert_id)
        if payee is None:
            issues.append(Issue(f"payees ({expert_id})",
                                "no payee record (payee type and bank account): an admin "
                                "sets it before the month can be closed"))
            continue
        entry = _entry(rules, experts[expert_id], payee, lines.get(expert_id, []),
                       by_expert.get(expert_id, []))
        if entry.net_yen < 0:
            issues.append(Issue(f"payees ({expert_id})",
                                f"the month's net is ¥{entry.net_yen:,}: a transfer cannot be "
                                "negative; carry the adjustment to a month with more to pay"))
            continue
        entries.append(entry)
    if issues:
        raise InputError(source, issues)
    return MonthClose(month=month, pay_on=pay_on, entries=entries, totals=_totals(entries))


def _session_problems(rules: PaymentRules, session: PayableSession, year: int, month: int,
                      experts: Mapping[str, ExpertFacts],
                      associations: Mapping[str, AssociationFacts],
                      seen: set[tuple[str, int, str]]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if session.key in seen:
        problems.append(("", "the same expert's session is listed twice"))
    if session.expert_id not in experts:
        problems.append(("expert_id", f"no expert {session.expert_id!r}"))
    if session.association_id not in associations:
        problems.append(("association_id", f"no association {session.association_id!r}"))
    # A session is paid in its month's close; one approved after its month was closed is
    # paid in a later close (the service hands those in), never in an earlier one.
    if (session.date.year, session.date.month) > (year, month):
        problems.append(("date", f"{session.date.isoformat()} is not in "
                                 f"{year:04d}-{month:02d} or before it"))
    if session.end <= session.start:
        problems.append(("end", "is not after start"))
    if session.mode not in ("onsite", "online"):
        problems.append(("mode", f"{session.mode!r} is neither onsite nor online"))
    claimed = session.travel_claimed_yen
    if not _is_yen(claimed) or claimed < 0:
        problems.append(("travel_claimed_yen", f"{claimed!r} is not a whole number of yen "
                                               "(0 or more)"))
    elif claimed and session.mode == "online":
        problems.append(("travel_claimed_yen",
                         f"¥{claimed:,} claimed for an online session: travel is paid for "
                         "onsite sessions only"))
    elif isinstance(rules.travel, ActualTravel) and claimed > rules.travel.cap_yen:
        problems.append(("travel_claimed_yen",
                         f"¥{claimed:,} is over the programme's cap of "
                         f"¥{rules.travel.cap_yen:,} a session"))
    return problems


def travel_for(rules: PaymentRules, session: PayableSession,
               association: AssociationFacts) -> int:
    if session.mode != "onsite":
        return 0
    travel = rules.travel
    if isinstance(travel, ActualTravel):
        return session.travel_claimed_yen
    for area in (association.city, association.prefecture):
        if area and area in travel.by_area:
            return travel.by_area[area]
    return travel.default_yen


def _line(rules: PaymentRules, session: PayableSession, expert: ExpertFacts,
          association: AssociationFacts) -> SessionLine:
    minutes = session.end - session.start
    return SessionLine(
        association_id=session.association_id, association_name=association.name,
        number=session.number, date=session.date, start=format_clock(session.start),
        end=format_clock(session.end),
        mode=session.mode,  # checked above
        minutes=minutes, fee_yen=rules.fee_rule(expert.qualifications).fee_for(minutes),
        travel_claimed_yen=session.travel_claimed_yen,
        travel_yen=travel_for(rules, session, association))


def _entry(rules: PaymentRules, expert: ExpertFacts, payee: Payee, lines: list[SessionLine],
           adjustments: list[Adjustment]) -> PaymentEntry:
    lines = sorted(lines, key=lambda line: (line.date, line.start, line.association_id))
    fee = sum(line.fee_yen for line in lines)
    travel = sum(line.travel_yen for line in lines)
    adjusted = sum(a.amount_yen for a in adjustments)
    taxable = fee + sum(a.amount_yen for a in adjustments if a.taxable)
    if rules.withholding.includes_travel:
        taxable += travel
    withheld = rules.withholding.tax_on(taxable) if payee.payee_type == "individual" else 0
    gross = fee + travel + adjusted
    return PaymentEntry(
        expert_id=payee.expert_id, expert_name=expert.name, payee_type=payee.payee_type,
        account=payee.account, sessions=lines,
        adjustments=[AdjustmentLine(id=a.id, amount_yen=a.amount_yen, reason=a.reason,
                                    taxable=a.taxable) for a in adjustments],
        fee_yen=fee, travel_yen=travel, adjustment_yen=adjusted, gross_yen=gross,
        withholding_yen=withheld, net_yen=gross - withheld)


# --- the year, for the tax return (支払調書) ------------------------------------------------


class YearlyTotal(_Record):
    """What a payee was paid in a calendar year (by the date paid) and what was withheld:
    the figures of the payment record (報酬、料金、契約金及び賞金の支払調書)."""

    expert_id: RecordId
    expert_name: Name
    payee_type: PayeeType
    months: list[str]
    sessions: int
    fee_yen: int
    travel_yen: int
    adjustment_yen: int
    paid_yen: int = Field(description="支払金額: fee, travel and adjustments.")
    withheld_yen: int = Field(description="源泉徴収税額.")
    net_yen: int


def yearly_totals(closes: Iterable[MonthClose], year: int) -> list[YearlyTotal]:
    """Each payee's totals over the months paid in ``year``, by expert id."""
    totals: dict[str, dict[str, Any]] = {}
    for close in sorted(closes, key=lambda c: c.month):
        if close.pay_on.year != year:
            continue
        for entry in close.entries:
            total = totals.setdefault(entry.expert_id, {
                "expert_id": entry.expert_id, "expert_name": entry.expert_name,
                "payee_type": entry.payee_type, "months": [], "sessions": 0, "fee_yen": 0,
                "travel_yen": 0, "adjustment_yen": 0, "paid_yen": 0, "withheld_yen": 0,
                "net_yen": 0})
            total["expert_name"] = entry.expert_name  # the latest name
            total["payee_type"] = entry.payee_type
            total["months"].append(close.month)
            total["sessions"] += len(entry.sessions)
            total["fee_yen"] += entry.fee_yen
            total["travel_yen"] += entry.travel_yen
            total["adjustment_yen"] += entry.adjustment_yen
            total["paid_yen"] += entry.gross_yen
            total["withheld_yen"] += entry.withholding_yen
            total["net_yen"] += entry.net_yen
    return [YearlyTotal(**totals[key]) for key in sorted(totals)]


class _HasExpertFacts(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def qualifications(self) -> list[str]: ...


class _HasAssociationFacts(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def prefecture(self) -> str: ...


def facts_of(experts: Iterable[_HasExpertFacts], associations: Iterable[_HasAssociationFacts],
             ) -> tuple[dict[str, ExpertFacts], dict[str, AssociationFacts]]:
    """What the close needs of a scenario's experts and associations, by id."""
    return ({e.id: ExpertFacts(name=e.name, qualifications=list(e.qualifications))
             for e in experts},
            {a.id: AssociationFacts(name=a.name, city=a.city, prefecture=a.prefecture)
             for a in associations})
