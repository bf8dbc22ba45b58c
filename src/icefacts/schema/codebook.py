"""The codebook (docs/codebook.md) generated from the schema, so the two cannot drift."""

from __future__ import annotations

from icefacts.schema.fields import EVENT_TABLES, PROVENANCE, QUALITY


def codebook_markdown() -> str:
    lines = [
        "# Codebook",
        "",
        "Generated from `src/icefacts/schema/fields.py` by `icefacts codebook`; a test keeps",
        "this file in step with the schema. Every public view below also has the provenance",
        "and quality columns listed at the end.",
        "",
    ]
    for tdef in EVENT_TABLES.values():
        lines += [f"## `{tdef.name}`", "", tdef.description + ".", ""]
        lines += ["| column | type | kind | meaning |", "|---|---|---|---|"]
        for f in (*tdef.fields, *tdef.derived):
            lines.append(f"| `{f.name}` | {f.type} | {f.kind} | {f.description} |")
        lines.append("")
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
