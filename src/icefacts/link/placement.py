"""Place every event row: county, state and how we know, stored on the row itself.

Placement is worked out once per distinct set of location fields of a table (a *place key*:
AOR, state, county, landmark for arrests; AOR, facility fields for detainers ...), never per
row: a million arrests have a few thousand keys. Each key gets a stable integer ``place_id``;
``link_places`` holds the key, its placement and a note saying how it was placed. The rows
carry the id and the placement columns (``schema.PLACEMENT``), so the public views join
nothing and filters on ``county_fips`` reach the scan.

* At ingest (:class:`Placer`), each cleaned piece of a sheet gets its columns before it is
  appended: keys are found vectorised (Arrow dictionary codes), new keys are placed with the
  places tables when they are loaded (``place_state`` is the released state either way).
* ``icefacts reference load`` (:func:`replace_all`) re-places every key with the new tables
  and updates the rows whose placement changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icefacts.places.events import PLACE_KEY_FIELDS, PlaceIndex, place_one
from icefacts.schema import EVENT_TABLES, PLACE_KEY_COLUMNS
from icefacts.warehouse.engine import Engine

# county_fips, place_state, place_method, place_confidence, place_note
Placed = tuple[str | None, str | None, str | None, str | None, str | None]
PLACED_COLUMNS = ("county_fips", "place_state", "place_method", "place_confidence")


def has_places(engine: Engine) -> bool:
    return bool(
        engine.scalar(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = 'core_place_counties'"
        )
    )


def index_from_warehouse(engine: Engine) -> PlaceIndex:
    from icefacts.places.landmarks import build_gazetteer

    q = engine.query
    counties = q("SELECT * FROM core_place_counties")
    county_aor = q("SELECT * FROM core_place_county_aor")
    facilities = q("SELECT * FROM core_place_facilities")
    cities = q("SELECT * FROM core_place_city_counties")
    offices = q("SELECT * FROM core_place_ice_offices")
    population = q("SELECT * FROM core_place_county_population")
    gaz = build_gazetteer(counties, county_aor, facilities, cities, offices, population)
    return PlaceIndex.build(gaz, counties, facilities, cities)


def released_state(table: str, key: dict[str, str | None]) -> str | None:
    fields = PLACE_KEY_FIELDS[table]
    for name in ("state", "facility_state"):
        if name in fields and key.get(name):
            return key[name]
    return None


def placement_of(table: str, key: dict[str, str | None], index: PlaceIndex | None) -> Placed:
    """Where a key places its events (without the places tables: only the released state)."""
    given = released_state(table, key)
    if index is None:
        return None, given, None, None, None
    fips, st, method, confidence, note = place_one(key, index)
    return fips, given or st, method, confidence, note


@dataclass
class Placer:
    """Place ids and placements for the pieces of one ingest (one load transaction).

    :meth:`annotate` touches no connection: it runs while a sheet's rows stream into DuckDB
    (one INSERT reading the pieces as they are cleaned), when the connection is busy. So
    :meth:`prepare` reads what it needs first (the keys ``link_places`` knows, the places
    index), ids are computed here (:func:`place_id_of`, the same function as
    :func:`place_id_sql`), keys seen for the first time are placed in Python, once each, and
    :meth:`flush` inserts them into ``link_places`` once the stream is done."""

    engine: Engine
    index: PlaceIndex | None = None
    added: int = 0
    _places_loaded: bool = False
    _known: dict[str, dict[int, tuple[str | None, ...]]] = field(default_factory=dict)
    _pending: list[pa.Table] = field(default_factory=list)

    @classmethod
    def for_engine(cls, engine: Engine) -> Placer:
        placer = cls(engine)
        placer._places_loaded = has_places(engine)
        return placer

    def prepare(self, table: str) -> None:
        """Read from the warehouse what :meth:`annotate` needs for ``table``'s rows."""
        if not EVENT_TABLES[table].placed:
            return
        if table not in self._known:
            rows = self.engine.query(
                f"SELECT place_id, {', '.join(PLACED_COLUMNS)} FROM link_places "
                "WHERE table_name = ?",
                [table],
            )
            ids = rows.column("place_id").to_pylist()
            values = [rows.column(c).to_pylist() for c in PLACED_COLUMNS]
            self._known[table] = dict(zip(ids, zip(*values, strict=True), strict=True))
        self._index()

    @property
    def pending_bytes(self) -> int:
        """Bytes of the keys placed since the last :meth:`flush`."""
        return sum(t.nbytes for t in self._pending)

    def flush(self) -> None:
        """Insert the keys placed since the last flush into ``link_places``."""
        pending, self._pending = self._pending, []
        if pending:
            self.engine.load_arrow("link_places", pa.concat_tables(pending))

    def _index(self) -> PlaceIndex | None:
        if self.index is None and self._places_loaded:
            self.index = index_from_warehouse(self.engine)
        return self.index

    def _lookup(self, table: str, keys: pa.Table) -> pa.Table:
        """``k``, ``place_id`` (a stable hash of the key) and, for the keys already placed,
        the placement columns (false ``known`` for the others)."""
        if table not in self._known:
            raise RuntimeError(f"Placer.prepare({table!r}) must come before annotate")
        known = self._known[table]
        fields = PLACE_KEY_FIELDS[table]
        values = zip(*(keys.column(f).to_pylist() for f in fields), strict=True)
        ids = [place_id_of(table, v) for v in values]
        hits = [known.get(i) for i in ids]
        return pa.table(
            {
                "k": keys.column("k"),
                "place_id": pa.array(ids, pa.int64()),
                "known": pa.array([h is not None for h in hits], pa.bool_()),
                **{
                    c: pa.array([h[j] if h else None for h in hits], pa.string())
                    for j, c in enumerate(PLACED_COLUMNS)
                },
            }
        )

    def _add(self, table: str, keys: pa.Table, ids: pa.Array) -> pa.Table:
        """Place keys seen for the first time; insert them into ``link_places``."""
        fields = PLACE_KEY_FIELDS[table]
        n = keys.num_rows
        index = self._index()
        if index is None:  # no places tables yet: only the released state is known
            given = [f for f in ("state", "facility_state") if f in fields]
            state = (
                pc.coalesce(*(keys.column(f) for f in given)) if given else pa.nulls(n, pa.string())
            )
            none = pa.nulls(n, pa.string())
            placed = {
                "county_fips": none,
                "place_state": state,
                "place_method": none,
                "place_confidence": none,
                "place_note": none,
            }
        else:
            values = keys.select(list(fields)).to_pylist()
            rows = [placement_of(table, v, index) for v in values]
            placed = {
                name: pa.array([r[i] for r in rows], pa.string())
                for i, name in enumerate((*PLACED_COLUMNS, "place_note"))
            }
        new = pa.table(
            {
                "place_id": ids,
                "table_name": pa.repeat(pa.scalar(table), n),
                **{
                    c: keys.column(c) if c in fields else pa.nulls(n, pa.string())
                    for c in PLACE_KEY_COLUMNS
                },
                **placed,
                "placed_at": pa.repeat(pa.scalar(datetime.now(UTC).replace(tzinfo=None)), n),
            }
        )
        # two codes of a piece can be one key (a value that trims to another): insert it once
        unique_rows = _first_of_each(ids)
        first = new.take(unique_rows)
        self._pending.append(first)
        known = self._known[table]
        for pid, *placed_values in zip(
            *(first.column(c).to_pylist() for c in ("place_id", *PLACED_COLUMNS)), strict=True
        ):
            known[pid] = tuple(placed_values)
        self.added += len(unique_rows)
        return pa.table(
            {"k": keys.column("k"), "place_id": ids, **{c: placed[c] for c in PLACED_COLUMNS}}
        )

    def annotate(self, table: str, data: pa.Table) -> pa.Table:
        """``data`` with ``place_id`` and the placement columns appended."""
        if not EVENT_TABLES[table].placed or data.num_rows == 0:
            return data
        fields = PLACE_KEY_FIELDS[table]
        inverse, keys = distinct_keys(data, fields)
        keys = keys.append_column("k", pa.array(np.arange(keys.num_rows, dtype=np.int32)))
        looked = self._lookup(table, keys)
        known = looked.column("known")
        found = looked.filter(known).drop_columns(["known"])
        if found.num_rows < keys.num_rows:
            new = looked.filter(pc.invert(known))
            missing = keys.take(pc.cast(new.column("k"), pa.int64()))
            added = self._add(table, missing, new.column("place_id").combine_chunks())
            found = pa.concat_tables([found, added], promote_options="permissive")
        # found in key order, then spread to the rows
        found = found.take(pc.sort_indices(found.column("k")))
        idx = pa.array(inverse, pa.int32())
        out = data.append_column(
            "place_id", pc.take(found.column("place_id").cast(pa.int64()), idx)
        )
        for name in PLACED_COLUMNS:
            values = found.column(name).combine_chunks().cast(pa.string())
            if values.null_count == len(values):
                continue  # left out: the column is NULL (what DuckDB writes fastest)
            out = out.append_column(name, pa.DictionaryArray.from_arrays(idx, values))
        return out


def _first_of_each(ids: pa.Array) -> pa.Array:
    """Positions of the first occurrence of each distinct value of ``ids``."""
    values = ids.to_numpy(zero_copy_only=False)
    _, first = np.unique(values, return_index=True)
    return pa.array(np.sort(first))


def place_id_of(table: str, key: Sequence[str | None]) -> int:
    """:func:`place_id_sql` in Python: the id of a key (its values in ``PLACE_KEY_FIELDS``
    order). A test holds the two to the same value on every kind of key."""
    text = "\x1f".join([table, *("\x00" if v is None else v for v in key)])
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:15], 16)


def place_id_sql(table: str, alias: str = "") -> str:
    """A key's ``place_id``: the first 60 bits of an MD5 of the table name and its location
    fields. A stable function of the key: the same on every machine, in every warehouse and
    whatever order the keys are first seen in."""
    p = f"{alias}." if alias else ""
    parts = ", ".join(f"coalesce({p}{f}, chr(0))" for f in PLACE_KEY_FIELDS[table])
    return f"('0x' || substr(md5(concat_ws(chr(31), '{table}', {parts})), 1, 15))::BIGINT"


def distinct_keys(data: pa.Table, fields: Sequence[str]) -> tuple[np.ndarray, pa.Table]:
    """(for each row the index of its key, the distinct keys as a table of ``fields``) of
    ``data`` (a field the table lacks is NULL). Vectorised: Arrow dictionary codes of each
    field are combined into one integer per row and hashed once."""
    n = data.num_rows
    codes = np.zeros(n, dtype=np.int64)
    parts: list[tuple[int, pa.Array]] = []  # (radix, values with NULL first) per field
    for name in fields:
        if name not in data.column_names:
            parts.append((1, pa.nulls(1, pa.string())))
            continue
        col = data.column(name).combine_chunks()
        if not pa.types.is_dictionary(col.type):
            col = pc.dictionary_encode(col.cast(pa.string()))
        dictionary = col.dictionary.cast(pa.string())
        dictionary = pc.if_else(pc.equal(dictionary, ""), pa.scalar(None, pa.string()), dictionary)
        values = pa.concat_arrays([pa.nulls(1, pa.string()), dictionary])
        idx = pc.fill_null(pc.add(col.indices.cast(pa.int64()), 1), 0)
        radix = len(values)
        if codes.max(initial=0) > (2**62) // max(radix, 1):
            codes = _compact(codes)
        codes = codes * radix + idx.to_numpy(zero_copy_only=False)
        parts.append((radix, values))
    enc = pc.dictionary_encode(pa.array(codes))
    inverse = enc.indices.to_numpy(zero_copy_only=False)
    unique = enc.dictionary.to_numpy(zero_copy_only=False).copy()
    columns: list[pa.Array] = []
    for radix, values in reversed(parts):
        digit = unique % radix
        unique //= radix
        columns.append(pc.take(values, pa.array(digit)))
    keys = pa.table(dict(zip(fields, reversed(columns), strict=True)))
    return inverse, keys


def _compact(codes: np.ndarray) -> np.ndarray:
    enc = pc.dictionary_encode(pa.array(codes))
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def replace_all(engine: Engine, index: PlaceIndex | None, core_tables: dict[str, list[str]]) -> int:
    """Place every known key again (after the places tables changed) and update the rows of
    the family tables (``core_tables``: event table -> physical tables) whose placement
    changed. Runs inside the caller's transaction. Returns the number of keys."""
    rows = engine.query(
        f"SELECT place_id, table_name, {', '.join(PLACE_KEY_COLUMNS)} FROM link_places"
    )
    out = []
    now = datetime.now(UTC).replace(tzinfo=None)
    for r in rows.to_pylist():
        table = r["table_name"]
        if table not in PLACE_KEY_FIELDS:
            continue
        key = {f: r[f] for f in PLACE_KEY_FIELDS[table]}
        placed = placement_of(table, key, index)
        out.append(
            {
                **r,
                **dict(zip((*PLACED_COLUMNS, "place_note"), placed, strict=True)),
                "placed_at": now,
            }
        )
    engine.execute("DELETE FROM link_places")
    if out:
        engine.load_arrow("link_places", pa.Table.from_pylist(out))
    changed = " OR ".join(f"c.{c} IS DISTINCT FROM p.{c}" for c in PLACED_COLUMNS)
    sets = ", ".join(f"{c} = p.{c}" for c in PLACED_COLUMNS)
    for table, physical in core_tables.items():
        if not EVENT_TABLES[table].placed:
            continue
        for core in physical:
            engine.execute(
                f"UPDATE {core} c SET {sets} FROM link_places p "
                f"WHERE p.place_id = c.place_id AND ({changed})"
            )
    return len(out)


def assign_missing(
    engine: Engine, core_tables: dict[str, list[str]], columns: dict[str, set[str]]
) -> int:
    """Give a place id (and placement) to rows that have none: rows of a warehouse written
    before placements were stored on rows. Runs inside the caller's transaction."""
    placer = Placer.for_engine(engine)
    for table, physical in core_tables.items():
        if not EVENT_TABLES[table].placed:
            continue
        fields = PLACE_KEY_FIELDS[table]
        for core in physical:
            have = columns[core]
            select = ", ".join(f if f in have else f"NULL::VARCHAR AS {f}" for f in fields)
            keys = engine.query(f"SELECT DISTINCT {select} FROM {core} WHERE place_id IS NULL")
            if keys.num_rows == 0:
                continue
            placer.prepare(table)
            placer.annotate(table, keys)  # places and records every key
            placer.flush()
            match = " AND ".join(
                f"c.{f} IS NOT DISTINCT FROM p.{f}" if f in have else f"p.{f} IS NULL"
                for f in fields
            )
            sets = ", ".join(f"{c} = p.{c}" for c in ("place_id", *PLACED_COLUMNS))
            engine.execute(
                f"UPDATE {core} c SET {sets} FROM link_places p "
                f"WHERE c.place_id IS NULL AND p.table_name = '{table}' AND {match}"
            )
    return placer.added
