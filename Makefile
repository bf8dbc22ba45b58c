# Everything runs inside .venv, created on demand from uv.lock (uv itself lives in .tools).
PY ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
ICEFACTS_MIRROR ?= $(abspath ../shared/data)
export ICEFACTS_MIRROR

.PHONY: demo test check lint format typecheck bench clean

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

$(BIN)/icefacts: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --group dev --quiet
	@touch $@

demo: $(BIN)/icefacts ## ingest the real national FY2017 arrests (or a synthetic release) and summarise
	$(BIN)/icefacts demo

test: $(BIN)/icefacts ## the whole test suite
	$(BIN)/pytest -q

lint: $(BIN)/icefacts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(BIN)/icefacts
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: $(BIN)/icefacts
	$(BIN)/mypy

check: lint typecheck test

bench: $(BIN)/icefacts
	$(UV) sync --frozen --group dev --group bench --quiet
	$(BIN)/python bench/ingest_bench.py --national ../shared/data/uwchr-ero-lesa-national-fy2016-2019

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache icefacts.duckdb
