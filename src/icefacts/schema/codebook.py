"""The codebook (docs/codebook.md) generated from the schema, so the two cannot drift."""

from __future__ import annotations

from icefacts.schema.fields import COUNTING, EVENT_TABLES, PLACEMENT, PROVENANCE, QUALITY


def codebook_markdown() -> str:
    lines = [
        "# Codebook",
        "",
        "Generated from `src/icefacts/schema/fields.py` by `icefacts codebook`; a test keeps",
        "this file in step with the schema. Every public view below also has the provenance",
        "and quality columns listed at the end.",
        "",
        "Each table has two views. `<table>` holds the rows that count: each event once,",
        "whatever releases and formats hold it (see docs/counting.md). `<table>_all` holds",
        "every row of every release, with `counted` and `shadowed_by` saying which count.",
        "",
    ]
    for tdef in EVENT_TABLES.values():
        lines += [f"## `{tdef.name}`", "", tdef.description + ".", ""]
        lines += ["| column | type | kind | meaning |", "|---|---|---|---|"]
        for f in (*tdef.fields, *tdef.derived):
            lines.append(f"| `{f.name}` | {f.type} | {f.kind} | {f.description} |")
        lines.append("")
    placed = ", ".join(f"`{t.name}`" for t in EVENT_TABLES.values() if t.placed)
    lines += [
        f"## Placement columns ({placed})",
        "",
        "Where each event happened, as far as its record tells, and how we know",
        "(docs/places.md). `placements` lists every distinct set of location fields with",
        "its placement and a note (join on `place_id`).",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    for f in PLACEMENT:
        lines.append(f"| `{f.name}` | {f.type} | {f.description} |")
    lines += [
        "",
        "## Counting columns (the `<table>_all` views)",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    for f in COUNTING:
        lines.append(f"| `{f.name}` | {f.type} | {f.description} |")
    lines += [
        "| `counted` | BOOLEAN | the row counts: its release counts its table, AOR and day, "
        "and it is not a flagged duplicate |",
        "",
    ]
    lines += [
        "## Provenance columns (every view)",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    for f in PROVENANCE:
        lines.append(f"| `{f.name}` | {f.type} | {f.description} |")
    lines += [
        "",
        "## Quality columns (every view)",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    for f in QUALITY:
        if f.name in ("redacted_mask", "unknown_mask"):
            continue
        lines.append(f"| `{f.name}` | {f.type} | {f.description} |")
    lines += [
        "| `redacted_fields` | VARCHAR[] | fields whose cell held a FOIA redaction marker |",
        "| `unknown_fields` | VARCHAR[] | coded fields whose value no vocabulary knows "
        "(kept verbatim) |",
        "| `extra` | MAP(VARCHAR, VARCHAR) | released columns with no canonical field yet, "
        "verbatim: header -> value for the cells holding one (NULL when none does) |",
        "",
    ]
    return "\n".join(lines)
