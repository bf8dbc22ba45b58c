"""An ingest while the server runs does not take it down: the server answers from its copy
of the warehouse, says newer data is being loaded while a writer holds the file, and takes a
new copy once the writer is done; the copy's readers never block the writer for long."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from icefacts import api
from tests.web.conftest import make_client

WRITER = """
import sys
from icefacts.warehouse import Warehouse
with Warehouse.open(sys.argv[1]) as wh:
    wh.engine.execute("CREATE TABLE scratch AS SELECT range AS i FROM range(100000)")
    print("ready", flush=True)
    sys.stdin.readline()
print("done", flush=True)
"""


def test_the_server_keeps_answering_through_an_ingest(web_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(web_db, db)
    with make_client(db, refresh_every=3600) as client:  # refreshed by hand below
        snaps = client.app.state.icefacts.snapshots
        before = client.get("/api/status").json()
        assert before["loading"] is False
        overview = client.get("/api/overview").json()
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
            time.sleep(0.2)
            assert snaps.refresh() is False  # a writer holds the file: no copy now
            during = client.get("/api/status").json()
            assert during["loading"] is True and during["snapshot"] == before["snapshot"]
            again = client.get("/api/overview")
            assert again.status_code == 200 and again.json()["tables"] == overview["tables"]
            page = client.get("/", headers={"accept": "text/html"})
            assert "Newer data is being loaded" in page.text
        finally:
            assert writer.stdin is not None
            writer.stdin.write("\n")
            writer.stdin.flush()
            writer.wait(timeout=60)
        assert writer.returncode == 0
        assert snaps.refresh() is True  # the writer is done: a new copy
        after = client.get("/api/status").json()
        assert after["loading"] is False and after["snapshot"] != before["snapshot"]
    with api.open_warehouse(db) as wh:  # the server never held the user's file
        assert wh.engine.has_table("scratch")


def test_the_copy_is_private_and_removed(web_db: Path) -> None:
    with make_client(web_db) as client:
        snaps = client.app.state.icefacts.snapshots
        copy = snaps.current.path
        assert copy != web_db and copy.exists()
        client.get("/api/overview")
    snaps.close()
    assert not copy.exists()
