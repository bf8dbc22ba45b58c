"""A claim's readings with every key filled in, and the checks a file must pass before any
number is computed (so that a mistake is refused whatever the loaded data).

Keys merge in this order: the file's ``defaults``, the claim, the reading. ``filters`` merge
key by key (``null`` removes one); every other key is replaced whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from icefacts.claims.model import Claim, Comparison, Filters, Measure, Reading, Role, Window

if TYPE_CHECKING:
    from icefacts.claims.loader import LoadedFile
    from icefacts.claims.model import Places

# the measures whose value is a share (0 to 1), which a named threshold may be held against
SHARE_KINDS = ("share",)


@dataclass(frozen=True)
class Spec:
    """A reading with every key filled in, and where in the file each key was written."""

    id: str
    label: str
    window: Window
    places: Places | None
    filters: Filters
    measure: Measure
    comparison: Comparison
    published: float | None
    role: Role
    note: str | None
    loc: dict[str, tuple[Any, ...]]

    def target(self, thresholds: dict[str, float]) -> tuple[str, float | None]:
        """(operator, the value compared with)."""
        cmp = self.comparison
        if cmp.threshold is not None:
            return "at_least", thresholds.get(cmp.threshold)
        if cmp.value is not None:
            return cmp.op, cmp.value
        if self.measure.kind == "rank" and self.measure.test == "largest":
            return cmp.op, float(len(self.measure.named)) if self.published is None else (
                self.published
            )
        return cmp.op, self.published


def specs(loaded: LoadedFile, i: int, claim: Claim) -> list[Spec]:
    defaults = loaded.claims.defaults
    base: tuple[Any, ...] = ("claims", i)
    readings: list[tuple[Reading | None, tuple[Any, ...]]] = [
        (r, (*base, "readings", j)) for j, r in enumerate(claim.readings)
    ] or [(None, base)]
    out = []
    for reading, rloc in readings:
        layers: list[tuple[Any, tuple[Any, ...]]] = [(defaults, ("defaults",)), (claim, base)]
        if reading is not None:
            layers.append((reading, rloc))
        got: dict[str, Any] = {}
        loc: dict[str, tuple[Any, ...]] = {}
        flt: dict[str, Any] = {}
        for layer, lloc in layers:
            for key in ("window", "places", "measure", "comparison", "table"):
                value = getattr(layer, key, None)
                if value is not None:
                    got[key], loc[key] = value, (*lloc, key)
            if layer.filters is not None:
                flt.update(layer.filters.model_dump(exclude_unset=True))
                loc["filters"] = (*lloc, "filters")
        if "window" not in got:
            raise loaded.error(
                (*rloc, "window"), "missing (no window here, in the claim or in defaults)"
            )
        if "measure" not in got:
            raise loaded.error(
                (*rloc, "measure"), "missing (no measure here, in the claim or in defaults)"
            )
        published = claim.published
        if reading is not None and reading.published is not None:
            published = reading.published
        role: Role = reading.role if reading is not None else claim.role
        out.append(
            Spec(
                id=reading.id if reading is not None else claim.id,
                label=reading.label if reading is not None else "as stated",
                window=got["window"],
                places=got.get("places"),
                filters=Filters.model_validate(flt),
                measure=got["measure"],
                comparison=got.get("comparison") or Comparison(),
                published=published,
                role=role,
                note=reading.note if reading is not None else None,
                loc={**loc, "reading": rloc},
            )
        )
    return out


def validate(loaded: LoadedFile) -> list[list[Spec]]:
    """Every reading of every claim can be compared: its threshold exists and is held
    against a share, it has a value to compare with, and a share's part does not change a
    filter of its whole. Raises the file's one-line error; returns each claim's readings."""
    thresholds = loaded.claims.thresholds
    every = [specs(loaded, i, claim) for i, claim in enumerate(loaded.claims.claims)]
    for claim_specs in every:
        for s in claim_specs:
            cmp_loc = s.loc.get("comparison", s.loc["reading"])
            cmp = s.comparison
            if cmp.threshold is not None:
                if cmp.threshold not in thresholds:
                    known = ", ".join(repr(t) for t in thresholds) or "none"
                    raise loaded.error(
                        (*cmp_loc, "threshold"),
                        f"unknown threshold {cmp.threshold!r} (the file's thresholds: {known})",
                    )
                share_like = s.measure.kind in SHARE_KINDS or (
                    s.measure.kind == "rank" and s.measure.test == "share"
                )
                if not share_like:
                    raise loaded.error(
                        (*cmp_loc, "threshold"),
                        f"a named threshold is a share: it needs a share (or a rank's share), "
                        f"not a {s.measure.kind}",
                    )
            if s.target(thresholds)[1] is None:
                raise loaded.error(
                    cmp_loc,
                    "nothing to compare with: give 'published', or comparison 'value' or "
                    "'threshold'",
                )
            target = s.target(thresholds)[1]
            kind = s.measure.kind
            where = s.loc.get("comparison") if s.comparison.value is not None else None
            where = where or s.loc["reading"]
            if kind == "share" and target is not None and not 0 <= target <= 1:
                raise loaded.error(
                    where, f"a share is compared with {target:g}: give it as a share, 0 to 1"
                )
            if kind in ("count", "distinct") and target is not None and target < 0:
                raise loaded.error(where, f"a {kind} is compared with {target:g}: below zero")
            of = s.measure.of
            if of is not None:
                whole = s.filters.model_dump(exclude_unset=True)
                for key, value in of.model_dump(exclude_unset=True).items():
                    if key in whole and whole[key] not in (None, ()) and whole[key] != value:
                        raise loaded.error(
                            (*s.loc.get("measure", s.loc["reading"]), "of", key),
                            f"the part cannot change the whole's filter {key} "
                            f"({whole[key]!r}): give the part's extra filters only",
                        )
    return every
