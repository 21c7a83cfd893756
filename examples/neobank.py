"""A neobank on an organisation key: open an account for a customer, fund it, buy SOL for
them on chain, and show their portfolio and history.

    python neobank.py --customer cust_1042 --signer-key signer.pem   # TM_KEY_FILE: org key
    python neobank.py --sandbox                                       # a local sandbox

The organisation API key only mints tokens; every call for a customer names them
(`TM-On-Behalf-Of`, sent by the `for_user` view) and their DeFi payloads are stamped with
the signer key registered when the customer was created. Keep that key safe: losing it
locks the customer's wallets for good.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway import Gateway, PayloadSigner, errors

SOL = "So11111111111111111111111111111111111111112"


@contextlib.contextmanager
def connect(use_sandbox: bool) -> Iterator[Gateway]:
    """The organisation's client from the environment, or one on a fresh sandbox."""
    if not use_sandbox:
        with Gateway() as gw:
            yield gw
        return
    from truemarkets_gateway.sandbox import Sandbox

    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sb:
        _, _, key_file = sb.create_org_key(Path(tmp) / "org-key.json")
        with Gateway(base_url=sb.base_url, key_file=key_file) as gw:
            yield gw


def load_signer(path: str | None) -> PayloadSigner:
    if path:
        return PayloadSigner.from_key(Path(path).read_text())
    print("no --signer-key: using a throwaway signer key (fine for the sandbox only)")
    return PayloadSigner.from_key(ec.generate_private_key(ec.SECP256R1()))


def onboard(gw: Gateway, customer: str, signer: PayloadSigner) -> None:
    # Idempotent on the customer reference: safe to run again after any failure.
    user = gw.create_user(customer, signer=signer)
    print(f"customer {user.external_ref_id} is user {user.user_id}")
    for wallet in user.wallets:
        print(f"  deposit address on {wallet.chain_family}: {wallet.address}")

    account = gw.for_user(user.user_id, signer=signer)
    usdc = account.get_balances().get("USDC")
    print(f"  USDC available: {usdc.available if usdc else 0}")
    try:
        placed = account.place_order(
            side="buy", type="market", base_asset=SOL, chain="solana", qty="20", qty_unit="quote"
        )
        print(f"  bought SOL for 20 USDC: {placed.status}")
    except errors.InsufficientBalanceError:
        print("  not enough USDC yet: ask the customer to deposit first")
    try:
        print(f"  portfolio: {account.get_portfolio().total_usd} USD")
    except errors.ServiceUnavailableError:  # pricing is down: fall back to balances
        print(f"  balances: {', '.join(account.get_balances().symbols)}")
    for entry in account.list_transactions(limit=50):
        print(f"  {entry.type} {entry.status}: {entry.qty} {entry.asset_symbol}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customer", default="cust_1042", help="your reference for them")
    parser.add_argument("--signer-key", help="file with the P-256 signer key (PEM, JWK, hex)")
    parser.add_argument("--sandbox", action="store_true", help="use a local sandbox")
    args = parser.parse_args(argv)
    signer = load_signer(args.signer_key)
    with connect(args.sandbox) as gw:
        onboard(gw, args.customer, signer)


if __name__ == "__main__":
    main()
