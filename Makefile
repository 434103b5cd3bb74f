# One command sets up and runs each job; the virtual environment is built from the lock file
# on first use and rebuilt when the lock file or pyproject.toml changes.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: setup run compare test lint bench lock clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

compare: $(STAMP)  ## the main job: compare every preset; options with ARGS="--replicates 50"
	$(VENV)/bin/samenspel compare $(ARGS)

run: $(STAMP)  ## one simulation of the default scenario; pass options with ARGS="--seed 3"
	$(VENV)/bin/samenspel run $(ARGS)

test: $(STAMP)  ## lint, then the whole suite (unit, invariants, reproducibility, CLI, patterns)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	$(PY) benchmarks/bench_run.py $(ARGS)

lock:  ## re-resolve the pinned environment (needs network access to PyPI)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.12 -o requirements.lock

clean:
	rm -rf $(VENV)
