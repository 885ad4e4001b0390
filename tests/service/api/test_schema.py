"""Schemathesis against the app's own OpenAPI document, with a valid admin token:
no 5xx, and every answer has a documented status, content type and shape.

Each operation gets a few valid and a few invalid generated requests, driven by
Hypothesis directly (schemathesis' pytest plugin does not run under pytest 9)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.db.engine import transaction
from service.logic import exchange, tokens
from tests.service_support import example_document, settings_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 3


def test_api_answers_within_its_schema(database_url: str) -> None:
    with transaction(database_url) as db:
        exchange.import_scenario(db, example_document(), "test")
        token = tokens.create(db, "schemathesis", "admin", "test")[1]
    # Checks that probe without a token must not lock the valid one out.
    app = create_app(settings_for(database_url, auth_failures_allowed=1_000_000))
    schema = (schemathesis.openapi.from_asgi("/openapi.json", app)
              # A queued job's event stream never ends here: no worker runs in this test.
              .exclude(path_regex=r"/events$")
              # Revoking tokens could revoke the very token the test calls with.
              .exclude(method="DELETE", path_regex=r"^/api/v1/tokens/"))
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                      database=None, suppress_health_check=list(HealthCheck))
            def call(case: Any) -> None:
                case.call_and_validate(checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                # Nothing to make invalid: the operation takes no parameter or body.
                assert mode == GenerationMode.NEGATIVE, operation.label
