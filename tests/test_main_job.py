"""The main job works every time: `icefacts demo` and the README's Python example, each run
twice as subprocesses against the same warehouse, succeed and say the same thing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _summary(out: str) -> str:
    """The summary without the ingest line (loaded vs already loaded) and timings."""
    lines = [ln for ln in out.splitlines() if "EROArrests_FY2017" not in ln and ".csv" not in ln]
    return re.sub(r"\d+\.\d+ s\b", "", "\n".join(lines))


def test_demo_twice(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    cmd = [sys.executable, "-m", "icefacts.cli", "demo", "--db", str(db)]
    first = _run(cmd, tmp_path)
    assert first.returncode == 0, first.stderr
    second = _run(cmd, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already ingested" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr
    assert _summary(first.stdout) == _summary(second.stdout)
    assert "arrests by AOR" in second.stdout


README_EXAMPLE = """
import icefacts
with icefacts.open_warehouse({db!r}) as wh:
    icefacts.ingest(wh, [{file!r}])
    q = "SELECT method, count(*) FROM arrests GROUP BY 1 ORDER BY 1"
    print(icefacts.sql(wh, q).to_pylist())
"""


def test_readme_python_example_twice(tmp_path: Path) -> None:
    from tests.fixtures import national_csv

    readme = (ROOT / "README.md").read_text()
    assert "icefacts.open_warehouse(" in readme and "icefacts.sql(wh," in readme
    data = national_csv(tmp_path / "EROArrests_FY2017.csv.gz")
    code = README_EXAMPLE.format(db=str(tmp_path / "w.duckdb"), file=str(data))
    runs = [_run([sys.executable, "-c", code], tmp_path) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[0].stdout == runs[1].stdout and "Located" in runs[0].stdout
