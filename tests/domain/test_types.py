"""The exchange format's value types: numbers, flags and times only as JSON writes them."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from domain.scenario import Association, Expert
from tests.paths import EXAMPLES

EXPERT = {"id": "E1", "name": "山田 花子", "qualifications": ["sharoushi"], "modes": ["online"],
          "max_associations": 3, "max_sessions_per_day": 1, "max_sessions_per_week": 2}


@pytest.mark.parametrize("value", ["3", True, "three"])
def test_a_number_written_as_text_or_a_flag_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Expert.model_validate({**EXPERT, "max_associations": value})
    assert [e["loc"] for e in raised.value.errors()] == [("max_associations",)]


def test_a_whole_number_written_with_a_point_is_still_a_number() -> None:
    assert Expert.model_validate({**EXPERT, "max_associations": 3.0}).max_associations == 3


@pytest.mark.parametrize("field,value", [("has_manual", "yes"), ("has_manual", 1),
                                         ("applied_at", 1_700_000_000),
                                         ("member_count", "120")])
def test_an_association_takes_flags_and_times_as_written(field: str, value: object) -> None:
    document = json.loads((EXAMPLES / "tokyo-2025.json").read_text(encoding="utf-8"))
    association = document["associations"][0]
    Association.model_validate(association)  # as it is, valid
    with pytest.raises(ValidationError) as raised:
        Association.model_validate({**association, field: value})
    assert [e["loc"] for e in raised.value.errors()] == [(field,)]
