# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: demo lab test test-fast lint typecheck pytest bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

KERNEL := $(VENV)/share/jupyter/kernels/eval-workbench/kernel.json

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name eval-workbench --display-name "Eval Workbench" >/dev/null
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name eval-workbench --display-name "Eval Workbench" >/dev/null
	touch $@ $(VENV)/.installed

# Browser tests drive Debian's chromium (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); }

demo: $(VENV)/.installed
	$(BIN)/workbench demo

# JupyterLab on 127.0.0.1 with a token, the notebooks/ folder open, the kernel "Eval Workbench"
# and the store ./datasets, ./runs (WORKBENCH_ROOT or ROOT=path picks another). PORT=8888 fixes the port.
lab: $(VENV)/.installed
	$(BIN)/workbench lab $(if $(PORT),--port $(PORT)) $(if $(ROOT),--root $(ROOT))

lint: $(STAMP)
	$(BIN)/ruff check workbench tests bench examples
	$(BIN)/ruff format --check workbench tests bench examples

typecheck: $(STAMP)
	$(BIN)/mypy

# Everything: the fast tier on both cores (pytest-xdist), then the slow tier (browsers, kernels,
# subprocesses) one test at a time, so their timings are not squeezed by each other.
pytest: $(STAMP) chromium
	$(BIN)/pytest -m "not slow" -n 2 -q
	WORKBENCH_REQUIRE_BROWSER=1 $(BIN)/pytest -m slow

test: lint typecheck pytest

# The inner loop: lint, types and every test not marked slow (no browser, Papermill, kernels or
# subprocesses), on every core (pytest-xdist).
test-fast: lint typecheck
	$(BIN)/pytest -m "not slow" -n auto -q

bench: $(STAMP)
	$(BIN)/python bench/bench_store.py
	$(BIN)/python bench/bench_runs.py
	$(BIN)/python bench/bench_compare.py
	$(BIN)/python bench/bench_analysis.py
	$(BIN)/python bench/bench_report.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
