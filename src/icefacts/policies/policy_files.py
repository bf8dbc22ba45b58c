"""Load and validate policy registry files (YAML or CSV); report errors as one line with
the file and the line of the offending entry.

The shipped registry is ``policies/registry.yaml``. Users add their own files with
``load_registry([shipped, mine])`` or by listing them in ``ICEFACTS_POLICIES``
(``os.pathsep``-separated). Entry ids must be unique across all files.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml
from pydantic import ValidationError

from icefacts.errors import SpecError
from icefacts.policies.model import PolicyEntry

REGISTRY_FILE = Path(__file__).parent / "registry.yaml"
LIST_FIELDS = ("counties", "types", "sources")


@dataclass(frozen=True)
class Registry:
    entries: tuple[PolicyEntry, ...]
    origin: Mapping[str, tuple[str, int]]  # id -> (file, line)

    def __iter__(self) -> Iterator[PolicyEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> PolicyEntry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)


def _yaml_items(path: Path) -> list[tuple[int, dict[str, Any], dict[str, int]]]:
    """(line of the entry, entry, field -> line) for each entry of a YAML registry."""
    text = path.read_text(encoding="utf-8")
    try:
        # libyaml when installed (the pure-Python parser takes about a second here)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        root = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}",
            file=str(path),
            row=mark.line + 1 if mark else None,
        ) from exc
    if isinstance(data, dict) and "entries" in data:
        items = data["entries"]
        nodes = next(v for k, v in root.value if k.value == "entries").value  # type: ignore[union-attr]
    else:
        items, nodes = data, getattr(root, "value", [])
    if not isinstance(items, list):
        raise SpecError(
            "expected a list of entries (or a mapping with 'entries:')", file=str(path), row=1
        )
    out = []
    for item, node in zip(items, nodes, strict=True):
        lines = {}
        if isinstance(node, yaml.MappingNode):
            lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
        if not isinstance(item, dict):
            raise SpecError("entry is not a mapping", file=str(path), row=node.start_mark.line + 1)
        out.append((node.start_mark.line + 1, item, lines))
    return out


def _csv_items(path: Path) -> list[tuple[int, dict[str, Any], dict[str, int]]]:
    """CSV registries: one entry per row; list fields separated by ``;`` (sources by ``|``
    or ``;``); empty cells are missing values."""
    out = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            line = reader.line_num
            item: dict[str, Any] = {}
            for key, value in row.items():
                if key is None or value is None or not value.strip():
                    continue
                value = value.strip()
                if key in LIST_FIELDS:
                    sep = "|" if key == "sources" and "|" in value else ";"
                    item[key] = [v.strip() for v in value.split(sep) if v.strip()]
                elif key == "in_force":
                    item[key] = value.casefold() in {"true", "yes", "1"}
                else:
                    item[key] = value
            out.append((line, item, dict.fromkeys(item, line)))
    return out


def _one_line(exc: ValidationError, lines: Mapping[str, int], default: int) -> tuple[str, int]:
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ())]
    field = loc[0] if loc else ""
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if not field:  # a whole-entry check: its message starts with the field it is about
        first = msg.split(" ", 1)[0]
        field = first if first in PolicyEntry.model_fields else ""
        where_line = lines.get(field, default)
        return msg.replace("\n", " "), where_line
    where = f"{field}: " if field else ""
    if err.get("type") == "missing":
        msg = "required field is missing"
    elif err.get("type") == "extra_forbidden":
        msg = "unknown field (typo?)"
    elif err.get("type") == "literal_error":
        msg = f"{msg}, got {err.get('input')!r}"
    return f"{where}{msg}".replace("\n", " "), lines.get(field, default)


def load_registry(
    paths: Iterable[Path | str] | None = None,
    *,
    counties: Iterable[str] | pa.Table | None = None,
) -> Registry:
    """Read and validate registry files (default: the shipped one plus ``ICEFACTS_POLICIES``).

    ``counties`` (county FIPS codes, or a table with a ``fips`` column, e.g. the population
    table's counties) turns on the check that every county FIPS exists; without it county
    codes are checked for format and state prefix only.
    """
    files = [Path(p) for p in paths] if paths is not None else default_paths()
    known: set[str] | None = None
    if isinstance(counties, pa.Table):
        known = set(counties["fips"].to_pylist())
    elif counties is not None:
        known = set(counties)
    entries: list[PolicyEntry] = []
    origin: dict[str, tuple[str, int]] = {}
    for path in files:
        if not path.exists():
            raise SpecError("registry file not found", file=str(path))
        items = _csv_items(path) if path.suffix.lower() == ".csv" else _yaml_items(path)
        for line, item, lines in items:
            label = f"entry {item.get('id')!r}: " if item.get("id") else ""
            try:
                entry = PolicyEntry(**item)
            except ValidationError as exc:
                msg, at = _one_line(exc, lines, line)
                raise SpecError(f"{label}{msg}", file=str(path), row=at) from None
            except TypeError as exc:
                raise SpecError(f"{label}{exc}", file=str(path), row=line) from None
            if known is not None:
                for f in (entry.fips, *entry.counties) if entry.level != "state" else ():
                    if len(f) == 5 and f not in known:
                        raise SpecError(
                            f"{label}unknown county FIPS {f!r}",
                            file=str(path),
                            row=lines.get("fips" if f == entry.fips else "counties", line),
                        )
            if entry.id in origin:
                first = origin[entry.id]
                raise SpecError(
                    f"{label}duplicate id (first at {first[0]} line {first[1]})",
                    file=str(path),
                    row=lines.get("id", line),
                )
            origin[entry.id] = (str(path), line)
            entries.append(entry)
    return Registry(tuple(entries), origin)


def default_paths() -> list[Path]:
    paths = [REGISTRY_FILE]
    extra = os.environ.get("ICEFACTS_POLICIES")
    if extra:
        paths += [Path(p) for p in extra.split(os.pathsep) if p]
    return paths


@cache
def _default_registry(paths: tuple[Path, ...]) -> Registry:
    return load_registry(paths)


def default_registry() -> Registry:
    """The shipped registry plus ``ICEFACTS_POLICIES`` files (read once per process)."""
    return _default_registry(tuple(default_paths()))


REGISTRY_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("jurisdiction", pa.string()),
        ("level", pa.string()),
        ("fips", pa.string()),
        ("counties", pa.list_(pa.string())),
        ("instrument", pa.string()),
        ("types", pa.list_(pa.string())),
        ("adopted", pa.string()),
        ("effective", pa.string()),
        ("end", pa.string()),
        ("start_date", pa.date32()),
        ("start_latest", pa.date32()),
        ("end_date", pa.date32()),
        ("in_force", pa.bool_()),
        ("sources", pa.list_(pa.string())),
        ("confidence", pa.string()),
        ("notes", pa.string()),
        ("registry_file", pa.string()),
        ("registry_line", pa.int32()),
    ]
)


def registry_table(registry: Registry | None = None) -> pa.Table:
    """The registry as one Arrow table (dates as written, plus earliest start / end days)."""
    reg = registry or default_registry()
    cols: dict[str, list[object]] = {n: [] for n in REGISTRY_SCHEMA.names}
    for e in reg:
        start = e.start
        assert start is not None
        file, line = reg.origin[e.id]
        cols["id"].append(e.id)
        cols["jurisdiction"].append(e.jurisdiction)
        cols["level"].append(e.level)
        cols["fips"].append(e.fips)
        cols["counties"].append(list(e.counties))
        cols["instrument"].append(e.instrument)
        cols["types"].append(list(e.types))
        cols["adopted"].append(str(e.adopted) if e.adopted else None)
        cols["effective"].append(str(e.effective) if e.effective else None)
        cols["end"].append(str(e.end) if e.end else None)
        cols["start_date"].append(start.earliest)
        cols["start_latest"].append(start.latest)
        cols["end_date"].append(e.end.earliest if e.end else None)
        cols["in_force"].append(e.in_force)
        cols["sources"].append(list(e.sources))
        cols["confidence"].append(e.confidence)
        cols["notes"].append(e.notes or None)
        cols["registry_file"].append(Path(file).name)
        cols["registry_line"].append(line)
    return pa.Table.from_pydict(cols, schema=REGISTRY_SCHEMA)
