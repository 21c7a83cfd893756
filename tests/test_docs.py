"""The documentation: `mkdocs build --strict` passes, and every ```python block of docs/
runs against a sandbox (or is marked with why it cannot).

Markers, on the line right before a block's fence:
- `<!-- docs-test: skip REASON -->`: not run (e.g. it needs production or UAT).
- `<!-- docs-test: org -->`: organisation mode: run in order with `org-api-key.json`, an
  organisation key of a fresh sandbox, in the working directory.
- `<!-- docs-test: pytest -->` / `<!-- docs-test: conftest -->`: a user's test file / its
  conftest.py, run by pytest in a directory outside this repo.
Other blocks of a page run in order, sharing one namespace, with `TM_BASE_URL` and
`TM_KEY_FILE` naming a fresh sandbox and its funded key (also in the working directory as
`truemarkets-api-key.json`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from truemarkets_gateway.testing import SandboxFixture

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
MARKER = re.compile(r"^<!-- docs-test: (skip .+|org|pytest|conftest) -->$")
TEST_FUNCTION = re.compile(r"^(?:async )?def test_", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # of the first code line, 1-based
    code: str
    marker: str | None  # None: run it

    def compiled(self) -> object:
        # Leading blank lines keep traceback line numbers equal to the page's.
        return compile("\n" * (self.line - 1) + self.code, f"docs/{self.page}", "exec")


def python_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = lines[index].strip()
        if fence.startswith("```"):
            start = index + 1
            end = start
            while not lines[end].strip().startswith("```"):
                end += 1
            if fence == "```python":
                previous = lines[index - 1].strip() if index else ""
                found = MARKER.match(previous)
                if previous.startswith("<!-- docs-test") and not found:
                    raise AssertionError(f"{path.name}:{index}: unknown marker {previous}")
                marker = found.group(1) if found else None
                code = "\n".join(lines[start:end]) + "\n"
                blocks.append(Block(path.relative_to(DOCS).as_posix(), start + 1, code, marker))
            index = end + 1
        else:
            index += 1
    return blocks


ALL_BLOCKS = [b for page in sorted(DOCS.rglob("*.md")) for b in python_blocks(page)]
RUN_PAGES = sorted({b.page for b in ALL_BLOCKS if b.marker is None})


def test_the_docs_have_code_to_run() -> None:
    assert {"quickstart.md", "trading.md", "transfers.md", "errors.md"} <= set(RUN_PAGES)
    assert any(b.marker == "pytest" for b in ALL_BLOCKS)


@pytest.mark.parametrize("page", RUN_PAGES)
def test_page_code_runs_against_the_sandbox(
    page: str, tm_sandbox: SandboxFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("TM_")]:
        monkeypatch.delenv(name)
    key_file = tmp_path / "truemarkets-api-key.json"
    shutil.copyfile(tm_sandbox.key_file, key_file)
    key_file.chmod(0o600)
    monkeypatch.setenv("TM_BASE_URL", tm_sandbox.base_url)
    monkeypatch.setenv("TM_KEY_FILE", str(key_file))
    monkeypatch.chdir(tmp_path)
    sdk_logger = logging.getLogger("truemarkets_gateway")
    monkeypatch.setattr(sdk_logger, "level", sdk_logger.level)  # a page may change it
    namespace: dict[str, object] = {"__name__": "__main__"}
    ran = 0
    for block in ALL_BLOCKS:
        if block.page == page and block.marker is None:
            exec(block.compiled(), namespace)
            ran += 1
    assert ran


def _user_project(tmp_path: Path) -> tuple[Path, int]:
    project = tmp_path / "user_project"
    project.mkdir()
    tests = [b.code for b in ALL_BLOCKS if b.marker == "pytest"]
    conftests = [b.code for b in ALL_BLOCKS if b.marker == "conftest"]
    for number, code in enumerate(tests):
        (project / f"test_docs_{number}.py").write_text(code)
    (project / "conftest.py").write_text("\n".join(conftests))
    return project, sum(len(TEST_FUNCTION.findall(code)) for code in tests)


def test_testing_page_tests_pass_in_a_users_project(tmp_path: Path) -> None:
    project, expected = _user_project(tmp_path)
    assert expected >= 5 and REPO not in project.parents
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TM_", "PYTHON"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{expected} passed" in done.stdout, done.stdout


def test_organisation_mode_code_runs(
    tm_sandbox: SandboxFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = [b for b in ALL_BLOCKS if b.marker == "org"]
    assert len(blocks) >= 3
    for name in [n for n in os.environ if n.startswith("TM_")]:
        monkeypatch.delenv(name)
    tm_sandbox.sandbox.create_org_key(tmp_path / "org-api-key.json")
    monkeypatch.setenv("TM_BASE_URL", tm_sandbox.base_url)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for block in blocks:
        exec(block.compiled(), namespace)


def test_mkdocs_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cli = (site / "cli" / "index.html").read_text()
    assert "tmgw-reference" not in cli
    for command in ("tmgw quote", "tmgw buy", "tmgw cancel", "tmgw sandbox", "tmgw transfer"):
        assert f"Usage: {command} [OPTIONS]" in cli, command
    reference = (site / "reference" / "clients" / "index.html").read_text()
    for member in ("Gateway.place_order", "AsyncGateway.cancel_order", "Gateway.get_order"):
        assert (
            f'id="truemarkets_gateway.{"async_" if member[0] == "A" else ""}client.{member}"'
            in reference
        )
    assert "tm_sandbox" in (site / "reference" / "testing" / "index.html").read_text()


def _undocumented() -> list[str]:
    import inspect

    import truemarkets_gateway as tg

    missing = []
    for name in (n for n in tg.__all__ if not n.startswith("_")):
        obj = getattr(tg, name)
        if not inspect.isclass(obj):
            continue
        doc = obj.__doc__ or ""
        if not doc.strip() or doc.startswith(f"{name}(") or "the issue asks" in doc:
            missing.append(name)  # none, attrs' generated signature, or notes for maintainers
        for member in (m for m in dir(obj) if not m.startswith("_")):
            value = inspect.getattr_static(obj, member)
            func = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if callable(func) and not (func.__doc__ or "").strip():
                missing.append(f"{name}.{member}")
    return missing


def test_every_public_class_and_method_has_a_user_docstring() -> None:
    assert _undocumented() == []
