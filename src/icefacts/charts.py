"""Vega-Lite specs for the web app and the reports, built as plain dicts from the rows of an
``Answer`` (no analysis here: every number comes from the answer).

The browser draws them with the Vega bundle vl-convert ships (served by the app, never from a
CDN); reports embed them as SVG rendered by vl-convert, so a report needs no script at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 640
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridOpacity": 0.4},
    "legend": {"labelFontSize": 11, "titleFontSize": 12},
}
# readable with common colour-vision deficiencies (ColorBrewer / Okabe-Ito)
WINDOW_COLOUR = "#d55e00"
BASE_COLOUR = "#0072b2"
RULE_COLOUR = "#444444"

Rows = Sequence[dict[str, Any]]


def _spec(title: str, **body: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "title": title, "config": CONFIG, **body}


def label(measure: str) -> str:
    return measure.replace("_", " ")


def trend(
    rows: Rows, measure: str, policy_dates: Rows = (), *, per: str | None = None, title: str = ""
) -> dict[str, Any]:
    """A measure per period, one line per place, and a rule at each policy's effective date
    (labelled with the policy's id)."""
    # a first or last period the window cuts short (two days of a week) would read as a drop
    longest = max((int(r.get("days") or 0) for r in rows), default=0)
    value_rows = [
        {"start": str(r["period_start"]), "value": r.get(measure), "place": r.get(per or "place")}
        for r in rows
        if int(r.get("days") or 0) >= 0.9 * longest
    ]
    first = str(value_rows[0]["start"]) if value_rows else ""
    last = str(value_rows[-1]["start"]) if value_rows else ""
    rules = [
        {"date": str(p["starts"]), "policy": f"{p['policy_id']} ({p['place']})"}
        for p in policy_dates
        if p.get("starts") is not None and first <= str(p["starts"]) <= last
    ]
    line: dict[str, Any] = {
        "data": {"values": value_rows},
        "mark": {"type": "line", "point": len(value_rows) <= 60, "interpolate": "linear"},
        "encoding": {
            "x": {"field": "start", "type": "temporal", "title": None},
            "y": {"field": "value", "type": "quantitative", "title": label(measure)},
            "color": {"field": "place", "type": "nominal", "title": per or "place"},
            "tooltip": [
                {"field": "start", "type": "temporal", "title": "period from"},
                {"field": "place", "type": "nominal"},
                {"field": "value", "type": "quantitative", "title": label(measure)},
            ],
        },
    }
    layers: list[dict[str, Any]] = [line]
    if rules:
        layers.append(
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "color": RULE_COLOUR, "strokeDash": [4, 3]},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "tooltip": [
                        {"field": "policy", "type": "nominal"},
                        {"field": "date", "type": "temporal", "title": "in force from"},
                    ],
                },
            }
        )
        layers.append(  # each rule says which policy it marks
            {
                "data": {"values": rules},
                "mark": {
                    "type": "text",
                    "angle": 270,
                    "align": "right",
                    "baseline": "bottom",
                    "dx": -4,
                    "dy": -2,
                    "fontSize": 9,
                    "color": RULE_COLOUR,
                },
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"value": 0},
                    "text": {"field": "policy"},
                },
            }
        )
    return _spec(title or f"{label(measure)} per period", width=WIDTH, height=260, layer=layers)


def daily(
    rows: Rows, measure: str, start: str, end: str, *, brush: bool = False, title: str = ""
) -> dict[str, Any]:
    """Bars per day, the window's days in another colour. ``brush``: a drag on the chart
    selects a new window (the web app's explorer listens for it)."""
    values = [
        {
            "day": str(r["period_start"]),
            "value": r.get(measure),
            "part": "window" if start <= str(r["period_start"]) <= end else "other days",
        }
        for r in rows
    ]
    bars: dict[str, Any] = {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "day", "type": "temporal", "title": None},
            "y": {"field": "value", "type": "quantitative", "title": label(measure)},
            "color": {
                "field": "part",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": ["window", "other days"],
                    "range": [WINDOW_COLOUR, BASE_COLOUR],
                },
            },
            "tooltip": [
                {"field": "day", "type": "temporal"},
                {"field": "value", "type": "quantitative", "title": label(measure)},
            ],
        },
    }
    if brush:
        bars["params"] = [{"name": "window", "select": {"type": "interval", "encodings": ["x"]}}]
    return _spec(
        title or f"{label(measure)} per day",
        width=WIDTH,
        height=220,
        data={"values": values},
        layer=[bars],
    )


def excess(rows: Rows, key: str, measure: str, *, title: str = "") -> dict[str, Any]:
    """Each place's excess over its baseline with the 95% interval."""
    values = [
        {
            "place": str(r[key]),
            "excess": r.get(f"{measure}_excess"),
            "low": r.get(f"{measure}_excess_low"),
            "high": r.get(f"{measure}_excess_high"),
        }
        for r in rows
        if r.get(f"{measure}_excess") is not None
    ]
    # the same sort in both layers (by the excess), or Vega-Lite warns of conflicting domains
    y = {
        "field": "place",
        "type": "nominal",
        "sort": {"field": "excess", "order": "descending"},
        "title": None,
    }
    return _spec(
        title or f"{label(measure)}: excess over the baseline, 95% interval",
        width=WIDTH - 120,
        height={"step": 18},
        data={"values": values},
        layer=[
            {
                "mark": {"type": "bar", "color": WINDOW_COLOUR, "opacity": 0.75},
                "encoding": {
                    "y": y,
                    "x": {"field": "excess", "type": "quantitative", "title": "excess"},
                    "tooltip": [
                        {"field": "place"},
                        {"field": "excess", "type": "quantitative"},
                        {"field": "low", "type": "quantitative", "title": "95% low"},
                        {"field": "high", "type": "quantitative", "title": "95% high"},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "color": RULE_COLOUR},
                "encoding": {
                    "y": y,
                    "x": {"field": "low", "type": "quantitative"},
                    "x2": {"field": "high"},
                },
            },
        ],
    )


WITHHELD = "withheld (a small count)"
NO_VALUE = "no value (no events, or no population)"


def _county_status(r: dict[str, Any]) -> str:
    """Why a county has no colour of its own: not drawn (its AOR's events are mostly not
    placed), withheld in publish mode, or nothing to divide; "" when it has a value."""
    if not r["drawn"]:
        return "AOR mostly unplaced"
    if r["value"] is not None:
        return ""
    hidden = [v for v in (r.get("measure"), r.get("events")) if isinstance(v, str)]
    if any(not v.isdigit() for v in hidden):
        return WITHHELD
    return NO_VALUE


def county_map(
    rows: Rows,
    topojson: dict[str, Any] | str,
    *,
    value_title: str,
    policy_rows: Rows = (),
    title: str = "",
) -> dict[str, Any]:
    """A county choropleth on the pre-projected us-atlas (Albers USA, 975 x 610). Counties not
    drawn (their AOR mostly unplaced) are grey and say why; counties in ``policy_rows`` with
    the policy in force get a dark outline."""
    data = {"url": topojson} if isinstance(topojson, str) else {"values": topojson}
    # what a county's tooltip shows, and no more: the spec travels inline with the page
    values = [
        {
            "fips": r["fips"],
            "name": f"{r['name']}, {r['state']}",
            "aor": r["aor"],
            "value": r["value"],
            "measure": r["measure"],
            "status": _county_status(r),
        }
        for r in rows
    ]
    lookup_fields = ["name", "aor", "value", "measure", "status"]
    base = {
        "data": {**data, "format": {"type": "topojson", "feature": "counties"}},
        "transform": [
            {
                "lookup": "id",
                "from": {"data": {"values": values}, "key": "fips", "fields": lookup_fields},
            }
        ],
        "projection": {"type": "identity"},
    }
    tooltip = [
        {"field": "name", "title": "county"},
        {"field": "aor", "title": "AOR"},
        {"field": "value", "type": "quantitative", "title": value_title},
        {"field": "measure", "type": "quantitative", "title": "count"},
        {"field": "status", "title": "not drawn"},
    ]
    layers: list[dict[str, Any]] = [
        {
            **base,
            # invalid "show": a county without a value (not drawn, no population) keeps its
            # shape, grey by the condition, instead of vanishing from the map
            "mark": {
                "type": "geoshape",
                "stroke": "#ffffff",
                "strokeWidth": 0.15,
                "invalid": "show",
            },
            "encoding": {
                "color": {
                    "condition": [
                        {"test": f"datum.status === '{WITHHELD}'", "value": "#d9b38c"},
                        {"test": f"datum.status === '{NO_VALUE}'", "value": "#eeeeee"},
                        {"test": "datum.status !== ''", "value": "#bbbbbb"},
                    ],
                    "field": "value",
                    "type": "quantitative",
                    "title": value_title,
                    "scale": {"scheme": "blues", "type": "sqrt"},
                },
                "tooltip": tooltip,
                "href": {"field": "href"},
            },
        }
    ]
    layers[0]["transform"] = [
        *base["transform"],
        {"calculate": "'/place/' + datum.id", "as": "href"},
    ]
    in_force = [{"fips": p["fips"], "group": p["policy_group"]} for p in policy_rows]
    if in_force:
        layers.append(
            {
                "data": {**data, "format": {"type": "topojson", "feature": "counties"}},
                "transform": [
                    {
                        "lookup": "id",
                        "from": {"data": {"values": in_force}, "key": "fips", "fields": ["group"]},
                    },
                    {"filter": "datum.group === 'in force'"},
                ],
                "projection": {"type": "identity"},
                "mark": {
                    "type": "geoshape",
                    "fill": None,
                    "stroke": "#111111",
                    "strokeWidth": 1.1,
                },
            }
        )
    return _spec(title, width=975, height=610, layer=layers)
