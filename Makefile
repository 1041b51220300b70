# Two commands for a fresh machine (each creates its own virtual environment):
#   make demo   generate a sample month and materialize the Dagster rating graph on it
#   make test   lint, type-check and run the whole test suite
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
DEMO_ROWS ?= 200000
PERIOD ?= 2026-10
UI_PORT ?= 3000

.PHONY: venv demo ui test test-fast bench lint clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: venv
	$(BIN)/python -m pipelines.demo --rows $(DEMO_ROWS) --period $(PERIOD)

# `dg dev` (dagster-dg-cli) loads the project pyproject's [tool.dg] names. Ctrl-C stops it and
# every process it started; killing make alone would leave them serving.
ui: venv
	@echo "Dagster UI: http://127.0.0.1:$(UI_PORT) (stop it with Ctrl-C in this terminal)"
	DAGSTER_HOME=$(CURDIR)/dagster_home VIRTUAL_ENV=$(abspath $(VENV)) \
	    $(BIN)/dg dev -h 127.0.0.1 -p $(UI_PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg check defs

test: lint
	$(BIN)/python -m pytest

test-fast: venv
	$(BIN)/python -m pytest -m fast

bench: venv
	$(BIN)/python bench/bench.py --rows 1000000,10000000
	$(BIN)/python bench/bench_nightly.py

clean:
	rm -rf demo bench-data .pytest_cache .mypy_cache .ruff_cache
