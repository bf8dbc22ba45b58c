"""The shape of the package: the import graph of ``src/icefacts``, built from the source with
``ast``, has no cycles and follows the layers (release specs -> ingest -> clean -> warehouse
-> link -> analysis -> api -> cli); the command starts without the heavy libraries.

Every import counts: at module level, inside functions (imported on first use), under
``TYPE_CHECKING`` and through ``lazy_import("...")``. An edge goes to the module an import
names (``from icefacts.places import states`` -> ``icefacts.places.states``; ``from
icefacts.policies import Registry`` -> the package ``icefacts.policies``). The one exception,
by construction: Python runs a package's ``__init__`` before any of its submodules, and an
``__init__`` that re-exports its submodules' names imports them back; those implicit
parent-package imports are not edges (they would make every re-exporting package a cycle of
itself, and no module here imports its own package's ``__init__`` for a name).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "icefacts"

# what the command may import: the API, the renderers and the tiny modules every layer uses
CLI_MAY_IMPORT = {
    "icefacts.api",
    "icefacts.render",
    "icefacts.render_claims",
    "icefacts.errors",
    "icefacts._version",
    "icefacts._lazy",
    "icefacts.interrupts",
    "icefacts.days",
    "icefacts.web.server",  # serve: the web app, started by the command
    "icefacts.web.reports",  # report: built from the web app's views
}
# the web app sits beside the command: above the API, below nothing
WEB_MAY_IMPORT = {
    "icefacts.api",
    "icefacts.charts",
    "icefacts.publish",
    "icefacts.publish.suppress",
    "icefacts.errors",
    "icefacts.formulas",
    "icefacts.days",
    "icefacts._version",
    "icefacts._lazy",
    "icefacts.warehouse",  # the Warehouse type a request's cursor is wrapped in
    "icefacts.warehouse.store",
    "icefacts.warehouse.connect",  # who holds the warehouse's lock (/proc/locks)
}
WAREHOUSE_MUST_NOT = ("analysis", "link", "places", "policies", "api", "cli", "web")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The icefacts modules ``name`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "lazy_import"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return {m for m in found if m in modules and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "icefacts.api" in graph["icefacts.cli.querying"]
    assert "icefacts.api" in graph["icefacts"]  # the package's lazy re-exports
    assert "icefacts.render" in graph["icefacts.cli.common"]  # through lazy_import
    assert "icefacts.warehouse.engine" in graph["icefacts.analysis.overlaps"]


def test_no_import_cycles() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "modules importing each other: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_cli_imports_only_the_api_and_the_renderers() -> None:
    bad = {
        f"{m} imports {d}"
        for m, deps in _graph().items()
        if _in(m, "icefacts.cli")
        for d in deps
        if not _in(d, "icefacts.cli") and d not in CLI_MAY_IMPORT
    }
    assert not bad, sorted(bad)


def test_web_imports_only_the_api_and_what_it_draws_with() -> None:
    bad = {
        f"{m} imports {d}"
        for m, deps in _graph().items()
        if _in(m, "icefacts.web")
        for d in deps
        if not _in(d, "icefacts.web") and d not in WEB_MAY_IMPORT
    }
    assert not bad, sorted(bad)


def test_nothing_below_the_web_app_imports_it() -> None:
    bad = {
        f"{m} imports {d}"
        for m, deps in _graph().items()
        if not _in(m, "icefacts.web") and not _in(m, "icefacts.cli")
        for d in deps
        if _in(d, "icefacts.web")
    }
    assert not bad, sorted(bad)


def test_nothing_below_the_cli_imports_it() -> None:
    # icefacts._entry is the console script (pyproject): it starts the command
    bad = {
        f"{m} imports {d}"
        for m, deps in _graph().items()
        if not _in(m, "icefacts.cli") and m != "icefacts._entry"
        for d in deps
        if _in(d, "icefacts.cli")
    }
    assert not bad, sorted(bad)


def test_only_the_cli_and_the_package_import_the_api() -> None:
    bad = {
        f"{m} imports icefacts.api"
        for m, deps in _graph().items()
        if "icefacts.api" in deps
        and not _in(m, "icefacts.cli")
        and not _in(m, "icefacts.web")
        and m != "icefacts"
    }
    assert not bad, sorted(bad)


def test_no_module_imports_the_top_package() -> None:
    # ``icefacts/__init__`` re-exports the API: a low module importing it (say, for
    # ``__version__``: use ``icefacts._version``) would pull the API into every layer
    bad = {m for m, deps in _graph().items() if "icefacts" in deps}
    assert not bad, sorted(bad)


def test_warehouse_imports_no_domain_code() -> None:
    bad = {
        f"{m} imports {d}"
        for m, deps in _graph().items()
        if _in(m, "icefacts.warehouse")
        for d in deps
        if any(_in(d, f"icefacts.{p}") for p in WAREHOUSE_MUST_NOT)
    }
    assert not bad, sorted(bad)


DRIVERS = ("duckdb", "pyspark", "py4j", "sqlglot")


def _third_party(path: Path) -> set[str]:
    """The top-level names of what a module imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_the_engine_seam_imports_no_driver() -> None:
    # the protocol and the dialects: drivers live beside them (duckdb_engine, spark_engine);
    # dialects imports sqlglot inside the translation only, never at module level
    seam = PACKAGE / "warehouse" / "engine.py"
    assert not _third_party(seam) & set(DRIVERS), _third_party(seam)
    dialects = ast.parse((PACKAGE / "warehouse" / "dialects.py").read_text(encoding="utf-8"))
    top = {
        (n.module or "").split(".")[0] if isinstance(n, ast.ImportFrom) else n.names[0].name
        for n in dialects.body
        if isinstance(n, ast.Import | ast.ImportFrom)
    }
    assert "sqlglot" not in top
    # nothing outside the Spark driver imports PySpark
    bad = {
        str(path.relative_to(SRC))
        for path in PACKAGE.rglob("*.py")
        if path.name != "spark_engine.py" and _third_party(path) & {"pyspark", "py4j"}
    }
    assert not bad, sorted(bad)


def test_analysis_imports_neither_the_api_nor_the_cli() -> None:
    bad = {
        f"{m} imports {d}"
        for m, deps in _graph().items()
        if _in(m, "icefacts.analysis")
        for d in deps
        if _in(d, "icefacts.api") or _in(d, "icefacts.cli")
    }
    assert not bad, sorted(bad)


STARTUP = """
import atexit, sys
sys.argv = ["icefacts", {arg!r}]

def loaded():
    # a module imported with lazy_import is in sys.modules before it is used: count only
    # the ones that have run
    heavy = ("duckdb", "pyarrow", "pydantic", "numpy", "pyspark", "py4j", "sqlglot",
             "icefacts.ingest.", "icefacts.api")
    names = [
        n for n, m in list(sys.modules.items())
        if type(m).__name__ != "_LazyModule" and (n.startswith(heavy) or n in heavy)
    ]
    sys.stderr.write("LOADED " + " ".join(sorted(names)) + "\\n")

atexit.register(loaded)
from icefacts._entry import main
main()
"""


def test_version_and_help_do_not_load_the_heavy_parts() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    for arg in ("--version", "--help"):
        run = subprocess.run(
            [sys.executable, "-c", STARTUP.format(arg=arg)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        line = [ln for ln in run.stderr.splitlines() if ln.startswith("LOADED")][-1]
        assert line == "LOADED ", f"icefacts {arg} loaded: {line.removeprefix('LOADED ')}"
    assert "coverage" in run.stdout and "reference" in run.stdout  # the --help listing
