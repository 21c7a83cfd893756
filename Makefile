# Every target bootstraps .venv from the package index when it is missing, so a fresh
# clone needs nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test test-matrix dist docs demo bench soak fuzz lint typecheck regenerate regenerate-check unasync drift record clean

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

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

# The same checks on every CPython >= 3.11 found (pyenv's and python3.X on PATH), each in
# its own .venv-3.X; prints what it found and skipped, one summary line per version, and
# fails if any version fails.
test-matrix: SHELL := /bin/bash
test-matrix:
	@found=""; \
	for py in $$HOME/.pyenv/versions/3.*/bin/python3 $$(compgen -c python3. 2>/dev/null | sort -u); do \
		exe=$$(command -v $$py 2>/dev/null) || continue; \
		ver=$$($$exe -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue; \
		case " $$found " in *" $$ver "*) continue;; esac; \
		if $$exe -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
			found="$$found $$ver"; echo "found Python $$ver: $$exe"; eval "exe_$${ver/./_}=$$exe"; \
		else echo "skipping Python $$ver ($$exe): older than 3.11"; fi; \
	done; \
	test -n "$$found" || { echo "no CPython >= 3.11 found"; exit 1; }; \
	summary=""; failed=0; \
	for ver in $$found; do \
		eval "exe=\$$exe_$${ver/./_}"; venv=.venv-$$ver; \
		echo "=== Python $$ver: $$venv ==="; \
		if { test -x $$venv/bin/python || $$exe -m venv $$venv; } \
			&& $$venv/bin/python -m pip install --quiet --upgrade pip \
			&& $$venv/bin/python -m pip install --quiet -e ".[dev]" \
			&& $$venv/bin/pytest -q -p no:cacheprovider --block-network \
				--allowed-hosts="127\.0\.0\.1$$,localhost$$" > $$venv/last-test.log 2>&1; \
		then result="passed: $$(tail -n 1 $$venv/last-test.log)"; \
		else result="FAILED: $$(tail -n 1 $$venv/last-test.log 2>/dev/null) (see $$venv/last-test.log)"; failed=1; fi; \
		echo "Python $$ver $$result"; summary="$$summary\nPython $$ver $$result"; \
	done; \
	printf "=== test-matrix summary ===$$summary\n"; exit $$failed

# sdist and wheel into dist/ (tests/test_wheel.py installs the wheel and runs it).
dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --no-isolation --outdir dist .

demo: $(STAMP)
	$(PY) -m truemarkets_gateway demo

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	TM_TELEMETRY=0 $(PY) scripts/bench

soak: $(STAMP)
	$(PY) scripts/soak

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(VENV)/bin/pytest -q tests/test_fuzz_inputs.py tests/test_response_fuzz.py

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
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
