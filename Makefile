# Everything runs inside .venv, created on demand from uv.lock (uv itself lives in .tools).
PY ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
ICEFACTS_MIRROR ?= $(abspath ../shared/data)
export ICEFACTS_MIRROR

.PHONY: demo test check lint format typecheck bench clean install

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (it is on these machines) every run
# would otherwise compile every module again (icefacts --version: 1.6 s instead of 0.2 s)
$(BIN)/icefacts: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --group dev --quiet --compile-bytecode
	@touch $@

# the project's own modules, compiled where they are (fast when nothing changed)
.PHONY: bytecode
bytecode: $(BIN)/icefacts
	@$(BIN)/python -m compileall -q src

demo: bytecode ## ingest the real national FY2017 arrests (or a synthetic release) and summarise
	$(BIN)/icefacts demo

test: bytecode ## the whole test suite
	$(BIN)/pytest -q

# `icefacts` on your PATH: a link in ~/.local/bin to the project's command (or activate the
# venv instead: `. .venv/bin/activate`)
BIN_DIR ?= $(HOME)/.local/bin
install: bytecode
	@mkdir -p $(BIN_DIR)
	@ln -sf $(abspath $(BIN)/icefacts) $(BIN_DIR)/icefacts
	@echo "linked $(BIN_DIR)/icefacts -> $(abspath $(BIN)/icefacts)"
	@case ":$$PATH:" in *":$(BIN_DIR):"*) ;; *) echo "note: $(BIN_DIR) is not on your PATH; add it, or run . .venv/bin/activate";; esac

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
