"""Reference datasets (population, crosswalks, facilities, 287(g) lists, ICE offices).

``reference/datasets.yaml`` names each dataset, its pinned file(s) in the catalog, its license
and its parser; ``load_reference(name)`` fetches the verified bytes and returns a typed Arrow
table.
"""

from icefacts.reference.catalog import (
    ReferenceDataset,
    dataset,
    datasets,
    fetch_reference,
    load_reference,
    parse_reference,
)

__all__ = [
    "ReferenceDataset",
    "dataset",
    "datasets",
    "fetch_reference",
    "load_reference",
    "parse_reference",
]
