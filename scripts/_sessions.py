"""Running one scenario: recording it (sandbox or UAT) or replaying its cassette.

`record_scenario` is what `scripts/record_sessions` calls; `replay_scenario` is what
`tests/test_cassettes.py` calls. Both build the gateway the same way, so a cassette
recorded here replays there.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _cassettes import (
    KEY_ID_PLACEHOLDER,
    SANDBOX_ORIGIN,
    Scrubber,
    cassette_path,
    find_secrets,
    make_vcr,
)
from _scenarios import ORG_ID, Outcome, Scenario

from truemarkets_gateway import Gateway, __version__

__all__ = [
    "REPLAY_BASE_URL",
    "SANDBOX_DEFAULTS",
    "RecordingError",
    "open_replay",
    "record_scenario",
    "replay_scenario",
]

REPLAY_BASE_URL = "http://127.0.0.1:9"
"""Where a replaying gateway points; nothing listens there and the cassette answers."""

SANDBOX_DEFAULTS: Mapping[str, Any] = {"seed": 0, "settle_delay": 0.0}
"""Sandbox settings for recording: seeded ids, and orders that settle on the next read,
so cassettes stay short and re-recording gives small diffs."""

PAYLOAD_MAX_AGE = 60.0


class RecordingError(RuntimeError):
    """A recording failed or produced a cassette that would leak a secret."""


def _no_sleep(seconds: float) -> None:
    del seconds


def _after_response_hook(gw: Gateway, method: str, path: str, action: Callable[[], None]) -> None:
    fired = False

    def hook(response: httpx.Response) -> None:
        nonlocal fired
        request = response.request
        if not fired and request.method == method and request.url.path == path:
            fired = True
            action()

    gw.http_client.event_hooks["response"].append(hook)


class _SandboxContext:
    """Recording against an in-process sandbox: faults are real sandbox fault rules."""

    mode = "sandbox"

    def __init__(self, sandbox: Any, key_file: Path, org_key_file: Path | None = None) -> None:
        self._sandbox = sandbox
        self._key_file = key_file
        self._org_key_file = org_key_file

    def organisation(self, **options: Any) -> Gateway:
        if self._org_key_file is None:
            raise RecordingError("this scenario did not ask for an organisation key")
        return Gateway(
            base_url=self._sandbox.base_url, key_file=self._org_key_file, environ={}, **options
        )

    def gateway(self, **options: Any) -> Gateway:
        return Gateway(
            base_url=self._sandbox.base_url, key_file=self._key_file, environ={}, **options
        )

    def inject(
        self, method: str, path: str, status: int, *, times: int = 1, retry_after: int = 1
    ) -> None:
        from truemarkets_gateway.sandbox import Fault

        fault = Fault.rate_limited(retry_after) if status == 429 else Fault.error(status)
        self._sandbox.faults.add(method, path, fault, times=times)

    def after_response(
        self, gw: Gateway, method: str, path: str, action: Callable[[], None]
    ) -> None:
        _after_response_hook(gw, method, path, action)

    def make_payloads_stale(self) -> None:
        faults = self._sandbox.faults
        faults.skew_clock(faults.clock_skew + PAYLOAD_MAX_AGE + 5)


class _LiveContext:
    """Recording against a real service (UAT, or production when allowed) with the caller's
    key: no faults can be injected there."""

    def __init__(self, env: str, key_file: str) -> None:
        self.mode = env
        self._env = env
        self._key_file = key_file

    def gateway(self, **options: Any) -> Gateway:
        return Gateway(env=self._env, key_file=self._key_file, **options)

    def inject(self, *args: Any, **kwargs: Any) -> None:
        raise RecordingError("fault injection needs the sandbox")

    def after_response(self, *args: Any, **kwargs: Any) -> None:
        raise RecordingError("server-side hooks need the sandbox")

    def make_payloads_stale(self) -> None:
        raise RecordingError("server-side hooks need the sandbox")

    def organisation(self, **options: Any) -> Gateway:
        raise RecordingError("organisation scenarios need the sandbox")


class _ReplayContext:
    """Replaying: the cassette answers, so faults and hooks do nothing; nobody sleeps."""

    mode = "replay"

    def __init__(self, key_file: Path) -> None:
        self._key_file = key_file

    def gateway(self, **options: Any) -> Gateway:
        return Gateway(
            base_url=REPLAY_BASE_URL,
            key_file=self._key_file,
            environ={},
            sleep=_no_sleep,
            **options,
        )

    def inject(self, *args: Any, **kwargs: Any) -> None:
        return None

    def after_response(self, *args: Any, **kwargs: Any) -> None:
        return None

    def make_payloads_stale(self) -> None:
        return None

    def organisation(self, **options: Any) -> Gateway:
        return self.gateway(**options)  # the cassette answers its token requests too


def _metadata(scenario: Scenario, target: str, outcome: Outcome) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "summary": scenario.summary,
        "target": target,
        "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sdk_version": __version__,
        "outcome": outcome.as_json(),
    }


def _check_clean(path: Path, key_ids: list[str]) -> None:
    findings = find_secrets(path.read_text(encoding="utf-8"), key_ids=key_ids)
    if findings:
        path.unlink()
        kinds = sorted({f.kind for f in findings})
        raise RecordingError(f"{path.name}: would store secrets ({', '.join(kinds)}); removed")


def record_scenario(scenario: Scenario, *, target: str = "sandbox") -> Outcome:
    """Run `scenario` against `target` and write its cassette (replacing any old one)."""
    path = cassette_path(scenario.name)
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="tm-record-") as tmp:
        if target == "sandbox":
            from truemarkets_gateway.sandbox import Sandbox, SandboxConfig

            config = SandboxConfig(
                **{**SANDBOX_DEFAULTS, "payload_max_age": PAYLOAD_MAX_AGE, **scenario.sandbox}
            )
            with Sandbox(config) as sandbox:
                key_id, key_file = sandbox.create_api_key(Path(tmp) / "key.json")
                assert isinstance(key_file, Path)
                key_ids, org_file = [key_id], None
                if scenario.organisation:
                    org_key_id, _, org_file = sandbox.create_org_key(
                        Path(tmp) / "org.json", org_id=ORG_ID
                    )
                    key_ids.append(org_key_id)
                scrubber = Scrubber(origin=(sandbox.base_url, SANDBOX_ORIGIN), key_ids=key_ids)
                ctx = _SandboxContext(sandbox, key_file, org_file)
                _record(scenario, path, scrubber, ctx, outcome)
        elif target in ("uat", "prod"):
            if scenario.needs_faults:
                raise RecordingError(f"{scenario.name} needs injected faults: sandbox only")
            key_file_text = os.environ.get("TM_KEY_FILE", "")
            from truemarkets_gateway.credentials import Credentials

            key_id = Credentials.from_key_file(key_file_text).key_id
            scrubber = Scrubber(key_ids=[key_id])
            ctx = _LiveContext(target, key_file_text)
            _record(scenario, path, scrubber, ctx, outcome, target=target)
            key_ids = [key_id]
        else:
            raise RecordingError(f"unknown target {target!r}")
    _check_clean(path, key_ids)
    return outcome


def _record(
    scenario: Scenario,
    path: Path,
    scrubber: Scrubber,
    ctx: Any,
    outcome: Outcome,
    *,
    target: str = "sandbox",
) -> None:
    path.unlink(missing_ok=True)
    recorder = make_vcr(scrubber, record_mode="all", after_load=None)
    with recorder.use_cassette(path.name) as cassette:
        scenario.run(ctx, outcome)
        cassette.get_metadata("session", _metadata(scenario, target, outcome))


@contextlib.contextmanager
def open_replay(name: str, workdir: Path) -> Iterator[tuple[Path, Any]]:
    """The cassette of scenario `name` loaded for replay (recording off), and a throwaway key
    file for the replaying client. On exit, every recorded interaction must have been played."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from truemarkets_gateway.credentials import write_key_file

    path = cassette_path(name)
    if not path.exists():
        raise FileNotFoundError(f"no cassette for scenario {name}: {path}")
    key_file = write_key_file(
        workdir / "replay-key.json", KEY_ID_PLACEHOLDER, ec.generate_private_key(ec.SECP256R1())
    )
    player = make_vcr(Scrubber(origin=(REPLAY_BASE_URL, SANDBOX_ORIGIN)), record_mode="none")
    with player.use_cassette(path.name) as cassette:
        yield key_file, cassette
        if not cassette.all_played:
            raise AssertionError(f"{name}: recorded interactions left unplayed")


def replay_scenario(scenario: Scenario, workdir: Path) -> tuple[Outcome, dict[str, Any]]:
    """Run `scenario` against its cassette (recording off); return what it observed and the
    cassette's metadata. Raises if a request has no recorded answer or one is left unplayed."""
    outcome = Outcome()
    with open_replay(scenario.name, workdir) as (key_file, cassette):
        scenario.run(_ReplayContext(key_file), outcome)
        metadata: dict[str, Any] = cassette.get_metadata("session", None)
    return outcome, metadata
