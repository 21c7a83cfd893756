"""Schemathesis against the in-process sandbox over loopback: no 5xx, and every answer
conforms to openapi/gateway.yaml. Bounded (a few examples per operation) to stay fast."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from test_sandbox_kit import LOOPBACK, open_session

from truemarkets_gateway.sandbox import Sandbox

SPEC = Path(__file__).resolve().parents[1] / "openapi" / "gateway.yaml"
MAX_EXAMPLES = 8

pytestmark = [LOOPBACK, pytest.mark.slow]

# The spec is part of the repository: a missing one fails collection here, never skips.
# Answers the sandbox gives that openapi/gateway.yaml does not list yet (none today; keep
# the hook so a new gap is written down here rather than silently tolerated).
KNOWN_SPEC_GAPS: dict[tuple[str, str], set[int]] = {}

SCHEMA = schemathesis.openapi.from_path(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[Sandbox, dict[str, str]]]:
    with Sandbox() as sb:
        session = open_session(sb, checked=False)
        yield sb, session.headers
        session.http.close()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_operation_never_5xx_and_conforms(
    operation: Any, live: tuple[Sandbox, dict[str, str]]
) -> None:
    sb, headers = live

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=sb.gateway_url, headers=headers, timeout=10)
        gaps = KNOWN_SPEC_GAPS.get((operation.method.upper(), operation.path), set())
        checks = [not_a_server_error, response_schema_conformance]
        if response.status_code not in gaps:
            checks.append(status_code_conformance)
        case.validate_response(response, checks=checks, headers=headers)

    run()
