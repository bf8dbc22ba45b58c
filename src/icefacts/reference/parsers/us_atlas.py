"""us-atlas TopoJSON (``us-atlas/*-albers-10m.json``): the boundaries the map draws.

The parser checks that the file is a TopoJSON topology holding the object the map reads
(``counties`` or ``states``) and returns one row per geometry: its id (5-digit county FIPS or
2-digit state FIPS) and name. The map itself reads the verified file as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from icefacts.errors import InputError

SCHEMA = pa.schema(
    [
        ("feature", pa.string()),
        ("id", pa.string()),
        ("name", pa.string()),
        ("source_file", pa.string()),
    ]
)


def parse(path: Path, *, source: str | None = None, feature: str = "counties") -> pa.Table:
    file = source or str(path)
    try:
        topo = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"not a TopoJSON file ({exc})", file=file) from None
    objects = topo.get("objects") if isinstance(topo, dict) else None
    if not isinstance(topo, dict) or topo.get("type") != "Topology" or not objects:
        raise InputError("not a TopoJSON topology (no type Topology with objects)", file=file)
    if feature not in objects:
        raise InputError(f"holds no {feature!r} object (it has {', '.join(objects)})", file=file)
    geometries = objects[feature].get("geometries") or []
    width = 5 if feature == "counties" else 2
    rows = []
    for g in geometries:
        gid = str(g.get("id", ""))
        if not (len(gid) == width and gid.isdigit()):
            raise InputError(f"{feature} geometry id {gid[:20]!r} is not a FIPS code", file=file)
        rows.append(
            {
                "feature": feature,
                "id": gid,
                "name": (g.get("properties") or {}).get("name"),
                "source_file": file,
            }
        )
    return pa.Table.from_pylist(rows, schema=SCHEMA)
