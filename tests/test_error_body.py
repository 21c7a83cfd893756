"""Error bodies of any shape read without raising (deep JSON included)."""

from __future__ import annotations

from truemarkets_gateway._error_body import parse_error_body


def test_deeply_nested_error_json_reads_as_text() -> None:
    envelope = parse_error_body(b"[" * 100_000 + b"]" * 100_000, "application/json")
    assert envelope.message.startswith("[[[") and len(envelope.message) <= 300


def test_only_string_fields_are_taken_as_text() -> None:
    envelope = parse_error_body(
        b'{"message": 5, "error": "legacy", "type": ["x"], "request_id": "r1", "code": true}'
    )
    assert envelope.message == "legacy" and envelope.type is None
    assert envelope.request_id == "r1" and envelope.code is None
