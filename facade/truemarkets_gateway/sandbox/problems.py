"""The sandbox's error answers: one exception type that carries the newer error envelope.

Handlers raise `Problem`; the app turns it into `{"type", "code"?, "message",
"field_violations"?, "request_id"}` with the right status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Problem", "Violation", "envelope", "invalid"]

Violation = tuple[str, str]
"""(field, message)"""

_TYPE_BY_STATUS = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "invalid_argument",
    409: "failed_precondition",
    422: "failed_precondition",
    429: "resource_exhausted",
    500: "internal",
    503: "unavailable",
}


class Problem(Exception):
    """An error answer. `type` defaults from the status (400 -> invalid_argument...)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str | None = None,
        code: str | None = None,
        violations: Sequence[Violation] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.headers = dict(headers or {})
        self.status = status
        self.message = message
        self.type = type or _TYPE_BY_STATUS.get(status, "internal")
        self.code = code
        self.violations = tuple(violations)

    def body(self, request_id: str) -> dict[str, Any]:
        return envelope(
            self.type,
            self.message,
            request_id,
            code=self.code,
            violations=self.violations,
        )


def envelope(
    type: str,
    message: str,
    request_id: str,
    *,
    code: str | None = None,
    violations: Sequence[Violation] = (),
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type}
    if code is not None:
        body["code"] = code
    body["message"] = message
    if violations:
        body["field_violations"] = [{"field": f, "message": m} for f, m in violations]
    body["request_id"] = request_id
    return body


def invalid(violations: Sequence[Violation], message: str = "invalid request") -> Problem:
    """A 400 with field violations; the message names the first one for humans."""
    if violations and message == "invalid request":
        field, text = violations[0]
        message = f"invalid request: {field}: {text}"
    return Problem(400, message, violations=violations)
