"""What an error body says, whatever its shape; loaded with the first error."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["ErrorEnvelope", "FieldViolation", "parse_error_body"]


@attrs.frozen
class FieldViolation:
    """One field the server refused, and why."""

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
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_MAX_TEXT = 300


def _is_html(content: bytes, content_type: str | None) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower() if content_type else ""
    if mime in ("text/html", "application/xhtml+xml"):
        return True
    if mime == "application/json" or mime.endswith("+json"):
        return False  # a JSON error may quote a tag in its message
    return _HTML_RE.search(content, 0, 1024) is not None


def parse_error_body(content: bytes, content_type: str | None = None) -> ErrorEnvelope:
    """Read any error shape the API sends (JSON of any known form, proxy text, an edge HTML
    page); unknown fields are kept in `body`."""
    content = content.removeprefix(b"\xef\xbb\xbf")
    text = content.decode("utf-8", errors="replace").strip()
    if _is_html(content, content_type):
        title = _TITLE_RE.search(text)
        summary = " ".join(title.group(1).split()) if title else "HTML page"
        return ErrorEnvelope(message=summary[:_MAX_TEXT], body=text, is_html=True)
    try:
        data = json.loads(content) if content else None
    except (ValueError, RecursionError):
        return ErrorEnvelope(message=text[:_MAX_TEXT], body=text)
    if not isinstance(data, Mapping):
        return ErrorEnvelope(message="" if data is None else str(data)[:_MAX_TEXT], body=data)
    code, violations = data.get("code"), data.get("field_violations")
    strings = {key: value for key, value in data.items() if isinstance(value, str)}
    return ErrorEnvelope(
        message=strings.get("message") or strings.get("error") or "",
        type=strings.get("type"),
        code=code if isinstance(code, str | int) and not isinstance(code, bool) else None,
        request_id=strings.get("request_id"),
        field_violations=tuple(
            FieldViolation(str(item.get("field", "")), str(item.get("message", "")))
            for item in (violations if isinstance(violations, list) else ())
            if isinstance(item, Mapping)
        ),
        body=dict(data),
    )
