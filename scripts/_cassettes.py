"""Cassette rules shared by the recorder (`scripts/record_sessions`) and the replay tests.

Three jobs, in one place so recording and replay can never disagree:

- scrubbing (`Scrubber`): bearer tokens, access and refresh tokens, challenge signatures,
  payload stamps and key ids become stable placeholders before anything is stored;
- matching (`VOLATILE_FIELDS`, `body_matcher`): requests match on method, path, query and
  a body with the volatile fields replaced, so a replay with fresh signatures still matches;
- checking (`find_secrets`): what a stored cassette must never contain.

This module imports only vcrpy and the standard library, so the tests can load it by path.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vcr

__all__ = [
    "CASSETTE_DIR",
    "KEY_ID_PLACEHOLDER",
    "MATCH_ON",
    "SANDBOX_ORIGIN",
    "Scrubber",
    "SecretFinding",
    "body_matcher",
    "find_secrets",
    "make_vcr",
    "normalise_body",
    "shift_times",
]

CASSETTE_DIR = Path(__file__).resolve().parent.parent / "tests" / "cassettes"

SANDBOX_ORIGIN = "http://sandbox.invalid"
"""The origin stored for sandbox recordings (its real port changes every run)."""

KEY_ID_PLACEHOLDER = "00000000-0000-4000-8000-00000000a11d"
"""Stands for the API key id. A UUID, so a replaying client can still load a key file."""

CHALLENGE_PLACEHOLDER = "<CHALLENGE_SIGNATURE>"
TIMESTAMP_PLACEHOLDER = 0
STAMP_PLACEHOLDER = "<STAMP>"

# Request body fields that differ on every run for the same scenario; matching ignores
# their values and recording stores placeholders for them.
VOLATILE_FIELDS: Mapping[str, Any] = {
    "timestamp": TIMESTAMP_PLACEHOLDER,
    "signature": CHALLENGE_PLACEHOLDER,
    "signatures": [STAMP_PLACEHOLDER],
    "refresh_token": "<REFRESH_TOKEN>",
    "key_id": KEY_ID_PLACEHOLDER,
}

MATCH_ON = ("method", "path", "query", "tm_body")

_TOKEN_FIELDS = {"access_token": "ACCESS_TOKEN", "refresh_token": "REFRESH_TOKEN"}
_DROPPED_RESPONSE_HEADERS = frozenset({"set-cookie", "server"})


# --- bodies ---------------------------------------------------------------------------------


def _as_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)  # type: ignore[call-overload]


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _placeholder_for(field: str, value: Any) -> Any:
    if field == "signatures" and isinstance(value, list):
        return [f"<STAMP_{i + 1}>" for i in range(len(value))]
    return VOLATILE_FIELDS[field]


def normalise_body(body: object) -> Any:
    """The body as matching sees it: JSON with every volatile field reduced to its kind.

    Stamps keep their count (one per payload), everything else its presence only.
    Non-JSON bodies are compared as bytes.
    """
    raw = _as_bytes(body)
    data = _json_or_none(raw)
    if data is None:
        return raw

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "signatures" and isinstance(value, list):
                    out[key] = len(value)
                elif key in VOLATILE_FIELDS:
                    out[key] = "<volatile>"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(data)


def body_matcher(r1: vcr.request.Request, r2: vcr.request.Request) -> None:
    """vcrpy matcher: bodies equal once volatile fields are normalised (raises if not)."""
    left, right = normalise_body(r1.body), normalise_body(r2.body)
    if left != right:
        raise AssertionError(f"bodies differ after normalisation: {left!r} != {right!r}")


# --- scrubbing -------------------------------------------------------------------------------


class Scrubber:
    """Replaces secrets with stable placeholders, per cassette.

    The n-th access token the Auth Service hands out becomes `<ACCESS_TOKEN_n>` in its
    response and in every later request that carries it, so a replaying client sends the
    very placeholders the cassette holds. `origin` maps the live origin (the sandbox's
    random port) to the stored one.
    """

    def __init__(
        self,
        *,
        origin: tuple[str, str] | None = None,
        key_ids: Iterable[str] = (),
    ) -> None:
        self._origin = origin
        self._known: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        for key_id in key_ids:
            self.add_secret(key_id, KEY_ID_PLACEHOLDER)

    def add_secret(self, value: str, placeholder: str) -> None:
        if value and value != placeholder:
            self._known[value] = placeholder

    def _token(self, kind: str, value: str) -> str:
        if value.startswith("<") and value.endswith(">"):
            return value  # already a placeholder (replay)
        if value not in self._known:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._known[value] = f"<{kind}_{self._counts[kind]}>"
        return self._known[value]

    def scrub_text(self, text: str) -> str:
        for secret in sorted(self._known, key=len, reverse=True):
            text = text.replace(secret, self._known[secret])
        return text

    def _scrub_json(self, node: Any, *, in_request: bool) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key in _TOKEN_FIELDS and isinstance(value, str) and value:
                    out[key] = self._token(_TOKEN_FIELDS[key], value)
                elif in_request and key in VOLATILE_FIELDS and key != "refresh_token":
                    out[key] = _placeholder_for(key, value)
                else:
                    out[key] = self._scrub_json(value, in_request=in_request)
            return out
        if isinstance(node, list):
            return [self._scrub_json(item, in_request=in_request) for item in node]
        if isinstance(node, str):
            return self.scrub_text(node)
        return node

    def _scrub_body(self, raw: bytes, *, in_request: bool) -> bytes:
        data = _json_or_none(raw)
        if data is None:
            return self.scrub_text(raw.decode("utf-8", errors="replace")).encode() if raw else raw
        cleaned = self._scrub_json(data, in_request=in_request)
        return json.dumps(cleaned, separators=(",", ":"), ensure_ascii=False).encode()

    def before_record_request(self, request: vcr.request.Request) -> vcr.request.Request:
        """Runs on every live request (before matching) and on every stored one."""
        if self._origin is not None:
            live, stored = self._origin
            if request.uri.startswith(live):
                request.uri = stored + request.uri[len(live) :]
        headers = dict(request.headers)
        for name in list(headers):
            lower = name.lower()
            if lower == "content-length":
                del headers[name]  # the scrubbed body has another length
            elif lower == "host" and self._origin is not None:
                headers[name] = urlsplit(self._origin[1]).netloc
            elif lower == "authorization":
                scheme, _, token = str(headers[name]).partition(" ")
                shown = self._token("ACCESS_TOKEN", token.strip()) if token.strip() else ""
                headers[name] = f"{scheme or 'Bearer'} {shown}".strip()
            elif lower in ("cookie", "x-api-key"):
                headers[name] = "<REDACTED>"
        request.headers = headers
        raw = _as_bytes(request.body)
        if raw:
            request.body = self._scrub_body(raw, in_request=True)
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """Runs on every response before it is stored (never on what the client receives)."""
        headers = {
            name: list(values)
            for name, values in response.get("headers", {}).items()
            if name.lower() not in _DROPPED_RESPONSE_HEADERS
        }
        if not any(name.lower() == "date" for name in headers):
            headers["date"] = [format_datetime(datetime.now(UTC), usegmt=True)]
        response["headers"] = headers
        body = response.get("body", {})
        raw = _as_bytes(body.get("string"))
        if raw:
            cleaned = self._scrub_body(raw, in_request=False)
            body["string"] = cleaned
            for name in list(headers):
                if name.lower() == "content-length":
                    headers[name] = [str(len(cleaned))]
        return response


# --- replay-time clock shift ------------------------------------------------------------------


def _date_header(headers: Mapping[str, Any]) -> tuple[str, datetime] | None:
    for name, values in headers.items():
        if name.lower() == "date" and values:
            value = values[0] if isinstance(values, list) else values
            try:
                return name, parsedate_to_datetime(str(value))
            except (TypeError, ValueError, IndexError):
                return None
    return None


def shift_times(
    request: vcr.request.Request, response: dict[str, Any]
) -> tuple[vcr.request.Request, dict[str, Any]]:
    """`after_load_interaction` hook: move a recorded response's clock to now.

    Token expiries (`expires_in`, an absolute time) and the `Date` header are shifted by
    the time elapsed since recording, so a replayed token has exactly the life it had
    when recorded and the client's refresh decisions come out the same.
    """
    found = _date_header(response.get("headers", {}))
    if found is None:
        return request, response
    name, recorded = found
    now = datetime.now(UTC).replace(microsecond=0)
    delta = now - recorded
    response["headers"][name] = [format_datetime(now, usegmt=True)]
    body = response.get("body", {})
    data = _json_or_none(_as_bytes(body.get("string")))
    if isinstance(data, dict) and isinstance(data.get("expires_in"), str):
        try:
            expiry = datetime.fromisoformat(data["expires_in"].replace("Z", "+00:00"))
        except ValueError:
            return request, response
        data["expires_in"] = (expiry + delta).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        cleaned = json.dumps(data, separators=(",", ":")).encode()
        body["string"] = cleaned
        for header in list(response["headers"]):
            if header.lower() == "content-length":
                response["headers"][header] = [str(len(cleaned))]
    return request, response


# --- the VCR -----------------------------------------------------------------------------------


def make_vcr(
    scrubber: Scrubber,
    *,
    record_mode: str = "none",
    after_load: Callable[..., Any] | None = shift_times,
) -> vcr.VCR:
    """A VCR configured the one way both recording and replay use."""
    recorder = vcr.VCR(
        serializer="yaml",
        cassette_library_dir=str(CASSETTE_DIR),
        record_mode=record_mode,
        match_on=MATCH_ON,
        decode_compressed_response=True,
        before_record_request=scrubber.before_record_request,
        before_record_response=scrubber.before_record_response,
        after_load_interaction=after_load,
    )
    recorder.register_matcher("tm_body", body_matcher)
    return recorder


def cassette_path(name: str) -> Path:
    return CASSETTE_DIR / f"{name}.yaml"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- the secret scan ------------------------------------------------------------------------------

_B64URL = r"A-Za-z0-9_\-"
_BEARER_RE = re.compile(r"bearer\s+ey", re.IGNORECASE)
# header.payload is enough: a JWT cut before its signature still leaks its claims.
_JWT_RE = re.compile(rf"ey[{_B64URL}]+\.ey[{_B64URL}]+")
_JWK_D_RE = re.compile(r"""\\?["']d\\?["']\s*:""")
_PEM_RE = re.compile(r"-----BEGIN [A-Z0-9 ]*(PRIVATE KEY|CERTIFICATE)-----")
_RAW_SIG_RE = re.compile(rf"(?<![{_B64URL}+/=])[{_B64URL}]{{86}}(?![{_B64URL}+/=])")
_LONG_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-+/]{40,}={0,2}")
_DER_HEX_RE = re.compile(r"(?<![0-9a-fA-F])30[0-9a-f]{2}02[0-9a-f]{130,}(?![0-9a-fA-F])")
_PLACEHOLDER_RE = re.compile(r"^<[A-Z_]+(_\d+)?>$")


class SecretFinding:
    """One suspected secret: what kind, and a short, harmless excerpt of where."""

    __slots__ = ("excerpt", "kind")

    def __init__(self, kind: str, excerpt: str) -> None:
        self.kind = kind
        self.excerpt = excerpt

    def __repr__(self) -> str:
        return f"SecretFinding({self.kind!r}, {self.excerpt!r})"


def _excerpt(text: str, start: int) -> str:
    # Never echo a whole secret into a test report: show a short, cut prefix only.
    return text[max(0, start - 20) : start + 12].replace("\n", " ") + "…"


def _decoded_json(token: str) -> Any:
    stripped = token.rstrip("=")
    for decode in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            raw = decode(stripped + "=" * (-len(stripped) % 4))
        except (binascii.Error, ValueError):
            continue
        data = _json_or_none(raw)
        if data is not None:
            return data
    return None


def _is_stamp(data: Any) -> bool:
    return isinstance(data, dict) and ("publicKey" in data or "signature" in data)


def _body_fields(cassette: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    for interaction in cassette.get("interactions", []) or []:
        request = interaction.get("request", {}) or {}
        response = interaction.get("response", {}) or {}
        for where, raw in (
            ("request", request.get("body")),
            ("response", (response.get("body") or {}).get("string")),
        ):
            data = _json_or_none(_as_bytes(raw))
            if data is not None:
                yield where, data


def _walk_items(node: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk_items(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_items(item)


def find_secrets(text: str, *, key_ids: Iterable[str] = ()) -> list[SecretFinding]:
    """Everything in a cassette's text that looks like a secret.

    Looks for bearer tokens, JWT-shaped strings, PEM blocks, private JWK `d` members,
    Turnkey stamps (base64url JSON with publicKey/signature) and their DER signatures,
    86-character base64url strings (raw challenge signatures), the given key ids, and,
    structurally, any token, signature or key id field that is not a placeholder.
    """
    found: list[SecretFinding] = []
    benign = _benign_values(text)
    for kind, pattern in (
        ("bearer token", _BEARER_RE),
        ("JWT", _JWT_RE),
        ("JWK private member d", _JWK_D_RE),
        ("PEM block", _PEM_RE),
        ("raw challenge signature (86-char base64url)", _RAW_SIG_RE),
        ("DER signature hex", _DER_HEX_RE),
    ):
        for match in pattern.finditer(text):
            if match.group(0) in benign:
                continue
            found.append(SecretFinding(kind, _excerpt(text, match.start())))
    for match in _LONG_TOKEN_RE.finditer(text):
        if _is_stamp(_decoded_json(match.group(0))):
            found.append(SecretFinding("payload stamp", _excerpt(text, match.start())))
    if '"publicKey"' in text or '\\"publicKey\\"' in text:
        found.append(SecretFinding("stamp document", _excerpt(text, text.find("publicKey"))))
    for key_id in key_ids:
        if key_id and key_id != KEY_ID_PLACEHOLDER and key_id.lower() in text.lower():
            found.append(SecretFinding("API key id", _excerpt(text, text.lower().find(key_id))))
    found.extend(_structural_findings(text))
    return found


def _load_yaml(text: str) -> dict[str, Any] | None:
    import yaml  # vcrpy depends on PyYAML

    try:
        cassette = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return cassette if isinstance(cassette, dict) else None


_BENIGN_FIELDS = frozenset({"tx_hash", "address", "to", "base_asset", "quote_asset"})


def _benign_values(text: str) -> frozenset[str]:
    """Public values that can look like a signature: Solana transaction ids (base58 of 64
    bytes, sometimes 86 characters) and addresses, including inside explorer links."""
    cassette = _load_yaml(text)
    if cassette is None:
        return frozenset()
    values: set[str] = set()
    for _, data in _body_fields(cassette):
        for key, value in _walk_items(data):
            if not isinstance(value, str):
                continue
            if key in _BENIGN_FIELDS:
                values.add(value)
            elif key == "explorer_url":
                values.add(value.rstrip("/").rsplit("/", 1)[-1])
    return frozenset(values)


def _structural_findings(text: str) -> list[SecretFinding]:
    """Field-level checks on a YAML cassette: secret-bearing fields hold placeholders."""
    cassette = _load_yaml(text)
    if cassette is None:
        return []
    found: list[SecretFinding] = []
    for interaction in cassette.get("interactions", []) or []:
        headers = (interaction.get("request", {}) or {}).get("headers", {}) or {}
        for name, values in headers.items():
            if name.lower() != "authorization":
                continue
            for value in values if isinstance(values, list) else [values]:
                token = str(value).partition(" ")[2].strip()
                if token and not _PLACEHOLDER_RE.match(token):
                    found.append(SecretFinding("Authorization header", str(value)[:14] + "…"))
    for where, data in _body_fields(cassette):
        for key, value in _walk_items(data):
            if key in ("access_token", "refresh_token", "signature") and isinstance(value, str):
                if value and not _PLACEHOLDER_RE.match(value):
                    found.append(SecretFinding(f"{where} {key}", value[:6] + "…"))
            elif key == "signatures" and isinstance(value, list):
                for item in value:
                    if not (isinstance(item, str) and _PLACEHOLDER_RE.match(item)):
                        found.append(SecretFinding(f"{where} signatures[]", str(item)[:6] + "…"))
            elif key == "key_id" and value != KEY_ID_PLACEHOLDER:
                found.append(SecretFinding(f"{where} key_id", str(value)[:6] + "…"))
            elif key == "stamp" and isinstance(value, str) and value:
                found.append(SecretFinding(f"{where} stamp", value[:6] + "…"))
    return found


def load_interactions(path: Path) -> list[dict[str, Any]]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(copy.deepcopy(data.get("interactions", []))) if isinstance(data, dict) else []
