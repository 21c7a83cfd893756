"""`python -m truemarkets_gateway.sandbox --port 8600`: serve a sandbox in the foreground."""

from __future__ import annotations

import argparse
import sys

from truemarkets_gateway.sandbox.config import SandboxConfig
from truemarkets_gateway.sandbox.server import SandboxBindError, serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m truemarkets_gateway.sandbox",
        description="Local stand-in for the True Markets Gateway API and Auth Service.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument(
        "--seed", type=int, default=None, help="repeatable ids (default: random per run)"
    )
    parser.add_argument("--token-lifetime", type=float, default=3600.0)
    parser.add_argument("--payload-max-age", type=float, default=60.0)
    parser.add_argument("--rate-limit", action="store_true", help="100 requests / 60 s per key")
    args = parser.parse_args(argv)
    config = SandboxConfig(
        seed=args.seed,
        token_lifetime=args.token_lifetime,
        payload_max_age=args.payload_max_age,
        rate_limit=args.rate_limit,
    )

    def ready(base_url: str) -> None:
        print(f"True Markets sandbox on {base_url}", flush=True)
        print(f"  auth:    {base_url}/v1/auth", flush=True)
        print(f"  gateway: {base_url}/v1/gateway", flush=True)

    try:
        serve(args.host, args.port, config, on_ready=ready)
    except SandboxBindError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
