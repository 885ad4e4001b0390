"""Pydantic models of the plan: exactly the format of ``spec/exchange-format.md``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.limits import RecordId
from domain.types import ClockTime, IsoDate, scalars_as_written
from domain.vocabulary import Phase, SessionMode, UnservedReason


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    _scalars_as_written = field_validator("*", mode="before")(scalars_as_written)


class Session(_Record):
    association_id: RecordId
    number: int = Field(ge=1)
    phase: Phase
    expert_ids: list[RecordId] = Field(min_length=1)
    date: IsoDate
    start: ClockTime
    end: ClockTime
    mode: SessionMode

    @model_validator(mode="after")
    def _ordered(self) -> Session:
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self

    @property
    def lead_id(self) -> str:
        return self.expert_ids[0]

    @property
    def minutes(self) -> int:
        return self.end - self.start


class Unserved(_Record):
    association_id: str = Field(min_length=1)
    reason: UnservedReason
    detail: str = ""
    detail_en: str | None = None


class Stats(BaseModel):
    """The spec's five figures, then the quality figures Haken adds."""

    model_config = ConfigDict(extra="forbid")

    served: int
    unserved: int
    served_upper_bound: int
    solver_status: str
    wall_seconds: float
    accepted: int | None = None
    secondary_need_coverage: float | None = None
    industry_match: float | None = None
    max_expert_sessions: int | None = None
    mean_gap_deviation_days: float | None = None
    objectives: dict[str, Any] | None = None


class Plan(_Record):
    scenario_sha256: str
    sessions: list[Session]
    unserved: list[Unserved]
    stats: Stats
    parameters: dict[str, Any] | None = None
