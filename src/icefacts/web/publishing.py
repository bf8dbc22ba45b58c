"""Publish mode for pages: small counts suppressed before anything is shown or drawn.

``prepare`` is the last step of every page and every JSON answer: in publish mode
(``serve --public``) the view's tables go through :mod:`icefacts.publish` first, and the
charts are drawn from the protected tables, so no chart shows what a table hides.
"""

from __future__ import annotations

from typing import Any

from icefacts.web.views import View


def prepare(view: View, public: bool, k: int, wh: Any = None) -> View:
    """``view`` ready to show: protected in publish mode (``wh``: the warehouse it was read
    from, for the cells behind its counts), and its charts drawn from what is shown."""
    if public:
        from icefacts.web.protect import protect_view

        view.wh = wh
        try:
            published = protect_view(view, k)
        finally:
            view.wh = None
        published.wh = None  # a view outlives the request's cursor
        view = published
    if view.chart_fn is not None and not view.charts:
        view.charts = view.chart_fn(view.tables)
    return view


def note(public: bool, k: int) -> dict[str, Any] | None:
    if not public:
        return None
    return {
        "mode": "publish",
        "k": k,
        "rule": f"counts from 1 to {k - 1} are shown as '<{k}'; other cells "
        "that would reveal them (through totals, parts or differences) are suppressed",
    }
