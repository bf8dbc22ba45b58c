"""Check results as people read them: a verdict table and one block per claim (terminal),
Markdown for pasting into a story, JSON and CSV (one row per reading) for scripts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from icefacts import render
from icefacts.claims.wording import number as num

if TYPE_CHECKING:
    from icefacts.claims.check import CheckResult, ClaimVerdict, ReadingVerdict

FORMATS = ("table", "json", "markdown", "csv")
_MARK = {
    "supported": "SUPPORTED",
    "contradicted": "CONTRADICTED",
    "partly supported": "PARTLY SUPPORTED",
    "not checkable": "NOT CHECKABLE",
}


def records(r: ReadingVerdict) -> str:
    """The reading's value as the records give it."""
    if r.verdict == "not checkable" and r.low is None and r.high is None:
        return "-"
    if r.interval == "exact" and r.value is not None:
        return num(r.value)
    lo = "..." if r.low is None else num(r.low)
    hi = "..." if r.high is None else num(r.high)
    if r.interval == "95% interval":
        return f"{num(r.value)} ({lo}..{hi})"
    return f"{lo}..{hi}"


def summary_rows(results: list[CheckResult]) -> list[dict[str, Any]]:
    rows = []
    for res in results:
        for c in res.claims:
            first = c.readings[0]
            shown = (
                records(first)
                if len(c.readings) == 1
                else "; ".join(f"{r.id} {records(r)}" for r in c.readings)
            )
            rows.append(
                {
                    "claim": c.id,
                    "verdict": c.verdict,
                    "published": num(c.published),
                    "records": shown,
                }
            )
    return rows


def summary_text(res: CheckResult) -> list[str]:
    """The verdict table as plain lines (for a file)."""
    lines = [f"{res.title} ({res.path})", ""]
    for row in summary_rows([res]):
        lines.append(f"{row['verdict'].upper():<17} {row['claim']}: {row['records']}")
    return lines


def blocks(c: ClaimVerdict) -> list[str]:
    """The lines of one claim's block (plain text)."""
    lines = [
        f"{_MARK[c.verdict]}  {c.id}: {c.text}",
        f"  verdict: {c.verdict}: {c.reason}",
        f"  source: {c.source}",
    ]
    if c.note:
        lines.append(f"  note: {c.note}")
    for r in c.readings:
        lines.append(f"  - {r.id} ({r.label}): {r.verdict}")
        lines.append(f"    measure: {r.measure}; places: {r.places} ({r.level}); days {r.window}")
        value = f"    records: {records(r)}"
        if (r.interval != "exact" and r.verdict != "not checkable") or r.low is not None:
            value += f" [{r.interval}]"
        if r.published is not None:
            value += f"; published {num(r.published)}"
        if r.difference is not None:
            value += f"; difference {'+' if r.difference >= 0 else '-'}{num(abs(r.difference))}"
        lines.append(value)
        lines.append(f"    why: {r.reason}")
        if r.rows or r.releases:
            lines.append(f"    rows read: {r.rows:,}; releases: {', '.join(r.releases) or '-'}")
        lines += [f"    note: {n}" for n in r.notes]
        lines += [f"    caveat: {n}" for n in r.caveats]
        if r.note:
            lines.append(f"    reading note: {r.note}")
        if r.reproduce:
            lines.append(f"    reproduce: {r.reproduce}")
    defs = list(dict.fromkeys(d for r in c.readings for d in r.definitions))
    lines += [f"  definition: {d}" for d in defs]
    return lines


def to_json(results: list[CheckResult]) -> str:
    return json.dumps([r.to_dict() for r in results], indent=2, default=str)


def to_csv(results: list[CheckResult]) -> str:
    import pyarrow as pa

    table = pa.concat_tables([r.table() for r in results])
    return render.to_csv(table)


def to_markdown(results: list[CheckResult]) -> str:
    out: list[str] = []
    for res in results:
        out.append(f"## {res.title}\n")
        out.append(f"Checked with icefacts: `icefacts check {res.path}`.\n")
        out.append("| claim | verdict | published | records |")
        out.append("|---|---|---:|---|")
        for row in summary_rows([res]):
            out.append(
                f"| {_md(row['claim'])} | {row['verdict']} | {row['published']} | "
                f"{_md(row['records'])} |"
            )
        out.append("")
        for c in res.claims:
            out.append(f"### {_md(c.id)}: {c.verdict}\n")
            out.append(f"> {_md(c.text)}\n")
            out.append(f"**{c.verdict}**: {_md(c.reason)}.\n")
            out.append(f"Source: {c.source}\n")
            if c.note:
                out.append(f"{_md(c.note)}\n")
            for r in c.readings:
                out.append(f"- **{_md(r.id)}** ({_md(r.label)}): **{r.verdict}**. {_md(r.reason)}.")
                out.append(
                    f"  Measure: {_md(r.measure)}; places: {_md(r.places)} ({r.level}); "
                    f"days {r.window}; rows read {r.rows:,}."
                )
                for n in [*r.notes, *r.caveats]:
                    out.append(f"  - {_md(n)}")
                if r.reproduce:
                    out.append(f"  - reproduce: `{r.reproduce.replace('`', '')}`")
            defs = list(dict.fromkeys(d for r in c.readings for d in r.definitions))
            if defs:
                out.append("")
                out.append("Definitions: " + "; ".join(_md(d) for d in defs) + ".")
            out.append("")
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
