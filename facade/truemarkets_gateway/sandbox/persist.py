"""Saving a sandbox's state to a JSON file and loading it back (`tmgw sandbox --state-file`).

Kept: API keys (public keys only), accounts, organisations, their users and every balance
total, so a key file keeps working across restarts. Not kept: orders, transfers and tokens
(the token signing key is new per run; clients mint again), so holds of open orders are
released. The file holds no private key, and is written 0600 and atomically.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from truemarkets_gateway.sandbox.organizations import OrgUser
from truemarkets_gateway.sandbox.payloads import compressed_hex
from truemarkets_gateway.sandbox.state import Account, SandboxState, load_public_key
from truemarkets_gateway.sandbox.values import format_decimal

__all__ = ["FORMAT", "load_state", "save_state"]

FORMAT = "tmgw-sandbox-state/1"


def snapshot(state: SandboxState) -> dict[str, Any]:
    with state.lock:
        keys = [
            {
                "key_id": key.key_id,
                "uid": key.uid,
                "public_key": compressed_hex(key.public_key),
                "org_id": key.org_id,
                "revoked": key.revoked,
            }
            for key in state.auth.keys()
        ]
        accounts = [
            {"uid": a.uid, "signer": compressed_hex(a.signer), "key_ids": list(a.key_ids)}
            for a in state.accounts.values()
        ]
        users = [
            {
                "user_id": u.user_id,
                "org_id": u.org_id,
                "external_ref_id": u.external_ref_id,
                "signer_hex": u.signer_hex,
                "created_at": u.created_at,
                "wallets": u.wallets,
            }
            for u in state.orgs.users.values()
        ]
        balances = {
            uid: [[symbol, chain, format_decimal(total)] for (symbol, chain), total in rows.items()]
            for uid, rows in state.ledger.totals().items()
        }
        orgs = {org: list(key_ids) for org, key_ids in state.orgs.orgs.items()}
    return {
        "format": FORMAT,
        "keys": keys,
        "accounts": accounts,
        "organizations": orgs,
        "users": users,
        "balances": balances,
    }


def save_state(state: SandboxState, path: str | os.PathLike[str]) -> Path:
    """Write the state file (0600) through a temporary file, so a crash never leaves half."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(snapshot(state), handle, indent=1)
        handle.write("\n")
    os.replace(temporary, target)
    return target


def load_state(state: SandboxState, path: str | os.PathLike[str]) -> None:
    """Load a file written by `save_state` into a fresh sandbox; ValueError if unreadable."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read sandbox state from {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path} is not a sandbox state file ({FORMAT})")
    try:
        _restore(state, doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: damaged sandbox state ({exc!r})") from None


def _restore(state: SandboxState, doc: dict[str, Any]) -> None:
    with state.lock:
        for row in doc["accounts"]:
            signer = load_public_key(row["signer"])
            state.accounts[row["uid"]] = Account(row["uid"], signer, list(row["key_ids"]))
            state.ledger.open(row["uid"])
        for row in doc["keys"]:
            public = load_public_key(row["public_key"])
            state.auth.register(row["key_id"], row["uid"], public, org_id=row["org_id"])
            if row["revoked"]:
                state.auth.revoke(row["key_id"])
        for org, key_ids in doc["organizations"].items():
            state.orgs.orgs[org] = list(key_ids)
        for row in doc["users"]:
            user = OrgUser(
                row["user_id"],
                row["org_id"],
                row["external_ref_id"],
                row["signer_hex"],
                float(row["created_at"]),
                float(row["created_at"]),
                [dict(w) for w in row["wallets"]],
                announced=True,
            )
            state.orgs.users[user.user_id] = user
        # A seeded sandbox repeats its ids: keep it from reissuing a loaded one.
        state.ids.taken |= {row["key_id"] for row in doc["keys"]} | set(state.accounts)
        state.ids.taken |= set(doc["organizations"]) | set(state.orgs.users)
        for uid, rows in doc["balances"].items():
            for symbol, chain, total in rows:
                state.ledger.credit(uid, symbol, chain, Decimal(total))
