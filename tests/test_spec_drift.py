"""scripts/spec_drift: the comparison on tiny inline specs, and our spec against upstream."""

from __future__ import annotations

import copy
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "spec_drift"


def _shared_dir() -> Path:
    env = os.environ.get("TMGW_SHARED_DIR")
    return Path(env) if env else ROOT.parent / "shared"


UPSTREAM_DIR = _shared_dir() / "reference" / "upstream"
UPSTREAM_FILES = ("gateway.openapi.yaml", "conductor.openapi.yaml")


def _load_script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("spec_drift", str(SCRIPT))
    spec = importlib.util.spec_from_loader("spec_drift", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["spec_drift"] = module  # dataclasses look the module up while building
    loader.exec_module(module)
    return module


drift = _load_script()


# --------------------------------------------------------------------------- tiny specs


def _upstream() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "security": [{"bearerAuth": []}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"$ref": "#/components/schemas/Status"},
                        },
                        {
                            "name": "cursor",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ThingBody"}
                                }
                            },
                        },
                        "401": {"description": "no"},
                    },
                },
                "post": {
                    "operationId": "createThing",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewThing"}
                            }
                        },
                    },
                    "responses": {"202": {"description": "ok"}},
                },
            },
            "/things/{id}": {
                "delete": {
                    "operationId": "deleteThing",
                    "security": [],
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "202": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "Status": {"type": "string", "enum": ["open", "closed"]},
                "ThingBody": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "status": {"$ref": "#/components/schemas/Status"},
                        "unit": {"type": "string", "enum": ["base", "quote"]},
                        "note": {"type": "string"},
                    },
                },
                "NewThing": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "size": {"type": "integer"}},
                },
            }
        },
    }


def _ours_equivalent() -> dict[str, Any]:
    """Our side of the tiny spec: nothing missing, with the kinds of deliberate change we make."""
    ours = copy.deepcopy(_upstream())
    schemas = ours["components"]["schemas"]
    schemas["Thing"] = schemas.pop("ThingBody")  # the Body suffix dropped
    get = ours["paths"]["/things"]["get"]
    get["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Thing"
    }
    get["responses"]["429"] = {"description": "slow down"}
    get["parameters"][1]["schema"] = {"type": "string"}  # opaque cursor
    schemas["Unit"] = {"type": "string", "enum": ["base", "quote"]}
    schemas["Thing"]["properties"]["unit"] = {"$ref": "#/components/schemas/Unit"}
    schemas["Thing"]["properties"]["note"] = {"type": ["string", "null"]}
    schemas["Thing"]["properties"]["extra"] = {"type": "string"}
    schemas["EmptyObject"] = {"type": "object"}
    ours["paths"]["/things/{id}"]["delete"]["responses"]["202"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/EmptyObject"}
    return ours


@pytest.fixture
def renamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drift, "RENAMES", {"ThingBody": "Thing"})


def _wheres(findings: list[Any], kind: str | None = None) -> set[str]:
    return {f.where for f in findings if kind is None or f.kind == kind}


def test_identical_specs_report_nothing() -> None:
    report = drift.compare(_upstream(), _upstream())
    assert report.ok
    assert report.missing == report.different == report.beyond == []


def test_deliberate_changes_are_known_or_beyond_not_missing(renamed: None) -> None:
    report = drift.compare(_upstream(), _ours_equivalent())
    assert report.missing == []
    # the only disagreement left is the cursor format, which the real KNOWN table does not
    # cover for this made-up operation
    assert _wheres(report.different) == {"operation listThings parameter cursor(query)"}
    known = _wheres(report.known)
    assert "schema Thing" in known  # rename
    assert "schema Thing.unit" in known  # inline enum -> shared schema
    assert "operation deleteThing response 202" in known  # inline {} -> EmptyObject
    beyond = _wheres(report.beyond)
    assert {
        "schema Thing.note",  # nullable restored
        "schema Thing.extra",
        "schema Unit",
        "schema EmptyObject",
        "operation listThings response 429",
    } <= beyond


def test_marked_operations_and_schemas_show_their_mark_under_beyond() -> None:
    ours = _upstream()
    ours["paths"]["/extras"] = {
        "get": {
            "operationId": "getExtras",
            "x-tmgw-beyond-upstream": "seen in the example app",
            "responses": {"200": {"description": "ok"}},
        }
    }
    ours["components"]["schemas"]["Extra"] = {"type": "object", "x-tmgw-beyond-upstream": "same"}
    report = drift.compare(_upstream(), ours)
    assert report.ok and report.missing == []
    details = {f.where: f.detail for f in report.beyond}
    assert details["operation getExtras"] == (
        "GET /extras (x-tmgw-beyond-upstream: seen in the example app)"
    )
    assert details["schema Extra"].endswith("(x-tmgw-beyond-upstream: same)")
    assert "-- Ours beyond upstream: 2" in drift.render(report)


def test_known_table_excuses_a_finding(renamed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        drift.KNOWN, ("format", "operation listThings parameter cursor(query)"), "opaque cursor"
    )
    report = drift.compare(_upstream(), _ours_equivalent())
    assert report.ok, report.different
    assert "operation listThings parameter cursor(query)" in _wheres(report.known, "format")


def test_missing_field_enum_value_and_operation_are_reported(renamed: None) -> None:
    ours = _ours_equivalent()
    del ours["components"]["schemas"]["Thing"]["properties"]["name"]  # one field missing
    ours["components"]["schemas"]["Status"]["enum"] = ["open"]  # one enum value missing
    del ours["paths"]["/things/{id}"]  # one operation missing
    report = drift.compare(_upstream(), ours)
    assert not report.ok
    missing = {(f.kind, f.where) for f in report.missing}
    assert ("property", "schema Thing.name") in missing
    assert ("enum", "schema Status") in missing
    assert ("operation", "operation deleteThing") in missing
    enum = next(f for f in report.missing if f.kind == "enum")
    assert enum.upstream == "closed"
    assert len(report.missing) == 3


def test_other_differences_are_reported() -> None:
    up = _upstream()
    ours = copy.deepcopy(up)
    get = ours["paths"]["/things"]["get"]
    del get["parameters"][0]  # parameter status missing
    del get["responses"]["401"]  # response code missing
    get["security"] = []  # security differs
    schemas = ours["components"]["schemas"]
    schemas["ThingBody"]["properties"]["id"] = {"type": "integer"}  # type differs
    schemas["NewThing"]["required"] = []  # request field no longer required
    schemas["ThingBody"]["required"] = ["id"]  # response field demanded
    up["components"]["schemas"]["ThingBody"]["properties"]["note"] = {"type": ["string", "null"]}
    report = drift.compare(up, ours)
    assert {(f.kind, f.where) for f in report.missing} == {
        ("parameter", "operation listThings parameter status(query)"),
        ("response", "operation listThings response 401"),
    }
    different = {(f.kind, f.where) for f in report.different}
    assert ("security", "operation listThings") in different
    assert ("type", "schema ThingBody.id") in different
    assert ("required", "schema NewThing.name") in different
    assert ("required", "schema ThingBody.id") in different
    assert ("nullable", "schema ThingBody.note") in different


def test_allof_wrapped_ref_counts_as_the_ref() -> None:
    up = _upstream()
    props = up["components"]["schemas"]["ThingBody"]["properties"]
    props["status"] = {"allOf": [{"$ref": "#/components/schemas/Status"}], "description": "d"}
    report = drift.compare(up, _upstream())
    assert report.ok
    assert report.known == report.beyond == []


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_cli_exit_status_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    up = _write(tmp_path, "up.yaml", _upstream())
    ours_doc = _upstream()
    del ours_doc["paths"]["/things"]["post"]
    ours = _write(tmp_path, "ours.yaml", ours_doc)

    assert drift.main([str(up), "--ours", str(up)]) == 0
    assert "OK: nothing missing or different" in capsys.readouterr().out

    assert drift.main([str(up), "--ours", str(ours)]) == 1
    text = capsys.readouterr().out
    assert "Missing (upstream has it, we lack it): 1" in text
    assert "[operation] operation createThing: POST /things is not in our spec" in text

    assert drift.main([str(up), "--ours", str(ours), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    (rep,) = out["reports"]
    assert [m["where"] for m in rep["missing"]] == ["operation createThing"]


def test_cli_skips_without_upstream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TMGW_SHARED_DIR", str(tmp_path / "nowhere"))
    assert drift.main([]) == 0
    assert "skipped" in capsys.readouterr().out


def test_cli_missing_file_is_an_error(tmp_path: Path) -> None:
    assert drift.main([str(tmp_path / "absent.yaml")]) == 2


# --------------------------------------------------------------------------- real upstream


def _upstream_path(name: str) -> Path:
    path = UPSTREAM_DIR / name
    if not path.is_file():
        pytest.skip(f"upstream spec not available: {path} (set TMGW_SHARED_DIR to its shared/)")
    return path


@pytest.mark.parametrize("name", UPSTREAM_FILES)
def test_our_spec_lacks_nothing_upstream_has(name: str) -> None:
    path = _upstream_path(name)
    with path.open(encoding="utf-8") as fh:
        up = yaml.safe_load(fh)
    with (ROOT / "openapi" / "gateway.yaml").open(encoding="utf-8") as fh:
        ours = yaml.safe_load(fh)
    report = drift.compare(up, ours)
    assert report.missing == [], drift.render(report)
    assert report.different == [], drift.render(report)
    # the deliberate differences are recognised as such
    known = _wheres(report.known)
    assert "schema CreateOrderResponse" in known
    assert "schema CreateOrderRequest.base_asset" in known
    assert "schema Pagination.next_cursor" in known
    # organisation mode: ours beyond upstream, with the mark saying so
    beyond = {f.where: f.detail for f in report.beyond}
    for where in (
        "operation getPortfolio",
        "operation listTransactions",
        "schema PortfolioResponse",
        "schema TransactionDetail",
    ):
        assert "x-tmgw-beyond-upstream" in beyond[where], where


def test_script_runs_as_a_program_against_upstream() -> None:
    paths = [str(_upstream_path(name)) for name in UPSTREAM_FILES]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["ok"] is True
    assert len(out["reports"]) == 2
