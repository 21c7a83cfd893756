"""What an error body says, whatever shape it came in: `ErrorEnvelope`, `FieldViolation`
and `parse_error_body`. Loaded with the first error; `errors` re-exports these names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

__all__ = ["ErrorEnvelope", "FieldViolation", "parse_error_body"]


@attrs.frozen
class FieldViolation:
    """One invalid request field and what is wrong with it."""

    field: str
    message: str


@attrs.frozen
class ErrorEnvelope:
    """What we could read from an error body, whatever shape it had."""

    message: str
    type: str | None = None
    code: str | int | None = None
    request_id: str | None = None
    field_violations: tuple[FieldViolation, ...] = ()
    body: Any = None  # parsed JSON, or the text when the body was not JSON
    is_html: bool = False


_HTML_RE = re.compile(rb"<(?:!doctype|html|head|title|body)[\s>/]", re.IGNORECASE)
_HTML_SCAN = 1024  # bytes of the body searched for an HTML tag
_BOM = b"\xef\xbb\xbf"
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_MAX_TEXT = 300


def _is_html(content: bytes, content_type: str | None) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower() if content_type else ""
    if mime in ("text/html", "application/xhtml+xml"):
        return True
    if mime == "application/json" or mime.endswith("+json"):
        return False  # a JSON error may quote a tag in its message
    return _HTML_RE.search(content, 0, _HTML_SCAN) is not None


def _violations(raw: Any) -> tuple[FieldViolation, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        return ()
    return tuple(
        FieldViolation(str(item.get("field", "")), str(item.get("message", "")))
        for item in raw
        if isinstance(item, Mapping)
    )


def parse_error_body(content: bytes, content_type: str | None = None) -> ErrorEnvelope:
    """Read every error shape the API is known to send.

    `{message}`; `{type, code, message, field_violations, request_id}`; the legacy
    `{error, message, code: <int>}`; plain text from a proxy; an HTML page from the edge
    (`content_type` text/html, or an html/head/title/body/doctype tag in the first 1 KB,
    after any UTF-8 BOM). Unknown fields are kept in `body`.
    """
    if content.startswith(_BOM):
        content = content[len(_BOM) :]
    if _is_html(content, content_type):
        text = content.decode("utf-8", errors="replace").strip()
        title = _TITLE_RE.search(text)
        summary = " ".join(title.group(1).split()) if title else "HTML page"
        return ErrorEnvelope(message=summary[:_MAX_TEXT], body=text, is_html=True)
    try:
        data = json.loads(content) if content else None
    except (ValueError, RecursionError):
        text = content.decode("utf-8", errors="replace").strip()
        return ErrorEnvelope(message=text[:_MAX_TEXT], body=text)
    if not isinstance(data, Mapping):
        return ErrorEnvelope(message="" if data is None else str(data)[:_MAX_TEXT], body=data)
    code = data.get("code")
    strings = {key: value for key, value in data.items() if isinstance(value, str)}
    return ErrorEnvelope(
        message=strings.get("message") or strings.get("error") or "",
        type=strings.get("type"),
        code=code if isinstance(code, str | int) and not isinstance(code, bool) else None,
        request_id=strings.get("request_id"),
        field_violations=_violations(data.get("field_violations")),
        body=dict(data),
    )
