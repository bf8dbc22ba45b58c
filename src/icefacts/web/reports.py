"""Reports to hand to an editor, a court or a county board: ``icefacts report operation`` and
``icefacts report claims``, as one self-contained HTML file (charts as inline SVG, data
inline, no script, no network), a PDF printed from that HTML, or Markdown for a story.

A report is built from the same views as the web pages, published (small cells suppressed,
``--publish`` being the default), and states what it rests on: the releases and their
sha256s, the definitions, the baseline method, the caveats, the icefacts version and the
warehouse fingerprint.

PDF: headless Chromium prints the HTML (``--print-to-pdf``). Chromium is what the browser
tests already run, lays out the page exactly as the HTML shows it, and needs nothing from
PyPI; WeasyPrint would need Pango and its own CSS subset. Without Chromium a PDF is refused
in one line saying how to get it; HTML and Markdown need nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from icefacts._lazy import lazy_import
from icefacts.errors import IcefactsError
from icefacts.web import views
from icefacts.web.templating import HERE, env, num, table_html

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.warehouse import Warehouse
else:
    api = lazy_import("icefacts.api")

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "markdown"}
# how icefacts runs Chromium anywhere (reports, the browser tests, the bench): no sandbox
# (as root in CI), no GPU, and no connection of its own (this network refuses them)
BROWSER_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
)
CHROMIUM_FLAGS = ("--headless", *BROWSER_FLAGS, "--disable-extensions", "--no-pdf-header-footer")
MAX_REPORT_ROWS = 200  # rows of a table in a report (the web app's downloads have all)


def report_format(out: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in ("html", "pdf", "markdown", "md"):
            raise IcefactsError(f"--format {fmt!r}: html, pdf or markdown")
        return "markdown" if fmt == "md" else fmt
    found = FORMATS.get(out.suffix.lower())
    if found is None:
        raise IcefactsError(
            f"--out {out}: name it .html, .pdf or .md (or give --format html|pdf|markdown)"
        )
    return found


def chromium() -> str:
    """The Chromium to print with: ``ICEFACTS_CHROMIUM``, else chromium on the PATH."""
    named = os.environ.get("ICEFACTS_CHROMIUM")
    if named:
        if not Path(named).is_file():
            raise IcefactsError(f"ICEFACTS_CHROMIUM={named}: no such file")
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise IcefactsError(
        "a PDF is printed by headless Chromium, and none is installed: install it (Debian: "
        "apt install chromium) or set ICEFACTS_CHROMIUM, or write .html or .md instead"
    )


def svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))


def atlas_topojson() -> dict[str, Any]:
    import json

    return dict(json.loads(api.atlas_file("counties").read_bytes()))


class Report:
    """What a report shows: sections of text, tables and charts, and what it rests on."""

    def __init__(self, title: str, view: views.View, wh: Warehouse, *, publish: bool, k: int):
        from icefacts._version import __version__

        self.title = title
        self.view = view
        self.publish = publish
        self.k = k
        self.version = __version__
        self.fingerprint = api.warehouse_fingerprint(wh)
        self.generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        releases = api.releases(wh)
        used = set(view.data.get("releases_used") or [])
        rows = releases.to_pylist()
        self.releases = [
            {
                "release_id": r["release_id"],
                "file_name": r["file_name"],
                "sha256": r["sha256"],
                "rows": r["rows"],
                "counted_rows": r["counted_rows"],
                "period": f"{r['period_start']} to {r['period_end']}",
                "used": r["release_id"] in used if used else None,
            }
            for r in rows
        ]


def build_operation(
    wh: Warehouse,
    params: dict[str, str],
    *,
    publish: bool = True,
    k: int = 10,
    grid: bool = False,
) -> Report:
    """The operation report; ``grid``: a public server's (its counts from the copy's
    protected table, as its pages are)."""
    view = _published(views.operation(wh, params), publish, k, wh, grid)
    q = view.data["question"]
    places = ", ".join(q.get("aors") or q.get("states") or q.get("counties") or ["every place"])
    title = f"Arrests {q['start']} to {q['end']}: {places}"
    return Report(title, view, wh, publish=publish, k=k)


def build_claims(
    wh: Warehouse,
    name: str,
    text: str | None,
    *,
    publish: bool = True,
    k: int = 10,
    loaded: Any = None,
    grid: bool = False,
) -> Report:
    view = _published(views.claims(wh, name, text, loaded=loaded), publish, k, wh, grid)
    return Report(view.title, view, wh, publish=publish, k=k)


def _published(
    view: views.View, publish: bool, k: int, wh: Warehouse, grid: bool = False
) -> views.View:
    from icefacts.web.publishing import prepare

    return prepare(view, publish, k, wh, grid=grid)


def html(report: Report, kind: str) -> str:
    charts = {name: svg(spec) for name, spec in report.view.charts.items()}
    css = (HERE / "static" / "app.css").read_text(encoding="utf-8")
    tables = {n: table_html(t, MAX_REPORT_ROWS) for n, t in report.view.tables.items()}
    if kind == "operation":
        tables["report"] = table_html(operation_summary(report.view), MAX_REPORT_ROWS)
    return (
        env()
        .get_template(f"report_{kind}.html")
        .render(r=report, view=report.view, tables=tables, charts=charts, css=css)
    )


SUMMARY = (
    ("arrests", "arrests"),
    ("at_large", "at large"),
    ("custodial", "custodial"),
    ("other_method", "other method"),
    ("operation_flagged", "operation-flagged"),
)


def operation_summary(view: views.View) -> pa.Table:
    """The operation table as a report prints it: the counts, and for arrests and
    operation-flagged arrests the baseline and the excess with its 95% interval."""
    q = view.data["question"]
    key = q["by"] if q["by"] != "total" else "place"
    rows = []
    for r in view.tables["report"].to_pylist():
        place = r.get(key)
        if place is None:  # by day, the total row has no day; otherwise no place is known
            place = "total" if q["by"] == "day" else "(not placed)"
        out: dict[str, Any] = {key: place}
        for col, title in SUMMARY:
            out[title] = r.get(col)
        for col, title in (("arrests", "arrests"), ("operation_flagged", "flagged")):
            out[f"{title}: baseline"] = r.get(f"{col}_baseline")
            ex, lo, hi = (r.get(f"{col}_excess{s}") for s in ("", "_low", "_high"))
            out[f"{title}: excess (95%)"] = (
                None if ex is None else f"{num(ex)} ({num(lo)} to {num(hi)})"
            )
        rows.append(out)
    return pa.Table.from_pylist(rows)


def markdown(report: Report, kind: str) -> str:
    v = report.view
    out = [f"# {report.title}", ""]
    if kind == "claims":
        for c in v.data["claims"]:
            out += [f"## {c['verdict']}: {c['text']}", "", _md(c["reason"]), ""]
            for r in c["readings"]:
                value = "" if r["value"] is None else f" {num(r['value'])}"
                said = f": {value.strip()}" if value.strip() else ""
                out.append(f"- **{r['verdict']}** {_md(r['label'])}{said}. {_md(r['reason'])}")
            out.append("")
    else:
        q = v.data["question"]
        out += [
            f"Window {q['start']} to {q['end']}; baseline: the same weekdays of the "
            f"{q['baseline_weeks']} weeks before.",
            "",
            _md_table(operation_summary(v)),
            "",
        ]
        out += ["## Caveats", ""] + [f"- {_md(c['text'])}" for c in v.data["caveats"]]
        out += ["", "## Definitions", ""] + [
            f"- **{d['term']}**: {_md(d['meaning'])}" for d in v.data["definitions"]
        ]
    out += ["", "## What this rests on", ""]
    if report.publish:
        out.append(
            f"- Published with small-cell suppression: counts from 1 to {report.k - 1} are "
            f"shown as <{report.k}; cells that would reveal them are suppressed."
        )
    out += [
        f"- icefacts {report.version}, warehouse fingerprint `{report.fingerprint}`, "
        f"generated {report.generated}.",
        "- Releases:",
    ]
    for r in report.releases:
        out.append(f"  - `{r['release_id']}` {_md(r['file_name'])} (sha256 `{r['sha256']}`)")
    return "\n".join(out) + "\n"


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(table: pa.Table) -> str:
    cols = table.column_names
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in table.slice(0, MAX_REPORT_ROWS).to_pylist():
        lines.append("| " + " | ".join(_md(num(row[c])) for c in cols) + " |")
    return "\n".join(lines)


MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "markdown": "text/markdown"}


def render_bytes(report: Report, kind: str, fmt: str) -> tuple[bytes, str]:
    """The report as bytes and their media type (the web app's report downloads)."""
    if fmt == "markdown":
        return markdown(report, kind).encode(), MEDIA[fmt]
    page = html(report, kind)
    if fmt == "html":
        return page.encode(), MEDIA[fmt]
    with tempfile.TemporaryDirectory(prefix="icefacts-report-") as work:
        target = Path(work) / "report.pdf"
        _pdf(page, target)
        return target.read_bytes(), MEDIA[fmt]


def write(report: Report, kind: str, out: Path, fmt: str) -> Path:
    """Write ``report`` to ``out`` whole or not at all (a temporary file, renamed)."""
    if not out.parent.is_dir():
        raise IcefactsError(f"--out {out}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise IcefactsError(f"--out {out} is a folder; give a file name")
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "markdown":
            tmp.write_text(markdown(report, kind), encoding="utf-8")
        elif fmt == "html":
            tmp.write_text(html(report, kind), encoding="utf-8")
        else:
            _pdf(html(report, kind), tmp)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # as any file the user writes (mkstemp makes it 0600)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


_PRINTING = threading.BoundedSemaphore(1)  # one Chromium at a time (a server's reports too)


def _pdf(page: str, target: Path) -> None:
    with _PRINTING:
        _print(page, target)


def _print(page: str, target: Path) -> None:
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="icefacts-pdf-") as work:
        src = Path(work) / "report.html"
        src.write_text(page, encoding="utf-8")
        cmd = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work}/profile",
            f"--print-to-pdf={target}",
            src.as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
        except subprocess.TimeoutExpired:
            raise IcefactsError("Chromium did not print the PDF within 120 s") from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise IcefactsError(f"Chromium could not print the PDF: {tail[0][:200]}")
