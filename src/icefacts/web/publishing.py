"""Publish mode for pages: small counts suppressed before anything is shown or drawn.

``prepare`` is the last step of every page and every JSON answer: in publish mode
(``serve --public``) the view's tables go through :mod:`icefacts.publish` first, and the
charts are drawn from the protected tables, so no chart shows what a table hides.
"""

from __future__ import annotations

from typing import Any

from icefacts.web.views import View


def prepare(view: View, public: bool, k: int, wh: Any = None, *, grid: bool = False) -> View:
    """``view`` ready to show: protected in publish mode (``wh``: the warehouse it was read
    from, for the cells behind its counts), and its charts drawn from what is shown. With
    ``grid`` (a public server), every count is what the copy's one protected table shows
    (``web/grid.py``), so no two answers can be subtracted into a hidden count."""
    if public:
        from icefacts.web.grid import Grid
        from icefacts.web.protect import protect_view

        view.wh = wh
        try:
            published = protect_view(view, k, Grid.of(wh, k) if grid else None)
        finally:
            view.wh = None
        published.wh = None  # a view outlives the request's cursor
        view = published
    if view.chart_fn is not None and not view.charts:
        view.charts = view.chart_fn(view.tables)
    return view


def note(public: bool, k: int, grid: bool = False) -> dict[str, Any] | None:
    if not public:
        return None
    out = {
        "mode": "publish",
        "k": k,
        "rule": f"counts from 1 to {k - 1} are shown as '<{k}'; other cells "
        "that would reveal them (through totals, parts or differences) are suppressed",
        "grid": "every count is a sum of one protected table of this warehouse: by AOR, "
        "and by whole weeks (Monday to Sunday), months and fiscal years, of events and of "
        "at-large and operation-flagged arrests. Windows widen to whole weeks; counts by "
        "state, county or day, for a policy's counties, of custodial or placed arrests, "
        "for detected episodes, and claim verdicts and readings are withheld",
    }
    if not grid:
        del out["grid"]
    return out
