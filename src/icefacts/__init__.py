"""icefacts: make ICE enforcement records answerable.

The public Python surface is :mod:`icefacts.api`; its functions are also reachable here
(``icefacts.open_warehouse``, ``icefacts.ingest``, ``icefacts.sql`` ...). They are imported on
first use, so that ``import icefacts`` (and ``icefacts --version``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from icefacts._version import __version__

_API = (
    "check",
    "claim_file_schema",
    "field_stats",
    "link_persons",
    "load_claims",
    "ingest",
    "open_warehouse",
    "releases",
    "sql",
    "sql_result",
    "validation_report",
)

__all__ = ["__version__", "link", *_API]

# The subpackage ``icefacts.ingest`` is imported now, so that importing it later (the API
# does, on first use) does not replace the function ``icefacts.ingest`` defined here.
importlib.import_module("icefacts.ingest")
importlib.import_module("icefacts.link")  # likewise for ``icefacts.link``


def ingest(*args: Any, **kwargs: Any) -> Any:
    """:func:`icefacts.api.ingest`."""
    from icefacts.api import ingest as run

    return run(*args, **kwargs)


def link(*args: Any, **kwargs: Any) -> Any:
    """:func:`icefacts.api.link`."""
    from icefacts.api import link as run

    return run(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name in _API:
        from icefacts import api

        return getattr(api, name)
    raise AttributeError(f"module 'icefacts' has no attribute {name!r}")
