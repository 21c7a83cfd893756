"""The token cache file: 0600, atomic, and never trusted when corrupt, foreign or expired."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from truemarkets_gateway._transport.token_cache import CachedToken, TokenCache

KEY_ID = "8f0c3d2e-5b7a-4c1e-9d3f-2a6b8c4e1f70"
HOST = "http://tm.test"
NOW = 1_767_225_600.0
FINGERPRINT = "0f" * 16
OWNER = {"key_id": KEY_ID, "host": HOST, "fingerprint": FINGERPRINT}
TOKEN = CachedToken("access-secret", "refresh-secret", NOW + 600, NOW, 0.0)


@pytest.fixture
def cache(tmp_path: Path) -> TokenCache:
    return TokenCache(tmp_path / "dir" / "token.json")


def _load(cache: TokenCache, **changes: Any) -> CachedToken | None:
    args = {**OWNER, "local_now": NOW} | changes
    return cache.load(**args)


def test_round_trip_with_mode_0600(cache: TokenCache) -> None:
    cache.save(**OWNER, token=TOKEN)
    assert cache.path.stat().st_mode & 0o777 == 0o600
    assert _load(cache) == TOKEN
    assert list(cache.path.parent.iterdir()) == [cache.path]  # no temporary left


def test_new_folders_are_0700(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "state" / "tm" / "token.json")
    previous = os.umask(0o022)
    try:
        cache.save(**OWNER, token=TOKEN)
    finally:
        os.umask(previous)
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "state" / "tm").stat().st_mode & 0o777 == 0o700
    assert cache.path.stat().st_mode & 0o777 == 0o600
    assert _load(cache) == TOKEN


def test_missing_file(cache: TokenCache) -> None:
    assert _load(cache) is None


def test_foreign_key_or_host_is_ignored(cache: TokenCache) -> None:
    cache.save(**OWNER, token=TOKEN)
    assert _load(cache, key_id="11111111-2222-4333-8444-555555555555") is None
    assert _load(cache, host="https://api.truemarkets.co") is None
    # Same key id, another private key (its public key's fingerprint differs): not ours.
    assert _load(cache, fingerprint="1e" * 16) is None
    assert _load(cache) == TOKEN


def test_expired_is_ignored(cache: TokenCache) -> None:
    cache.save(**OWNER, token=TOKEN)
    assert _load(cache, local_now=NOW + 599) is not None
    assert _load(cache, local_now=NOW + 600) is None


def test_expiry_is_judged_in_server_time(cache: TokenCache) -> None:
    skewed = CachedToken("a", "r", NOW + 600, NOW, clock_offset=120.0)
    cache.save(**OWNER, token=skewed)
    assert _load(cache, local_now=NOW + 479) is not None
    assert _load(cache, local_now=NOW + 481) is None


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        "{}",
        json.dumps({"version": 1, **OWNER}),
        json.dumps({"version": 2, **OWNER, "access_token": ""}),
        json.dumps(
            {
                "version": 2,
                **OWNER,
                "access_token": "a",
                "refresh_token": 5,
                "expires_at": NOW + 600,
                "obtained_at": NOW,
            }
        ),
        json.dumps(
            {
                "version": 2,
                **OWNER,
                "access_token": "a",
                "expires_at": "tomorrow",
                "obtained_at": NOW,
            }
        ),
        json.dumps(
            {
                "version": 2,
                **OWNER,
                "access_token": "a",
                "expires_at": NOW + 600,
                "obtained_at": NOW,
                "clock_offset": 10**9,  # absurd: would make any expired token look alive
            }
        ),
        json.dumps(
            {"version": 2, **OWNER, "access_token": "a", "expires_at": 10**400, "obtained_at": NOW}
        ),
        "[" * 30_000 + "]" * 30_000,  # too deep for the JSON reader: corrupt, not a crash
    ],
)
def test_corrupt_is_ignored(cache: TokenCache, content: str) -> None:
    cache.path.parent.mkdir(parents=True)
    cache.path.write_text(content)
    os.chmod(cache.path, 0o600)
    assert _load(cache) is None


def test_insecure_file_is_not_trusted(cache: TokenCache, caplog: pytest.LogCaptureFixture) -> None:
    cache.save(**OWNER, token=TOKEN)
    os.chmod(cache.path, 0o644)
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        assert _load(cache) is None
    assert "accessible by others" in caplog.text


def test_a_directory_is_not_a_cache(cache: TokenCache) -> None:
    cache.path.mkdir(parents=True)
    assert _load(cache) is None


def test_write_failure_only_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = TokenCache(blocker / "token.json")  # parent is a file
    with caplog.at_level(logging.WARNING, logger="truemarkets_gateway"):
        cache.save(**OWNER, token=TOKEN)
    assert "could not write the token cache" in caplog.text


def test_clear(cache: TokenCache) -> None:
    cache.clear()  # absent: fine
    cache.save(**OWNER, token=TOKEN)
    cache.clear()
    assert not cache.path.exists()


def test_reprs_hide_tokens(cache: TokenCache) -> None:
    for text in (repr(TOKEN), repr(cache)):
        assert "secret" not in text


_KILLED_WRITER = """
import os, signal, sys
from truemarkets_gateway._transport.token_cache import CachedToken, TokenCache
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # die between write and rename
TokenCache(sys.argv[1]).save(
    key_id="k", host="h", fingerprint="f", token=CachedToken("access-secret", None, 2e9, 1e9)
)
"""


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_write(cache: TokenCache) -> None:
    cache.path.parent.mkdir()
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(cache.path)], timeout=60)
    assert done.returncode == -signal.SIGKILL
    strays = list(cache.path.parent.iterdir())
    assert len(strays) == 1 and "access-secret" in strays[0].read_text()  # the leak
    os.utime(strays[0], (time.time() - 60, time.time() - 60))
    fresh = cache.path.parent / f".{cache.path.name}.inflight"  # another writer's, just now
    fresh.write_text("")
    cache.save(**OWNER, token=TOKEN)
    assert sorted(cache.path.parent.iterdir()) == sorted([cache.path, fresh])
    assert _load(cache) == TOKEN


def test_writes_are_atomic(cache: TokenCache, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.save(**OWNER, token=TOKEN)

    def fail(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    cache.save(**OWNER, token=CachedToken("other", None, NOW + 900, NOW))
    monkeypatch.undo()
    assert _load(cache) == TOKEN  # the old file is whole; no temp file is left
    assert list(cache.path.parent.iterdir()) == [cache.path]
