"""The catalog of reference datasets (``datasets.yaml``) and ``load_reference``.

``load_reference(name)`` fetches each file of a dataset through :func:`icefacts.fetch.fetch`
(mirror, then cache, then the pinned URL; a sha256 mismatch is refused) and parses it with the
dataset's parser into one Arrow table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from icefacts.errors import SpecError
from icefacts.fetch import CatalogEntry, fetch, load_catalog

DATASETS_FILE = Path(__file__).parent / "datasets.yaml"
PARSER_PREFIX = "icefacts.reference.parsers."

Parser = Callable[..., pa.Table]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReferenceFile(Frozen):
    path: str
    params: dict[str, Any] = Field(default_factory=dict)


class ReferenceDataset(Frozen):
    name: str
    title: str
    publisher: str
    license: str
    describes: str = ""
    parser: str
    files: tuple[ReferenceFile, ...] = Field(min_length=1)
    quirks: str = ""

    @field_validator("parser")
    @classmethod
    def _parser_name(cls, value: str) -> str:
        module, sep, func = value.partition(":")
        if not sep or not module.startswith(PARSER_PREFIX) or not func.isidentifier():
            raise ValueError(f"parser must be '{PARSER_PREFIX}<module>:<function>', not {value!r}")
        return value

    def parse_function(self) -> Parser:
        module, _, func = self.parser.partition(":")
        try:
            fn: Parser = getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            raise SpecError(f"dataset {self.name!r}: no parser {self.parser!r}: {exc}") from exc
        return fn

    def catalog_entries(
        self, catalog: Mapping[str, CatalogEntry] | None = None
    ) -> list[CatalogEntry]:
        catalog = catalog if catalog is not None else load_catalog()
        out = []
        for f in self.files:
            if f.path not in catalog:
                raise SpecError(
                    f"dataset {self.name!r}: {f.path} is not in the catalog",
                    file=str(DATASETS_FILE),
                )
            out.append(catalog[f.path])
        return out


def load_datasets(path: Path = DATASETS_FILE) -> dict[str, ReferenceDataset]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}".splitlines()[0], file=str(path)) from exc
    if not isinstance(data, dict):
        raise SpecError("expected a mapping of dataset name -> entry", file=str(path))
    out: dict[str, ReferenceDataset] = {}
    for name, entry in data.items():
        try:
            out[name] = ReferenceDataset(name=name, **(entry or {}))
        except (ValidationError, TypeError) as exc:
            first = " ".join(str(exc).splitlines()[:3])
            raise SpecError(f"dataset {name!r}: {first}", file=str(path)) from exc
    return out


@cache
def datasets() -> dict[str, ReferenceDataset]:
    """All registered reference datasets, by name."""
    return load_datasets()


def dataset(name: str) -> ReferenceDataset:
    try:
        return datasets()[name]
    except KeyError:
        known = ", ".join(sorted(datasets()))
        raise SpecError(f"unknown reference dataset {name!r} (known: {known})") from None


def parse_reference(name: str, paths: Mapping[str, Path]) -> pa.Table:
    """Parse already-fetched local copies (``catalog path -> local path``) of dataset ``name``."""
    ds = dataset(name)
    fn = ds.parse_function()
    tables = [fn(paths[f.path], source=f.path, **f.params) for f in ds.files]
    return pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]


def fetch_reference(
    name: str,
    mirror: Path | None = None,
    cache: Path | None = None,
    *,
    allow_download: bool = True,
) -> dict[str, Path]:
    """Verified local paths of every file of dataset ``name`` (``catalog path -> local path``)."""
    ds = dataset(name)
    return {
        e.path: fetch(e, mirror=mirror, cache=cache, allow_download=allow_download)
        for e in ds.catalog_entries()
    }


def load_reference(
    name: str,
    mirror: Path | None = None,
    cache: Path | None = None,
    *,
    allow_download: bool = True,
) -> pa.Table:
    """Fetch (checksum-verified) and parse reference dataset ``name`` into one Arrow table."""
    return parse_reference(
        name, fetch_reference(name, mirror, cache, allow_download=allow_download)
    )
