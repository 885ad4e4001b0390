"""Pydantic models of the scenario: exactly the format of ``spec/exchange-format.md``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cached_property
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from domain.limits import Address, Email, Key, Label, Name, Phone, Place, RecordId, Url
from domain.payments import PaymentRules
from domain.plan import Session
from domain.types import ClockTime, IsoDate, scalars_as_written
from domain.vocabulary import (
    DEFAULT_NEEDS,
    DEFAULT_QUALIFICATIONS,
    WEEKDAYS,
    AssociationMode,
    LegalForm,
    SessionMode,
    Status,
)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    _scalars_as_written = field_validator("*", mode="before")(scalars_as_written)


def _window_in_order(window: tuple[int, int]) -> tuple[int, int]:
    start, end = window
    if end <= start:
        from domain.types import format_clock

        word = "equal to" if end == start else "before"
        raise ValueError(f"end {format_clock(end)} is {word} start {format_clock(start)}")
    return window


# [start, end) in minutes after midnight; ["HH:MM", "HH:MM"] in JSON.
Window = Annotated[tuple[ClockTime, ClockTime], AfterValidator(_window_in_order)]


class ClockRange(Record):
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> ClockRange:
        _window_in_order((self.start, self.end))
        return self


class DateRange(Record):
    start: IsoDate
    end: IsoDate

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class MinutesRange(Record):
    min: int = Field(gt=0)
    max: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> MinutesRange:
        if self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self


class WeeklyWindows(Record):
    mon: list[Window] = []
    tue: list[Window] = []
    wed: list[Window] = []
    thu: list[Window] = []
    fri: list[Window] = []
    sat: list[Window] = []
    sun: list[Window] = []

    def on(self, weekday: int) -> list[tuple[int, int]]:
        """Windows on ISO weekday index 0 (Monday) .. 6 (Sunday)."""
        return list(getattr(self, WEEKDAYS[weekday]))


class Availability(Record):
    """``weekly`` windows, replaced on a date by ``dates``, minus ``blocked`` ranges.

    A missing ``weekly`` means business hours on every business day.
    """

    weekly: WeeklyWindows | None = None
    dates: dict[IsoDate, list[Window]] = {}
    blocked: list[DateRange] = []


class VocabularyLabel(Record):
    ja: Label
    en: Label


class NeedDefinition(Record):
    ja: Label
    en: Label
    covered_by: list[Key] = Field(min_length=1)


class Vocabulary(Record):
    qualifications: dict[Key, VocabularyLabel] = Field(min_length=1)
    needs: dict[Key, NeedDefinition] = Field(min_length=1)

    @model_validator(mode="after")
    def _covered_by_known(self) -> Vocabulary:
        for need, definition in self.needs.items():
            for qualification in definition.covered_by:
                if qualification not in self.qualifications:
                    raise ValueError(
                        f"need {need!r} is covered_by {qualification!r}, "
                        "which is not among the vocabulary's qualifications"
                    )
        return self

    @classmethod
    def default(cls) -> Vocabulary:
        return cls(
            qualifications={
                key: VocabularyLabel(ja=label.ja, en=label.en)
                for key, label in DEFAULT_QUALIFICATIONS.items()
            },
            needs={
                key: NeedDefinition(ja=label.ja, en=label.en, covered_by=list(quals))
                for key, (label, quals) in DEFAULT_NEEDS.items()
            },
        )


def _known_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone") from None
    return name


class Reminders(Record):
    """How long before something is due its reminder goes out, in business days."""

    # To the expert(s) and the association, before each session.
    session_business_days: int = Field(default=2, ge=0, le=30)
    # To the secretariat, before an application's pre-interview call is due.
    pre_interview_call_business_days: int = Field(default=1, ge=0, le=30)
    # To a session's lead expert, before the report is due (and once more when late).
    report_business_days: int = Field(default=1, ge=0, le=30)
    # To the association, when a filed report has waited this long for its confirmation,
    # and again (late) after ``confirmation_late_business_days``.
    confirmation_business_days: int = Field(default=2, ge=0, le=30)
    confirmation_late_business_days: int = Field(default=5, ge=0, le=60)


class Programme(Record):
    name: Name
    timezone: Annotated[Key, AfterValidator(_known_timezone)] = "Asia/Tokyo"
    application_period: DateRange | None = None
    implementation_period: DateRange
    business_hours: ClockRange
    closed_dates: list[IsoDate] = []
    max_sessions: int = Field(ge=1)
    session_minutes: MinutesRange
    min_days_between_sessions: int = Field(ge=1)
    target_days_between_sessions: int = Field(ge=1)
    first_session_after_decision_business_days: int = Field(ge=0)
    travel_buffer_minutes: int = Field(ge=0)
    vocabulary: Vocabulary | None = None
    # Shown in calendar feeds; optional additions to the spec.
    secretariat_contact: Address | None = None
    # The secretariat's e-mail address: the organizer of invitations and where staff
    # reminders go (HAKEN_MAIL_FROM when unset); optional additions to the spec.
    secretariat_email: Email | None = None
    reminders: Reminders | None = None

    @property
    def reminder_days(self) -> Reminders:
        """The reminders' lead times in force: the programme's own, else the defaults."""
        return self.reminders or Reminders()
    # The expert's report of a session is due this many business days after it
    # (None: 5), the last session's final report after ``final_report_due_business_days``
    # (None: 7). Optional, so that a programme written before them reads the same.
    report_due_business_days: int | None = Field(default=None, ge=0, le=60)
    final_report_due_business_days: int | None = Field(default=None, ge=0, le=60)
    # Fees, travel and withholding (domain/payments.py); absent: Tokyo's defaults.
    payments: PaymentRules | None = None

    @cached_property
    def words(self) -> Vocabulary:
        """The vocabulary in force: the programme's own, else the default table."""
        return self.vocabulary or Vocabulary.default()

    @cached_property
    def payment_rules(self) -> PaymentRules:
        """The payment rules in force: the programme's own, else the defaults."""
        return self.payments or PaymentRules()


class Expert(Record):
    id: RecordId
    name: Name
    qualifications: list[Key] = Field(min_length=1)
    industries: list[Key] = []
    modes: list[SessionMode] = Field(min_length=1)
    base_area: Place | None = None
    max_associations: int = Field(ge=0)
    max_sessions_per_day: int = Field(ge=1)
    max_sessions_per_week: int = Field(ge=1)
    availability: Availability | None = None
    conflicts: list[RecordId] = []
    email: Email | None = None


class Contact(Record):
    """Who at an association the secretariat and the association's own messages reach."""

    name: Label = ""
    email: Email | None = None
    phone: Phone | None = None


class Association(Record):
    id: RecordId
    name: Name
    legal_form: LegalForm
    prefecture: Place
    city: Place
    address: Address | None = None
    meeting_url: Url | None = None
    industry: Key
    member_count: int | None = Field(default=None, ge=0)
    applied_at: AwareDatetime
    decided_on: IsoDate | None = None
    status: Status
    needs: list[Key] = Field(min_length=1)
    sessions_requested: int = Field(ge=1)
    session_minutes: int = Field(gt=0)
    mode: AssociationMode
    has_manual: bool = False
    availability: Availability | None = None
    contact: Contact | None = None

    @model_validator(mode="after")
    def _decided_when_accepted(self) -> Association:
        if self.status in ("accepted", "completed") and self.decided_on is None:
            raise ValueError(f"decided_on is required when status is {self.status!r}")
        return self

    @property
    def primary_need(self) -> str:
        return self.needs[0]

    @property
    def secondary_needs(self) -> list[str]:
        return self.needs[1:]


class Scenario(Record):
    programme: Programme
    experts: list[Expert]
    associations: list[Association]
    pinned: list[Session] = []

    @cached_property
    def expert_by_id(self) -> dict[str, Expert]:
        return {expert.id: expert for expert in self.experts}

    @cached_property
    def association_by_id(self) -> dict[str, Association]:
        return {association.id: association for association in self.associations}

    @cached_property
    def accepted(self) -> list[Association]:
        return [a for a in self.associations if a.status == "accepted"]

    def qualifications_covering(self, need: str) -> set[str]:
        definition = self.programme.words.needs.get(need)
        return set(definition.covered_by) if definition else set()

    def covers(self, expert: Expert, need: str) -> bool:
        return not self.qualifications_covering(need).isdisjoint(expert.qualifications)
