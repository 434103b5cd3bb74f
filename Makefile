# One command sets up and runs each job; the virtual environment is built from the lock file
# on first use and rebuilt when the lock file or pyproject.toml changes.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=
CHROMIUM ?= $(or $(SAMENSPEL_CHROMIUM),/usr/bin/chromium)

.PHONY: setup browser-deps run compare test test-fast screenshots lint bench posterior lock clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# The browser tests drive Debian's chromium (Playwright never downloads a browser); this installs
# it with apt-get when it is missing: as root (CI), or through sudo.
browser-deps:  ## Debian's chromium and a font, for the browser tests
	@if [ -x "$(CHROMIUM)" ]; then echo "browser-deps: $(CHROMIUM) is there"; else \
	  command -v apt-get >/dev/null || { echo "browser-deps: no apt-get on this machine;" \
	    "install chromium and set SAMENSPEL_CHROMIUM=/path/to/chromium" >&2; exit 1; }; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; log=$$(mktemp); \
	  echo "browser-deps: installing chromium with apt-get"; \
	  if $$sudo apt-get update -qq >"$$log" 2>&1 && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-dejavu-core >>"$$log" 2>&1; \
	  then rm -f "$$log"; else cat "$$log" >&2; rm -f "$$log"; exit 1; fi; \
	  [ -x "$(CHROMIUM)" ] || { echo "browser-deps: $(CHROMIUM) still missing" >&2; exit 1; }; \
	fi

compare: $(STAMP)  ## the main job: compare every preset; options with ARGS="--replicates 50"
	$(VENV)/bin/samenspel compare $(ARGS)

run: $(STAMP)  ## one simulation of the default scenario; pass options with ARGS="--seed 3"
	$(VENV)/bin/samenspel run $(ARGS)

test: lint  ## lint, then the whole suite (unit, invariants, reproducibility, CLI, patterns, browser)
	$(PY) -m pytest $(ARGS)

test-fast: $(STAMP)  ## while you work: the model, rules, configuration and unit tests (under a minute)
	$(PY) -m pytest -m "not patterns and not browser and not slow" $(ARGS)

screenshots: $(STAMP)  ## the browser tests, refreshing the screenshots in docs/img
	SAMENSPEL_SCREENSHOTS=1 $(PY) -m pytest -m browser $(ARGS)

lint: $(STAMP)  ## style, size and complexity (ruff), layers (import-linter), types (mypy)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(STAMP)  ## outputs unchanged, then the speed benchmarks (benchmarks/README.md; memory: bench_memory.py)
	$(PY) benchmarks/fingerprint.py
	$(PY) benchmarks/bench_run.py $(ARGS)
	$(PY) benchmarks/bench_large.py
	$(PY) benchmarks/bench_sweep.py

posterior: $(STAMP)  ## into the package: a calibration's posterior (FROM=results/calibration), then validate --worlds's verdicts (CHECKS=results/validate)
	@test -n "$(FROM)$(CHECKS)" || { echo "give FROM=a calibration's result folder and/or CHECKS=a validate --worlds result"; exit 2; }
	@if [ -n "$(FROM)" ]; then $(PY) -c 'import sys; from sim.study.calibration.posterior import publish; print(publish(sys.argv[1]))' "$(FROM)"; fi
	@if [ -n "$(CHECKS)" ]; then $(PY) -c 'import sys; from sim.study.calibration.posterior import publish_checks; print(publish_checks(sys.argv[1]))' "$(CHECKS)"; fi

lock:  ## re-resolve the pinned environment (needs network access to PyPI)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.12 -o requirements.lock

clean:
	rm -rf $(VENV)
