"""Caveats are data: a controlled list of codes, each with the sentence surfaces word it by.

An analysis attaches ``Caveat(code, args)``; the CLI, the web app and reports render the
sentence (``Caveat.text``). Adding a code here is the only way to add a caveat: tests check
that every code used has a sentence and that every sentence's arguments are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# code -> sentence ({name} placeholders are the caveat's arguments)
SENTENCES: dict[str, str] = {
    # counting each event once (docs/counting.md)
    "overlap_shadowed": (
        "{rows} {table} rows of {releases} other release(s) fall on days another release "
        "counts; they are kept in {table}_all, not counted"
    ),
    "overlap_disagrees": (
        "releases holding the same days give different {table} counts in {months} AOR-month(s) "
        "of this window; the numbers here come from the release that counts each day"
    ),
    "release_subset": (
        "some days are counted from a release that holds only part of the records ({subset}); "
        "no release of every record covers them"
    ),
    "synthetic_rows": (
        "rows of synthetic release(s) {releases} (made by `icefacts synth`, not ICE's) are "
        "counted here: they count only where no real release covers the day"
    ),
    "release_override": (
        "counted from the release(s) asked for ({releases}) instead of the count-once rule"
    ),
    "duplicates_excluded": (
        "{rows} rows flagged as likely duplicates of another record of the same person are not "
        "counted (rule: {rule})"
    ),
    # fields a release lacks
    "field_missing_in_release": (
        "{field} is not in release(s) {releases}: it is NULL here, not zero"
    ),
    "field_from_other_release": (
        "{field} comes from release {source} ({source_rows} rows on the same days and places), "
        "not from the release that counts ({counting_rows} rows); the two agree on totals "
        "{agreement}"
    ),
    "criminality_convictions_only": (
        "release(s) {releases} give only the most serious conviction: convicted is known, "
        "pending charges and other violators cannot be told apart (NULL)"
    ),
    # windows and baselines
    "window_partly_covered": (
        "no loaded release covers {days} day(s) of the window for {places}; counts cover "
        "{covered} only"
    ),
    "baseline_weeks_dropped": (
        "{dropped} of {asked} baseline periods (the window's weekdays in earlier weeks) are "
        "not covered by the loaded releases and were left out; the baseline rests on {used}"
    ),
    "baseline_per_place": (
        "the baselines of {places} run over the baseline periods covered for each of them, "
        "not over those covered for every place asked (the total's)"
    ),
    "baseline_too_short": (
        "fewer than two baseline periods are covered: no baseline or excess is given"
    ),
    "periods_partly_covered": (
        "{n} period(s) are only partly covered by the loaded releases: compare covered_days "
        "with days before reading a change into them"
    ),
    "rows_outside_span": (
        "{rows} counted rows are dated outside {start} to {end}, the span the loaded "
        "releases state (or are not dated), and are not counted here; give --from and --to "
        "to include them"
    ),
    "periods_not_covered": (
        "{n} period(s) no loaded release covers (for the place of the row): their figures are "
        "NULL, unknown, not zero"
    ),
    "periods_some_aors": (
        "{n} period(s) hold rows only from releases of some AORs ({aors}), not of every AOR: "
        "their figures are those AORs', not national ones (covered_days 0)"
    ),
    "ytd_partial": "release {release} is year-to-date (through {end})",
    # places
    "placed_share_low": (
        "only {share} of {table} in {aor} are placed in a county; county and state figures "
        "miss the rest (they are in the AOR's total)"
    ),
    "unplaced_events": (
        "{rows} of the {total} arrests of the span (in the AORs asked) are not placed in a "
        "{level}: figures per {level}, or for the {level}s asked, leave them out (places load "
        "with `icefacts reference load`; see `icefacts coverage`)"
    ),
    "map_unplaced": (
        "a county counts only the events placed in it: the counties of AORs with less than "
        "{share} of their events placed in a county ({aors}) are not drawn, since they would "
        "look low"
    ),
    "population_estimate": "{note}",
    "counting_rule": "{text}",
    "policy_registry_scope": (
        "places with no registered instrument count as 'not in force': the registry covers "
        "the jurisdictions it names, so an absence is not proof that no policy existed"
    ),
    # validation (declared checks of a release)
    "missing_values": "{table}.{field}: {failed} of {checked} rows have no value",
    "unknown_values": "{table}.{field}: {failed} values no vocabulary knows (kept verbatim)",
    "out_of_period": "{table}: {failed} rows dated outside the period the release states",
    "implausible_dates": "{table}.{field}: {failed} implausible dates",
    "redacted": "{table}.{field}: {failed} cells redacted",
    "policy_counties": (
        "counted in the {n} counties where the policy is in force by the registry (an "
        "event counts under a county only where it is placed in one)"
    ),
    # detection
    "detection_model": (
        "expected counts are a robust fit (weekday and a slow trend, resistant to surges); "
        "days are flagged when the count is above {threshold}"
    ),
}


@dataclass(frozen=True)
class Caveat:
    code: str
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in SENTENCES:
            raise ValueError(f"unknown caveat code {self.code!r}")

    @property
    def text(self) -> str:
        try:
            return SENTENCES[self.code].format(**{k: _show(v) for k, v in self.args.items()})
        except KeyError as exc:
            raise ValueError(f"caveat {self.code!r} needs argument {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            **{k: _plain(v) for k, v in self.args.items()},
        }


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:,.1f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
