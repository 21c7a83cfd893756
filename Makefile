# Every target bootstraps .venv from the package index when it is missing, so a fresh
# clone needs nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench soak fuzz lint typecheck regenerate regenerate-check unasync drift record clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) scripts/regenerate --check
	$(PY) scripts/unasync --check
	$(VENV)/bin/pytest --block-network --allowed-hosts="127\.0\.0\.1$$,localhost$$"

demo: $(STAMP)
	$(PY) -m truemarkets_gateway demo

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	TM_TELEMETRY=0 $(PY) scripts/bench

soak: $(STAMP)
	$(PY) scripts/soak

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(VENV)/bin/pytest -q tests/test_fuzz_inputs.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check facade tests scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy

regenerate: $(STAMP)
	$(PY) scripts/regenerate

regenerate-check: $(STAMP)
	$(PY) scripts/regenerate --check

unasync: $(STAMP)
	$(PY) scripts/unasync

drift: $(STAMP)
	$(PY) scripts/spec_drift

record: $(STAMP)
	$(PY) scripts/record_sessions

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
