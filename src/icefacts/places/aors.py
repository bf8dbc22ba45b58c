"""AORs: code, name and field office address (from ICE's 2025 office list when given)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from icefacts.places.names import plain_key
from icefacts.places.schema import AORS

AORS_FILE = Path(__file__).parent / "data" / "aors.csv"


def aor_codes() -> list[str]:
    with AORS_FILE.open(encoding="utf-8", newline="") as f:
        return [r["code"] for r in csv.DictReader(f)]


def aor_names() -> dict[str, str]:
    """AOR code -> the field office city it is named for."""
    with AORS_FILE.open(encoding="utf-8", newline="") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f)}


def aors(ice_offices: pa.Table | None = None) -> pa.Table:
    """One row per AOR code (24 field offices, Harlingen folded into SNA, HQ).

    ``ice_offices`` is ``load_reference("ice-offices")``: the ERO field office named in
    ``places/data/aors.csv`` gives address, city, state and coordinates (as of Sept 2025).
    """
    offices: dict[str, dict[str, object]] = {}
    if ice_offices is not None:
        for r in ice_offices.to_pylist():
            if r["agency"] == "ERO":
                offices.setdefault(plain_key(str(r["office_name"])), r)
    cols: dict[str, list[object]] = {n: [] for n in AORS.names}
    with AORS_FILE.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            o = offices.get(plain_key(r["office_name"])) if r["office_name"] else None
            cols["code"].append(r["code"])
            cols["name"].append(r["name"])
            cols["folded_into"].append(r["folded_into"] or None)
            cols["field_office"].append(r["office_name"] or None)
            cols["address"].append(o["address_full"] if o else None)
            cols["city"].append(o["city"] if o else None)
            cols["state"].append(o["state"] if o else None)
            cols["latitude"].append(o["latitude"] if o else None)
            cols["longitude"].append(o["longitude"] if o else None)
            cols["address_as_of"].append("2025-09" if o else None)
            cols["note"].append(r["note"] or None)
    return pa.Table.from_pydict(cols, schema=AORS)
