"""Loading a scenario: every mistake is named in one pass, field errors and cross-record
errors together."""

from __future__ import annotations

import pytest

from domain.errors import InputError
from domain.loading import parse_scenario
from tests.scenarios import PROGRAMME, association, expert


def test_six_mistakes_are_reported_at_once() -> None:
    document = {
        "programme": dict(PROGRAMME),
        "experts": [
            expert("E1", max_sessions_per_day=0),                    # 1: field (ge=1)
            expert("E2", qualifications=["astrologer"]),             # 2: unknown qualification
            expert("E3", conflicts=["A9"]),                          # 3: unknown association
        ],
        "associations": [
            association("A1", sessions_requested="five"),            # 4: field (not an int)
            association("A2", needs=["no_such_need"]),               # 5: unknown need
            association("A2", applied_day=2),                        # 6: duplicate id
        ],
        "pinned": [],
    }
    with pytest.raises(InputError) as raised:
        parse_scenario(document, "s.json")
    rendered = [str(issue) for issue in raised.value.issues]
    assert len(rendered) == 7, rendered  # the duplicate id is named at both records
    expected = [
        "experts[0] (E1).max_sessions_per_day",
        "associations[0] (A1).sessions_requested",
        "experts[1] (E2).qualifications[0]: unknown qualification 'astrologer'",
        "experts[2] (E3).conflicts[0]: unknown association 'A9'",
        "associations[1] (A2).needs[0]: unknown need 'no_such_need'",
        "associations[1] (A2).id: duplicate id 'A2'",
        "associations[2] (A2).id: duplicate id 'A2'",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in rendered), (start, rendered)


def test_a_reference_to_a_record_with_its_own_errors_is_not_called_unknown() -> None:
    broken = association("A1", sessions_requested=0)
    document = {"programme": dict(PROGRAMME), "experts": [expert("E1", conflicts=["A1"])],
                "associations": [broken], "pinned": []}
    with pytest.raises(InputError) as raised:
        parse_scenario(document, "s.json")
    rendered = [str(issue) for issue in raised.value.issues]
    assert len(rendered) == 1 and "sessions_requested" in rendered[0], rendered


def test_a_broken_programme_still_lets_the_records_be_checked() -> None:
    document = {"programme": {**PROGRAMME, "max_sessions": 0},
                "experts": [expert("E1"), expert("E1")], "associations": [association("A1")],
                "pinned": []}
    with pytest.raises(InputError) as raised:
        parse_scenario(document, "s.json")
    rendered = [str(issue) for issue in raised.value.issues]
    assert any("programme.max_sessions" in line for line in rendered), rendered
    assert sum("duplicate id 'E1'" in line for line in rendered) == 2, rendered
