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

# Debian's Chromium for the browser tests (tests/web/test_browser.py), installed where make
# runs as root with apt; elsewhere those tests skip and say why (ICEFACTS_REQUIRE_BROWSER=1,
# as CI sets it, makes a missing browser a failure instead)
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium >/dev/null) || echo "note: apt could not install chromium"; \
	  else echo "note: no Chromium (apt install chromium): the browser tests will skip"; fi; }

test: bytecode chromium ## the whole test suite
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
