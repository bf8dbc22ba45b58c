"""icefacts: make ICE enforcement records answerable.

The public Python surface is :mod:`icefacts.api`; its functions are also reachable here
(``icefacts.open_warehouse``, ``icefacts.ingest``, ``icefacts.sql`` ...). They are imported on
first use, so that ``import icefacts`` (and ``icefacts --version``) stays fast.
"""

from __future__ import annotations

from typing import Any

from icefacts._version import __version__

_API = (
    "field_stats",
    "ingest",
    "open_warehouse",
    "releases",
    "sql",
    "sql_result",
    "validation_report",
)

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from icefacts import api

        # bind them all now: importing the API imports the subpackage ``icefacts.ingest``,
        # whose name would otherwise hide the function ``ingest``
        globals().update({n: getattr(api, n) for n in _API})
        return globals()[name]
    raise AttributeError(f"module 'icefacts' has no attribute {name!r}")
