"""Organisation mode: organisations, their users, and who a request acts for.

An organisation API key mints tokens carrying `tm.organization_id`. The organisation
creates one user per customer with that customer's signer public key; each user is an
account of its own (wallets, balances, orders, transfers). A request acts for a user when
its organisation token carries `TM-On-Behalf-Of: <user_id>`; stamps are then checked
against that user's signer key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway.sandbox.problems import Problem, Violation, invalid
from truemarkets_gateway.sandbox.values import IdSource, format_time

__all__ = ["ON_BEHALF_OF", "OrgUser", "Organizations", "parse_user_request"]

ON_BEHALF_OF = "tm-on-behalf-of"
_COMPRESSED_HEX = re.compile(r"^0[23][0-9a-fA-F]{64}$")


@attrs.define
class OrgUser:
    """One customer of an organisation; `user_id` is also its account uid."""

    user_id: str
    org_id: str
    external_ref_id: str
    signer_hex: str
    created_at: float
    ready_at: float
    wallets: list[dict[str, str]]
    announced: bool = False  # a 200/201 answer has been given (the first one is 201)

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "external_ref_id": self.external_ref_id,
            "created_at": format_time(self.created_at),
            "wallets": [dict(w) for w in self.wallets],
        }


def parse_user_request(body: object) -> tuple[str, ec.EllipticCurvePublicKey]:
    """`(external_ref_id, signer key)` from a create-user body, or a 400 naming the field."""
    if not isinstance(body, Mapping):
        raise Problem(400, "request body must be a JSON object")
    v: list[Violation] = []
    ref = body.get("external_ref_id")
    if not isinstance(ref, str) or not ref.strip():
        v.append(("external_ref_id", "required non-empty string (your id for the customer)"))
    signer = body.get("signer_public_key")
    key: ec.EllipticCurvePublicKey | None = None
    if not isinstance(signer, str) or not _COMPRESSED_HEX.match(signer):
        v.append(("signer_public_key", "required: compressed P-256 public key, 66 hex characters"))
    else:
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), bytes.fromhex(signer)
            )
        except ValueError:
            v.append(("signer_public_key", "not a point on P-256"))
    if v:
        raise invalid(v)
    assert isinstance(ref, str) and key is not None
    return ref.strip(), key


def _forbidden(message: str) -> Problem:
    return Problem(403, message, type="permission_denied")


class Organizations:
    """Every organisation and user of one sandbox. `SandboxState` holds the lock."""

    def __init__(self, ids: IdSource) -> None:
        self._ids = ids
        self.orgs: dict[str, list[str]] = {}  # org id -> its API key ids
        self.users: dict[str, OrgUser] = {}  # user id -> user

    def new_org(self) -> str:
        org_id = self._ids.uuid()
        self.orgs[org_id] = []
        return org_id

    def find(self, org_id: str, external_ref_id: str) -> OrgUser | None:
        for user in self.users.values():
            if user.org_id == org_id and user.external_ref_id == external_ref_id:
                return user
        return None

    def add_user(
        self, org_id: str, ref: str, signer_hex: str, now: float, provision_delay: float
    ) -> OrgUser:
        wallets = [
            {"address": _solana_address(self._ids), "chain_family": "solana"},
            {"address": "0x" + self._ids.hex(20), "chain_family": "evm"},
        ]
        user = OrgUser(
            self._ids.uuid(), org_id, ref, signer_hex, now, now + provision_delay, wallets
        )
        self.users[user.user_id] = user
        return user

    def check_org_path(self, token_org: str | None, path_org: str) -> None:
        """403 unless the token is an organisation token for `path_org`."""
        if token_org is None:
            raise _forbidden("creating users needs an organisation API key's token")
        if token_org != path_org:
            raise _forbidden(f"this token belongs to another organisation, not {path_org}")

    def acting_uid(self, token_uid: str, token_org: str | None, header: str | None) -> str:
        """The account a request acts for: the token's own, or the `TM-On-Behalf-Of` user."""
        if header is None:
            return token_uid
        if token_org is None:
            # API-FACTS open question 11: the live service may ignore it; refusing is safer.
            raise _forbidden(
                "TM-On-Behalf-Of needs an organisation token; this token is a personal API "
                "key's (remove the header, or mint with the organisation key)"
            )
        user = self.users.get(header.strip())
        if user is None or user.org_id != token_org:
            raise _forbidden(
                f"TM-On-Behalf-Of: {header.strip()!r} is not a user of this organisation"
            )
        return user.user_id


def _solana_address(ids: IdSource) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    raw = int(ids.hex(32), 16)
    out = ""
    while raw:
        raw, rest = divmod(raw, 58)
        out = alphabet[rest] + out
    return out or "1"
