"""Small-cell suppression: no count from 1 to k-1 can be read or worked out from a publication.

**Model.** There are ``n`` base cells with nonnegative integer counts ``x`` (the finest grain,
say county x day). Every published figure is a sum over a subset of base cells: row ``i`` of a
0-1 matrix ``A`` (``m x n``; scipy.sparse, numpy, or a list of index arrays), so the
publication is ``A @ x``. Cells, row totals, column totals, grand totals and several tables
over the same data (two windows, two groupings) are all rows of one ``A``; a difference between
two tables is then just another consequence of the rows, and the audit sees it.

**Markers.** Each figure is shown exactly, shown as ``"<k"`` (primary suppression: a count in
1..k-1) or shown as ``"suppressed"`` (:data:`SUPPRESSED_MARKER`, complementary suppression),
and the marker is the same whatever the hidden value. Zeros are always shown (as 0) and are
never used as complements.

**What the reader knows** (the audit's attacker): ``x >= 0`` and integer; every shown figure
exactly; ``1 <= a·x <= k-1`` for a ``"<k"`` figure; and for a ``"suppressed"`` figure
``a·x >= k``. That last one goes beyond "nothing but ``x >= 0``" on purpose: a reader who knows
the rule (every 1..k-1 is printed ``"<k"``, zeros are printed) can tell that a figure printed
"suppressed" is not a small count, so it is at least ``k``. Auditing against that stronger
reader costs a little more suppression and is safe against the weaker one too (their feasible
set is larger). The one exception, *escalation*: when the ``"<k"`` markers alone pin a value
(nine days with 1 arrest each and a total of 9 shown as ``"<10"`` mean exactly 1 a day), no
complement helps, so the figure whose upper bound does the pinning (here the total) is printed
``"suppressed"`` instead of ``"<k"``; the audit then gives the reader only ``a·x >= 1`` for it
(``Protection.floor`` is 1 instead of ``k``). That assumes the reader cannot tell an escalated
figure from an ordinary complement, which is why the machine-readable outputs never
distinguish them.

**Protected** (``margin`` defaults to 2). Over the reader's integer feasible set, a figure with a
small true value (``"<k"``, or escalated) must take values spanning at least
``min(margin, k-2)``: ``max - min >= 2`` by default, three or more possible values, so a cell
is never narrowed to one or two candidates. A complement (a true value ``>= k``) must not be
determined exactly (``max - min >= 1``). The cap ``k-2`` is the width of ``1..k-1`` itself; with
``k=2`` the marker ``"<2"`` already says "exactly 1", so ``k=2`` only hides the digit and no
complement is ever needed for it. (The alternative rule "the upper bound reaches ``k``" was not
used: a small total over small cells, both legitimately ``"<k"``, would fail it and force an
escalation in almost every sparse row.)

**Algorithm.** (1) Primary suppression of every 1..k-1. (2) :func:`audit`: an integer program
(HiGHS through ``scipy.optimize.milp``) gives the exact min and max of each withheld figure
over the reader's tables. (3) Each exposed figure, in index order, gets an *attacker LP*
(``linprog``, HiGHS): the cheapest change of the base cells that moves the figure by its
required spread while every other figure stays consistent with what the reader would know;
the shown figures the change touches are the complements to add, and a ``"<k"`` figure it
pushes past ``k-1`` is escalated (at a cost above any suppression). Cost per unit change: the
figure's value, doubled for aggregates, so small base-level cells go before totals, plus a
hundredth of its index rank as a deterministic tie-break. This is the greedy "withhold a
shown figure sharing a constraint with the exposed one, smallest first", except that one LP
picks the whole cycle of complements a 2-D table needs instead of one cell per round. (4)
Audit again the figures still exposed and those just changed (a figure found safe stays
safe: withholding more only enlarges the reader's feasible set), until none is exposed; a
last audit of everything confirms. If the LP finds nothing to add for an exposure the integer
audit still sees, a fallback withholds the smallest shown figure sharing a constraint with it
(base cells first, then by value, then index), else escalates the widest ``"<k"`` figure
there. Every round changes at least one figure, so the loop ends; once everything positive
in a connected block is withheld, every withheld figure there is unbounded above, so it ends
safe. The same input always gives the same output.

**Speed.** The audit substitutes out every base cell a shown figure fixes (shown cells, zeros)
and splits the rest into independent blocks; an integer solution already found serves as a
witness for every other figure, so most figures need no solve at all. Measured on 2 cores, a
50 x 31 table of county-day counts with row, column and grand totals (1,550 cells, 1,632
figures): 0.3 s when about 60 % of the cells are 1..9 (they cover each other), 0.6-1.1 s when
about 10 % are (each needs its own complements); 100 x 31 about 2 s; two windows of 50 x 8
with margins, jointly, about 2.5 s. The attacker LPs and the audit's integer programs share
the time about equally.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

SUPPRESSED_MARKER = "suppressed"
"""The complementary marker: the same for every withheld figure, whatever its value."""

_TOL = 1e-6
_MILP_SECONDS = 10.0
_SPREAD_ROUNDS = 12


def primary_marker(k: int) -> str:
    """The label of a count in 1..k-1: ``"<10"`` for ``k=10``."""
    return f"<{k}"


class Status(IntEnum):
    """How a figure is published (the public view: escalations are plain ``SUPPRESSED``)."""

    SHOWN = 0
    PRIMARY = 1
    SUPPRESSED = 2


@dataclass(frozen=True)
class Exposure:
    """A withheld figure the reader can narrow too far: its possible values span ``low..high``
    (``high`` is ``math.inf`` when unbounded), fewer than ``required`` apart."""

    figure: int
    kind: str  # "primary" for a "<k" figure, "suppressed" for a complementary one
    low: int
    high: float
    required: int

    def __str__(self) -> str:
        return (
            f"figure {self.figure} ({self.kind}) can only be {self.low}..{self.high}: "
            f"needs a spread of {self.required}"
        )


# --- matrices -------------------------------------------------------------------------------


def as_matrix(figures: Any, n: int | None = None) -> Any:
    """The 0-1 figure matrix as ``scipy.sparse.csr_array`` (int64), from a sparse or dense
    matrix, or from a sequence of index arrays (one per figure: the base cells it sums).

    ``n`` is the number of base cells (needed to size index lists; checked against matrices).
    """
    if sp.issparse(figures):
        matrix = sp.csr_array(figures, dtype=np.int64)
    elif isinstance(figures, np.ndarray):
        if figures.ndim != 2:
            raise ValueError(f"the figure matrix must be 2-D, not {figures.ndim}-D")
        matrix = sp.csr_array(figures.astype(np.int64))
    else:
        rows = [np.asarray(r, dtype=np.int64).ravel() for r in figures]
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        if indices.size and indices.min() < 0:
            raise ValueError("a figure names a negative base-cell index")
        width = n if n is not None else int(indices.max()) + 1 if indices.size else 0
        if indices.size and indices.max() >= width:
            raise ValueError(f"a figure names base cell {int(indices.max())} of {width}")
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        data = np.ones(indices.size, dtype=np.int64)
        matrix = sp.csr_array((data, indices, indptr), shape=(len(rows), width))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    if n is not None and matrix.shape[1] != n:
        raise ValueError(f"the figure matrix has {matrix.shape[1]} columns for {n} base cells")
    if matrix.nnz and not np.all(matrix.data == 1):
        raise ValueError("the figure matrix must be 0-1 (a figure names a base cell twice?)")
    return matrix


def _counts(values: npt.ArrayLike, what: str) -> IntArray:
    """Nonnegative integer counts as int64, or a ValueError saying which input is wrong."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{what} must be whole numbers")
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"{what} must be integer counts, not {arr.dtype}")
    out = arr.astype(np.int64)
    if out.size and out.min() < 0:
        raise ValueError(f"{what} must be nonnegative")
    return out


def _check_k(k: int, margin: int) -> None:
    if int(k) != k or k < 2:
        raise ValueError(f"k must be an integer >= 2, not {k!r}")
    if int(margin) != margin or margin < 1:
        raise ValueError(f"margin must be an integer >= 1, not {margin!r}")


def _required(
    primary: BoolArray, withheld: BoolArray, floor: IntArray, k: int, margin: int
) -> IntArray:
    """The spread each figure needs: small values (``"<k"`` or escalated) ``min(margin, k-2)``,
    at least 1 once escalated; complements 1; shown figures 0."""
    small = min(margin, k - 2)
    need = np.zeros(primary.shape, dtype=np.int64)
    need[primary] = small
    need[withheld] = np.where(floor[withheld] < k, max(1, small), 1)
    return need


# --- the audit ------------------------------------------------------------------------------


def audit(
    figures: Any,
    shown_values: npt.ArrayLike,
    shown_mask: npt.ArrayLike,
    primary_mask: npt.ArrayLike,
    k: int = 10,
    *,
    margin: int = 2,
    withheld_floor: npt.ArrayLike | None = None,
    n: int | None = None,
) -> list[Exposure]:
    """The withheld figures a reader can pin down or narrow too far; empty when all are safe.

    Uses only what is published: ``shown_values`` where ``shown_mask`` (other entries are
    ignored), ``"<k"`` where ``primary_mask``, and the complementary marker everywhere else.
    The reader knows a complementary figure is ``>= k`` (see the module docstring); pass
    ``withheld_floor=protection.floor`` to audit a :class:`Protection` that escalated a small
    figure (otherwise the figures look inconsistent and a ValueError says so). The bounds are
    exact integer bounds (an integer program per figure; ones a solution already found decides
    are skipped). Raises ValueError when no table of counts fits what is shown.
    """
    _check_k(k, margin)
    matrix = as_matrix(figures, n)
    m = matrix.shape[0]
    shown = np.asarray(shown_mask, dtype=bool).ravel()
    primary = np.asarray(primary_mask, dtype=bool).ravel()
    if shown.shape != (m,) or primary.shape != (m,):
        raise ValueError(f"the masks must have one entry per figure ({m})")
    if np.any(shown & primary):
        raise ValueError("a figure cannot be both shown and primary-suppressed")
    withheld = ~shown & ~primary
    values = np.zeros(m, dtype=np.int64)
    given = np.asarray(shown_values).ravel()
    if given.shape != (m,):
        raise ValueError(f"shown_values must have one entry per figure ({m})")
    values[shown] = _counts(np.asarray(given[shown].tolist()), "shown values")
    if withheld_floor is None:
        floor = np.where(withheld, k, 0).astype(np.int64)
    else:
        floor = np.asarray(withheld_floor, dtype=np.int64).ravel()
        if floor.shape != (m,):
            raise ValueError(f"withheld_floor must have one entry per figure ({m})")
    return _exposures(matrix, values, shown, primary, floor, k, margin, None)


def _exposures(
    matrix: Any,
    values: IntArray,
    shown: BoolArray,
    primary: BoolArray,
    floor: IntArray,
    k: int,
    margin: int,
    only: IntArray | None,
) -> list[Exposure]:
    """:func:`audit` on checked inputs, of every withheld figure or of those in ``only``."""
    withheld = ~shown & ~primary
    lo = np.zeros(values.size)
    hi = np.full(values.size, np.inf)
    lo[shown] = hi[shown] = values[shown]
    lo[primary], hi[primary] = 1.0, k - 1.0
    lo[withheld] = np.maximum(floor[withheld], 1)
    need = _required(primary, withheld, floor, k, margin)
    targets = np.flatnonzero(need > 0)
    if only is not None:
        targets = np.intersect1d(targets, only)
    if not targets.size and only is not None:
        return []
    found = _Reader(matrix, lo, hi).ranges(targets, need)  # (also checks consistency)
    return [
        Exposure(int(t), "primary" if primary[t] else "suppressed", low, high, int(need[t]))
        for t, (low, high) in sorted(found.items())
    ]


class _Reader:
    """The reader's constraints ``lo <= A x <= hi``, ``x >= 0`` integer, with every base cell
    that the shown figures fix substituted out and the rest split into independent blocks."""

    def __init__(self, matrix: Any, lo: FloatArray, hi: FloatArray) -> None:
        self.matrix = matrix
        self.lo, self.hi = lo, hi
        self.fixed = self._fix()
        free = self.fixed < 0
        self.free_cells = np.flatnonzero(free)
        self.known = matrix @ np.where(free, 0, self.fixed)
        self.nfree = matrix @ free.astype(np.int64)
        self._check_determined()
        active = np.flatnonzero(self.nfree > 0)
        self.active = active
        self.sub = matrix[active][:, self.free_cells]
        self.block_of_row = self._blocks()

    def _fix(self) -> IntArray:
        """Base-cell values the shown figures imply: zeros, then shown figures with one free
        cell left, repeated until nothing changes."""
        matrix, lo, hi = self.matrix, self.lo, self.hi
        fixed = np.full(matrix.shape[1], -1, dtype=np.int64)
        zero_rows = np.flatnonzero(hi == 0)
        if zero_rows.size:
            fixed[matrix[zero_rows].indices] = 0
        exact = lo == hi
        while True:
            free = fixed < 0
            nfree = matrix @ free.astype(np.int64)
            rows = np.flatnonzero(exact & (nfree == 1))
            if not rows.size:
                return fixed
            known = matrix @ np.where(free, 0, fixed)
            cols = np.flatnonzero(free)[matrix[rows][:, np.flatnonzero(free)].indices]
            vals = (lo[rows] - known[rows]).astype(np.int64)
            if vals.min() < 0:
                raise ValueError("the published figures are inconsistent (a negative count)")
            order = np.lexsort((vals, cols))
            cols, vals = cols[order], vals[order]
            same = cols[1:] == cols[:-1]
            if np.any(same & (vals[1:] != vals[:-1])):
                raise ValueError("the published figures are inconsistent (two values for one)")
            fixed[cols] = vals

    def _check_determined(self) -> None:
        done = self.nfree == 0
        if np.any(done & ((self.known < self.lo - _TOL) | (self.known > self.hi + _TOL))):
            raise ValueError("the published figures are inconsistent with each other")

    def _blocks(self) -> IntArray:
        """The connected block of each active row (rows sharing free base cells)."""
        rows = self.sub.shape[0]
        if rows == 0:
            return np.zeros(0, dtype=np.int64)
        graph = sp.bmat([[None, self.sub], [self.sub.T, None]], format="csr")
        _, labels = connected_components(graph, directed=False)
        return np.asarray(labels[:rows], dtype=np.int64)

    def ranges(self, targets: IntArray, need: IntArray) -> dict[int, tuple[int, float]]:
        """The targets whose integer range is narrower than ``need``: figure -> (low, high)."""
        exposed: dict[int, tuple[int, float]] = {}
        row_pos = np.full(self.matrix.shape[0], -1, dtype=np.int64)
        row_pos[self.active] = np.arange(self.active.size)
        by_block: dict[int, list[int]] = {}
        for t in targets:
            if row_pos[t] < 0:  # every base cell it sums is fixed: the reader knows it
                value = int(self.known[t])
                exposed[int(t)] = (value, float(value))
            else:
                by_block.setdefault(int(self.block_of_row[row_pos[t]]), []).append(int(t))
        for block, members in sorted(by_block.items()):
            exposed.update(self._block_ranges(block, members, row_pos, need))
        return exposed

    def _block_ranges(
        self, block: int, targets: list[int], row_pos: IntArray, need: IntArray
    ) -> dict[int, tuple[int, float]]:
        local_rows = np.flatnonzero(self.block_of_row == block)
        cells = np.unique(self.sub[local_rows].indices)
        a = self.sub[local_rows][:, cells]
        figs = self.active[local_rows]
        lo = self.lo[figs] - self.known[figs]
        hi = self.hi[figs] - self.known[figs]
        finite = np.concatenate([np.abs(lo[np.isfinite(lo)]), np.abs(hi[np.isfinite(hi)])])
        big = 2.0 * finite.sum() + 2.0 * need.max() + 10.0
        keep = (lo > 0) | np.isfinite(hi)  # rows that bound something beyond x >= 0
        solver = _BlockSolver(a[np.flatnonzero(keep)], lo[keep], hi[keep], big)
        where = {int(f): i for i, f in enumerate(figs)}
        t_rows = a[[where[t] for t in targets]]
        t_const = self.known[targets]
        seen_lo = np.full(len(targets), np.inf)
        seen_hi = np.full(len(targets), -np.inf)

        def witness(z: FloatArray) -> None:
            vals = t_rows @ z + t_const
            np.minimum(seen_lo, vals, out=seen_lo)
            np.maximum(seen_hi, vals, out=seen_hi)

        wanted = need[targets]
        _spread(solver, t_rows, lambda: np.flatnonzero(seen_hi - seen_lo < wanted), witness)
        exposed: dict[int, tuple[int, float]] = {}
        for i, t in enumerate(targets):
            if seen_hi[i] - seen_lo[i] >= need[t]:
                continue
            top, z_top = solver.extreme(t_rows[[i]], maximize=True)
            if z_top is not None:
                witness(z_top)
            if seen_hi[i] - seen_lo[i] >= need[t]:
                continue
            bottom, z_bottom = solver.extreme(t_rows[[i]], maximize=False)
            if z_bottom is not None:
                witness(z_bottom)
            if seen_hi[i] - seen_lo[i] >= need[t]:
                continue
            high = math.inf if top >= big - 0.5 else float(math.floor(top + t_const[i] + _TOL))
            exposed[t] = (math.ceil(bottom + t_const[i] - _TOL), high)
        return exposed


def _spread(
    solver: _BlockSolver,
    t_rows: Any,
    undecided: Callable[[], IntArray],
    witness: Callable[[FloatArray], None],
) -> None:
    """Find integer tables far apart before any per-figure solve: maximise the sum of the
    undecided figures, then minimise it, then random signed sums (fixed seed), while each
    round still settles a few percent of them. One solve can settle hundreds of figures."""
    rng = np.random.default_rng(0)
    for round_ in range(_SPREAD_ROUNDS):
        todo = undecided()
        if todo.size <= 2:
            return
        if round_ < 2:
            signs = np.full(todo.size, 1.0 if round_ == 0 else -1.0)
        else:
            signs = rng.choice([-1.0, 1.0], size=todo.size)
        objective = sp.csr_array(signs[None, :]) @ t_rows[todo]
        _, z = solver.extreme(objective, maximize=True)
        if z is not None:
            witness(z)
        if round_ >= 2 and undecided().size > 0.95 * todo.size:
            return


class _BlockSolver:
    """Exact integer min / max of a linear form over one block of the reader's constraints.

    Cells are capped at ``big`` so that every solve is bounded (a cell above every finite
    bound can come down to ``big`` and stay feasible: the rows it is in are unbounded above).
    A "protected" verdict only ever rests on integer tables found and checked here, which are
    real solutions, so the cap can make the audit stricter but never looser.
    """

    def __init__(self, a: Any, lo: FloatArray, hi: FloatArray, big: float) -> None:
        self.a, self.lo, self.hi, self.big = a, lo, hi, big
        self.n = a.shape[1]

    def extreme(self, row: Any, *, maximize: bool) -> tuple[float, FloatArray | None]:
        """(bound, integer solution or None): the bound is exact when a solution comes back."""
        c = np.asarray(row.todense(), dtype=float).ravel()
        sign = -1.0 if maximize else 1.0
        constraints = [LinearConstraint(self.a, self.lo, self.hi)] if self.a.shape[0] else []
        res = milp(
            c=sign * c,
            integrality=np.ones(self.n),
            bounds=Bounds(np.zeros(self.n), np.full(self.n, self.big)),
            constraints=constraints,
            options={"time_limit": _MILP_SECONDS},
        )
        if res.status == 2:
            raise ValueError("the published figures are inconsistent: no table fits them")
        z = None if res.x is None else np.rint(res.x)
        if z is not None and not self._feasible(z):
            z = None
        if res.status == 0 and z is not None:
            return float(c @ z), z
        bound = getattr(res, "mip_dual_bound", None)
        if bound is None or not np.isfinite(bound):  # no bound: assume the worst for the reader
            return (self.big if maximize else 0.0), z
        return float(sign * bound), z

    def _feasible(self, z: FloatArray) -> bool:
        if z.min(initial=0.0) < 0:
            return False
        vals = self.a @ z
        return bool(np.all(vals >= self.lo - _TOL) and np.all(vals <= self.hi + _TOL))


# --- protection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Protection:
    """The outcome of :func:`protect`: how each published figure is shown.

    ``values`` are the true figures and ``floor`` tells an escalated small figure (1) from an
    ordinary complement (``k``): both are for auditing, never for publishing. Publish
    :meth:`labels` or :meth:`published` with :attr:`status`.
    """

    matrix: Any
    values: IntArray
    status: npt.NDArray[np.int8]
    floor: IntArray
    k: int
    margin: int

    @property
    def shown_mask(self) -> BoolArray:
        return np.asarray(self.status == Status.SHOWN)

    @property
    def primary_mask(self) -> BoolArray:
        return np.asarray(self.status == Status.PRIMARY)

    @property
    def suppressed_mask(self) -> BoolArray:
        """Every withheld figure (``"<k"`` or complementary)."""
        return np.asarray(self.status != Status.SHOWN)

    def labels(self) -> list[str]:
        """Each figure as printed: its value, ``"<k"`` or :data:`SUPPRESSED_MARKER`."""
        return [
            _label(int(v), int(s), self.k) for v, s in zip(self.values, self.status, strict=True)
        ]

    def published(self) -> list[int | None]:
        """Each figure for machine-readable output: the value, or None when withheld."""
        return [
            int(v) if s == Status.SHOWN else None
            for v, s in zip(self.values, self.status, strict=True)
        ]

    def audit(self) -> list[Exposure]:
        """:func:`audit` of this outcome, from what it publishes (empty: safe)."""
        return audit(
            self.matrix,
            np.where(self.shown_mask, self.values, 0),
            self.shown_mask,
            self.primary_mask,
            self.k,
            margin=self.margin,
            withheld_floor=self.floor,
        )


def _label(value: int, status: int, k: int) -> str:
    if status == Status.SHOWN:
        return str(value)
    return primary_marker(k) if status == Status.PRIMARY else SUPPRESSED_MARKER


def protect(figures: Any, x: npt.ArrayLike, k: int = 10, *, margin: int = 2) -> Protection:
    """Decide how to show each figure ``A @ x`` so that no small count can be recovered.

    ``figures`` is the 0-1 matrix ``A`` (see :func:`as_matrix`), ``x`` the base-cell counts.
    Deterministic: the same input gives the same output. The result passes :func:`audit`
    (checked before returning).
    """
    _check_k(k, margin)
    counts = _counts(x, "the base-cell counts").ravel()
    matrix = as_matrix(figures, counts.size)
    work = _Protector(matrix, counts, k, margin)
    work.run()
    return Protection(matrix, work.values, work.public_status(), work.floor, k, margin)


class _Protector:
    """The suppression state and the moves that extend it (complements, escalations)."""

    def __init__(self, matrix: Any, x: IntArray, k: int, margin: int) -> None:
        self.matrix, self.x, self.k, self.margin = matrix, x, k, margin
        self.values: IntArray = np.asarray(matrix @ x, dtype=np.int64)
        m = matrix.shape[0]
        self.shown = (self.values == 0) | (self.values >= k)
        self.primary = ~self.shown  # "<k" (escalated ones leave this set)
        self.floor = np.zeros(m, dtype=np.int64)
        support = np.asarray(matrix.sum(axis=1)).ravel()
        self.weight = self.values * np.where(support > 1, 2.0, 1.0)
        self.weight += 0.01 * (np.arange(m) + 1) / (m + 1)
        zero_cells = np.zeros(matrix.shape[1], dtype=bool)
        zero_cells[matrix[np.flatnonzero(self.values == 0)].indices] = True
        self.live = np.flatnonzero(~zero_cells)
        self.live_matrix = matrix[:, self.live]
        self.single = support == 1
        self.single_cell = np.zeros(m, dtype=np.int64)
        self.single_cell[self.single] = matrix[np.flatnonzero(self.single)].indices
        self.transposed = matrix.T.tocsr()

    @property
    def withheld(self) -> BoolArray:
        return np.asarray(~self.shown & ~self.primary)

    def public_status(self) -> npt.NDArray[np.int8]:
        status = np.full(self.values.shape, Status.SUPPRESSED, dtype=np.int8)
        status[self.shown] = Status.SHOWN
        status[self.primary] = Status.PRIMARY
        return status

    def need(self) -> IntArray:
        return _required(self.primary, self.withheld, self.floor, self.k, self.margin)

    def run(self) -> None:
        """Audit; give each exposed figure its cheapest complements; repeat until safe.

        Withholding more only enlarges the reader's feasible set, so a figure found safe stays
        safe: each round audits only the figures still exposed and the ones just changed, and
        a last audit of everything confirms."""
        only: IntArray | None = None
        while True:
            exposures = self._audit(only)
            if not exposures:
                if only is None:
                    return
                only = None
                continue
            changed: set[int] = set()
            for exposure in exposures:
                changed.update(self._protect_one(exposure.figure))
            if not changed:  # the LP sees no gap the integer audit sees
                changed.add(self._fallback(exposures[0].figure))
            only = np.union1d([e.figure for e in exposures], sorted(changed)).astype(np.int64)

    def _audit(self, only: IntArray | None) -> list[Exposure]:
        return _exposures(
            self.matrix,
            np.where(self.shown, self.values, 0),
            self.shown,
            self.primary,
            self.floor,
            self.k,
            self.margin,
            only,
        )

    def _suppress(self, figure: int) -> None:
        self.shown[figure] = False
        self.floor[figure] = self.k

    def _escalate(self, figure: int) -> None:
        self.primary[figure] = False
        self.floor[figure] = 1

    def _protect_one(self, t: int) -> list[int]:
        """Make figure ``t`` safe against the attacker LP; the figures that changed status."""
        need = int(self.need()[t])
        if need == 0:
            return []
        v = int(self.values[t])
        room_up = self.k - 1 - v if self.primary[t] else math.inf
        room_down = v - (1 if (self.primary[t] or self.floor[t] < self.k) else self.k)
        best: tuple[float, list[int], list[int]] | None = None
        for up, down in _moves(need, room_up, room_down):
            found = self._cost_of(t, up, down)
            if found is None:
                continue
            if found[0] <= _TOL:
                return []
            if best is None or found[0] < best[0] - _TOL:
                best = found
        if best is None:  # the markers pin it whatever is withheld: drop its "<k"
            if not self.primary[t]:
                return []  # (not expected: moving a withheld figure up is always possible)
            self._escalate(t)
            return [t]
        for figure in best[1]:
            self._suppress(figure)
        for figure in best[2]:
            self._escalate(figure)
        return sorted({*best[1], *best[2]})

    def _cost_of(self, t: int, up: int, down: int) -> tuple[float, list[int], list[int]] | None:
        total = 0.0
        suppress: set[int] = set()
        escalate: set[int] = set()
        for delta in (up, -down):
            if delta == 0:
                continue
            found = self._attack(t, delta)
            if found is None:
                return None
            total += found[0]
            suppress.update(found[1])
            escalate.update(found[2])
        return total, sorted(suppress), sorted(escalate)

    def _attack(self, t: int, delta: int) -> tuple[float, list[int], list[int]] | None:
        """The cheapest change of the base cells moving figure ``t`` by ``delta`` that a reader
        could not rule out once the figures it changes are withheld: (cost, figures to
        withhold, "<k" figures to escalate), or None when no such change exists.

        The change is ``d = up - down`` over the live base cells. A shown single cell costs its
        weight per unit directly on ``up + down`` (and ``down`` stops at ``k`` below its value,
        the floor it gets once withheld); a shown aggregate pays through ``u >= |a·d|``; a
        ``"<k"`` figure pushed past ``k-1`` pays the escalation penalty through ``e``.
        """
        k, v = self.k, self.values
        others = np.ones(v.shape, dtype=bool)
        others[t] = False
        shown = self.shown & (v > 0) & others
        single_cells = self.single_cell[shown & self.single]
        single_figs = np.flatnonzero(shown & self.single)
        aggregates = np.flatnonzero(shown & ~self.single)
        small = np.flatnonzero(self.primary & others)
        held = np.flatnonzero(self.withheld & others)
        a = self.live_matrix
        nd, na, npr = self.live.size, aggregates.size, small.size
        cell_cost = np.zeros(self.matrix.shape[1])
        np.add.at(cell_cost, single_cells, self.weight[single_figs])
        cap = self.x.astype(float)
        np.minimum.at(cap, single_cells, (self.x[single_cells] - k).astype(float))
        a_a, a_p = a[aggregates], a[small]
        change = sp.vstack([a_a, -a_a, -a_a, a_p, -a_p, -a[held]], format="csr")
        # the slack columns: u_i in both |a·d| rows of aggregate i, e_i in the "<k" row of i
        rows = np.concatenate([np.arange(na), na + np.arange(na), 3 * na + np.arange(npr)])
        cols = np.concatenate([np.arange(na), np.arange(na), na + np.arange(npr)])
        slack = sp.csr_array((-np.ones(rows.size), (rows, cols)), shape=(change.shape[0], na + npr))
        a_ub = sp.hstack([change, -change, slack], format="csr")
        b_ub = np.concatenate(
            [
                np.zeros(2 * na),
                v[aggregates] - k,
                k - 1 - v[small],
                v[small] - 1,
                v[held] - self.floor[held],
            ]
        ).astype(float)
        target = a[[t]]
        a_eq = sp.hstack([target, -target, sp.csr_array((1, na + npr))], format="csr")
        w = self.weight[aggregates]
        live_cost = cell_cost[self.live]
        penalty = 2.0 * float(live_cost.sum() + w.sum()) + 1.0
        cost = np.concatenate([live_cost, live_cost, w, np.full(npr, penalty)])
        upper = np.concatenate([np.full(nd, np.inf), cap[self.live], np.full(na + npr, np.inf)])
        bounds = np.column_stack([np.zeros(upper.size), upper])
        res = linprog(
            cost,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=[float(delta)],
            bounds=bounds,
            method="highs",
            options={"presolve": False},  # (half the time here; these LPs are sparse flows)
        )
        if res.status != 0:
            return None
        d = np.zeros(self.matrix.shape[1])
        d[self.live] = res.x[:nd] - res.x[nd : 2 * nd]
        moved = np.abs(self.matrix @ d) > _TOL
        suppress = np.flatnonzero(moved & shown)
        over = res.x[2 * nd + na :] > _TOL
        return float(res.fun), [int(f) for f in suppress], [int(f) for f in small[over]]

    def _fallback(self, t: int) -> int:
        """Withhold the smallest shown figure that shares a constraint with ``t`` (base-level
        cells first, then by value, then by index), else drop the ``"<k"`` of the widest small
        figure there; widen the neighbourhood until one exists."""
        rows = self._near(self._near(np.array([t])))
        while True:
            shown = rows[self.shown[rows] & (self.values[rows] > 0)]
            if shown.size:
                support = np.asarray(self.matrix[shown].sum(axis=1)).ravel()
                order = np.lexsort((shown, self.values[shown], support > 1))
                self._suppress(int(shown[order[0]]))
                return int(shown[order[0]])
            small = rows[self.primary[rows]]
            if small.size:
                support = np.asarray(self.matrix[small].sum(axis=1)).ravel()
                chosen = int(small[np.lexsort((small, -support))[0]])
                self._escalate(chosen)
                return chosen
            wider = self._near(rows)
            if wider.size == rows.size:
                raise RuntimeError(f"figure {t} is exposed with everything near it withheld")
            rows = wider

    def _near(self, rows: IntArray) -> IntArray:
        """The figures sharing a base cell with any of ``rows`` (``rows`` included)."""
        cells = np.unique(self.matrix[rows].indices)
        return np.union1d(rows, self.transposed[cells].indices)


def _moves(need: int, room_up: float, room_down: int) -> list[tuple[int, int]]:
    """Ways to widen a figure's range by ``need``: (up, down), one direction first."""
    moves = []
    if room_up >= need:
        moves.append((need, 0))
    if room_down >= need:
        moves.append((0, need))
    if not moves:
        up = int(min(room_up, need))
        if need - up <= room_down:
            moves.append((up, need - up))
    return moves


# --- grids ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """One published table over shared base cells: ``cells`` is a 0-1 matrix with one row per
    table cell (row-major over ``shape``) naming the base cells it sums (disjoint rows), and
    the flags say which margins are published."""

    cells: Any
    shape: tuple[int, int]
    row_totals: bool = True
    col_totals: bool = True
    grand_total: bool = True

    def figures(self) -> Any:
        """The grid's figures: its cells, then row totals, column totals, the grand total."""
        r, c = self.shape
        cells = sp.csr_array(self.cells, dtype=np.int64)
        if cells.shape[0] != r * c:
            raise ValueError(f"a {r} x {c} grid needs {r * c} cell rows, not {cells.shape[0]}")
        if cells.nnz and np.asarray(cells.sum(axis=0)).max() > 1:
            raise ValueError("the cells of one grid must not share base cells")
        parts = [cells]
        if self.row_totals:
            parts.append(sp.kron(sp.identity(r), np.ones((1, c))) @ cells)
        if self.col_totals:
            parts.append(sp.kron(np.ones((1, r)), sp.identity(c)) @ cells)
        if self.grand_total:
            parts.append(sp.csr_array(np.ones((1, r * c))) @ cells)
        return sp.csr_array(sp.vstack(parts), dtype=np.int64)


@dataclass(frozen=True)
class GridProtection:
    """How one grid is published: true values and :class:`Status` codes for its cells and the
    margins it publishes (None where a margin is not published)."""

    k: int
    cells: IntArray
    cell_status: npt.NDArray[np.int8]
    row_totals: IntArray | None
    row_status: npt.NDArray[np.int8] | None
    col_totals: IntArray | None
    col_status: npt.NDArray[np.int8] | None
    grand_total: int | None
    grand_status: int | None

    def cell_labels(self) -> npt.NDArray[np.object_]:
        return _labels(self.cells, self.cell_status, self.k)

    def row_labels(self) -> npt.NDArray[np.object_] | None:
        return _maybe_labels(self.row_totals, self.row_status, self.k)

    def col_labels(self) -> npt.NDArray[np.object_] | None:
        return _maybe_labels(self.col_totals, self.col_status, self.k)

    def grand_label(self) -> str | None:
        if self.grand_total is None or self.grand_status is None:
            return None
        return _label(self.grand_total, self.grand_status, self.k)


def _labels(values: IntArray, status: npt.NDArray[np.int8], k: int) -> npt.NDArray[np.object_]:
    out = np.empty(values.shape, dtype=object)
    for idx in np.ndindex(values.shape):
        out[idx] = _label(int(values[idx]), int(status[idx]), k)
    return out


def _maybe_labels(
    values: IntArray | None, status: npt.NDArray[np.int8] | None, k: int
) -> npt.NDArray[np.object_] | None:
    return None if values is None or status is None else _labels(values, status, k)


def protect_tables(
    x: npt.ArrayLike, grids: Sequence[Grid], *, k: int = 10, margin: int = 2
) -> list[GridProtection]:
    """Protect several grids over the same base cells ``x`` jointly: no withheld figure of any
    grid can be recovered from all of them together (their differences included)."""
    counts = _counts(x, "the base-cell counts").ravel()
    blocks = [g.figures() for g in grids]
    if not blocks:
        return []
    result = protect(sp.vstack(blocks, format="csr"), counts, k, margin=margin)
    out, start = [], 0
    for grid, block in zip(grids, blocks, strict=True):
        stop = start + block.shape[0]
        out.append(_split(grid, result.values[start:stop], result.status[start:stop], k))
        start = stop
    return out


def _split(grid: Grid, values: IntArray, status: npt.NDArray[np.int8], k: int) -> GridProtection:
    r, c = grid.shape
    pos = r * c
    parts: dict[str, tuple[IntArray, npt.NDArray[np.int8]] | None] = {}
    for name, flag, size in (
        ("row", grid.row_totals, r),
        ("col", grid.col_totals, c),
        ("grand", grid.grand_total, 1),
    ):
        parts[name] = (values[pos : pos + size], status[pos : pos + size]) if flag else None
        pos += size if flag else 0
    row, col, grand = parts["row"], parts["col"], parts["grand"]
    return GridProtection(
        k=k,
        cells=values[: r * c].reshape(r, c),
        cell_status=status[: r * c].reshape(r, c),
        row_totals=None if row is None else row[0],
        row_status=None if row is None else row[1],
        col_totals=None if col is None else col[0],
        col_status=None if col is None else col[1],
        grand_total=None if grand is None else int(grand[0][0]),
        grand_status=None if grand is None else int(grand[1][0]),
    )


def protect_grid(
    values: npt.ArrayLike,
    *,
    k: int = 10,
    margin: int = 2,
    row_totals: bool = True,
    col_totals: bool = True,
    grand_total: bool = True,
) -> GridProtection:
    """Protect one 2-D table of counts and the margins it publishes."""
    counts = _counts(values, "the table")
    if counts.ndim != 2:
        raise ValueError(f"protect_grid needs a 2-D table, not {counts.ndim}-D")
    grid = Grid(
        sp.identity(counts.size, format="csr"), counts.shape, row_totals, col_totals, grand_total
    )
    return protect_tables(counts.ravel(), [grid], k=k, margin=margin)[0]


def protect_column(
    values: npt.ArrayLike, *, k: int = 10, margin: int = 2, total: bool = True
) -> GridProtection:
    """Protect a single column of counts (one per place) and, when published, its total
    (``grand_total`` of the result; ``cells`` has shape ``(n, 1)``)."""
    counts = _counts(values, "the column").ravel()
    return protect_grid(
        counts[:, None],
        k=k,
        margin=margin,
        row_totals=False,
        col_totals=False,
        grand_total=total,
    )


def protect_windows(
    inner: npt.ArrayLike,
    outer: npt.ArrayLike,
    *,
    columns: npt.ArrayLike | None = None,
    k: int = 10,
    margin: int = 2,
    row_totals: bool = True,
    col_totals: bool = True,
    grand_total: bool = True,
) -> tuple[GridProtection, GridProtection]:
    """Protect the same grouping over two windows, ``inner`` (A) inside ``outer`` (B), jointly.

    Without ``columns`` the grids have the same shape (rows x categories) and B's cells are
    A's plus the rest of the window: the base cells are ``inner`` and ``outer - inner``. With
    ``columns`` (indices into B's columns, e.g. the days of A), A is those columns of B and the
    base cells are B's.
    """
    a = _counts(inner, "the inner window")
    b = _counts(outer, "the outer window")
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError("the windows must be 2-D tables over the same rows")
    flags = (row_totals, col_totals, grand_total)
    if columns is None:
        if a.shape != b.shape or np.any(b < a):
            raise ValueError("the outer window must have the inner one's shape and contain it")
        size = a.size
        eye = sp.identity(size, format="csr")
        grid_a = Grid(sp.hstack([eye, sp.csr_array((size, size))], format="csr"), a.shape, *flags)
        grid_b = Grid(sp.hstack([eye, eye], format="csr"), b.shape, *flags)
        base = np.concatenate([a.ravel(), (b - a).ravel()])
    else:
        cols = np.asarray(columns, dtype=np.int64).ravel()
        if a.shape[1] != cols.size or not np.array_equal(a, b[:, cols]):
            raise ValueError("the inner window must be the given columns of the outer one")
        index = np.arange(b.size).reshape(b.shape)[:, cols].ravel()
        pick = sp.csr_array(
            (np.ones(index.size, dtype=np.int64), (np.arange(index.size), index)),
            shape=(index.size, b.size),
        )
        grid_a = Grid(pick, a.shape, *flags)
        grid_b = Grid(sp.identity(b.size, format="csr"), b.shape, *flags)
        base = b.ravel()
    first, second = protect_tables(base, [grid_a, grid_b], k=k, margin=margin)
    return first, second


# --- Arrow tables ---------------------------------------------------------------------------

FLAG_SUFFIX = "_suppressed"
"""Added after each count column by :func:`suppress_table`: null, ``"<k"`` or the marker."""


def suppress_table(
    table: pa.Table,
    counts: Sequence[str],
    *,
    k: int = 10,
    margin: int = 2,
    total_row: int | None = None,
    row_total: str | None = None,
    derived: Mapping[str, Sequence[str]] | Sequence[str] = (),
) -> pa.Table:
    """The machine-readable publication of a table whose rows are base cells.

    Every count column becomes int64 with null where withheld, followed by a
    ``<count>_suppressed`` column (null when shown, else ``"<k"`` or ``"suppressed"``), so
    JSON gets ``null`` plus a flag, never a fake number. ``total_row`` is the index of a row of
    column totals (checked), ``row_total`` names a count column that is the sum of the others
    in its row (checked); with both, their crossing is the grand total. ``derived`` names
    columns computed from counts (rates, shares, excess, per-100k), which would give a count
    away: each is nulled where a count it depends on is withheld. As a mapping, each derived
    column lists its counts (``"arrests"``: the row's own value; ``"arrests@total"``: the total
    row's, for shares of the total); as a plain list, each depends on every count of its row.
    """
    body, total_idx, parts = _layout(table, counts, total_row, row_total)
    grid = _grid_values(table, body, parts)
    _check_margins(table, grid, body, total_idx, parts, row_total)
    result = protect_grid(
        grid,
        k=k,
        margin=margin,
        row_totals=row_total is not None,
        col_totals=total_idx is not None,
        grand_total=row_total is not None and total_idx is not None,
    )
    status = _status_by_column(result, table.num_rows, body, total_idx, parts, row_total)
    return _assemble(table, counts, status, k, derived, total_idx)


def _layout(
    table: pa.Table, counts: Sequence[str], total_row: int | None, row_total: str | None
) -> tuple[IntArray, int | None, list[str]]:
    missing = [c for c in counts if c not in table.column_names]
    if missing or not counts:
        raise ValueError(f"count columns not in the table: {missing or 'none given'}")
    if row_total is not None and row_total not in counts:
        raise ValueError(f"the row-total column {row_total!r} must be one of the counts")
    taken = [c + FLAG_SUFFIX for c in counts if c + FLAG_SUFFIX in table.column_names]
    if taken:
        raise ValueError(f"the table already has columns named like flags: {taken}")
    total_idx = None
    if total_row is not None:
        if not -table.num_rows <= total_row < table.num_rows:
            raise ValueError(f"total_row {total_row} is outside the table")
        total_idx = total_row % table.num_rows
    body = np.array([i for i in range(table.num_rows) if i != total_idx], dtype=np.int64)
    parts = [c for c in counts if c != row_total]
    return body, total_idx, parts


def _column(table: pa.Table, name: str) -> IntArray:
    col = table.column(name)
    if col.null_count:
        raise ValueError(f"count column {name!r} has nulls")
    return _counts(np.asarray(col.to_numpy()), f"count column {name!r}")


def _grid_values(table: pa.Table, body: IntArray, parts: list[str]) -> IntArray:
    if not parts:
        raise ValueError("there must be a count column besides the row total")
    if not body.size:
        raise ValueError("the table has no rows to publish")
    return np.column_stack([_column(table, c)[body] for c in parts])


def _check_margins(
    table: pa.Table,
    grid: IntArray,
    body: IntArray,
    total_idx: int | None,
    parts: list[str],
    row_total: str | None,
) -> None:
    if row_total is not None:
        given = _column(table, row_total)
        if not np.array_equal(given[body], grid.sum(axis=1)):
            raise ValueError(f"{row_total!r} is not the sum of {parts} in every row")
        if total_idx is not None and given[total_idx] != grid.sum():
            raise ValueError(f"the total row's {row_total!r} is not the grand total")
    if total_idx is not None:
        for j, name in enumerate(parts):
            if _column(table, name)[total_idx] != grid[:, j].sum():
                raise ValueError(f"the total row's {name!r} is not the column's sum")


def _status_by_column(
    result: GridProtection,
    num_rows: int,
    body: IntArray,
    total_idx: int | None,
    parts: list[str],
    row_total: str | None,
) -> dict[str, npt.NDArray[np.int8]]:
    status: dict[str, npt.NDArray[np.int8]] = {}
    for j, name in enumerate(parts):
        col = np.zeros(num_rows, dtype=np.int8)
        col[body] = result.cell_status[:, j]
        if total_idx is not None and result.col_status is not None:
            col[total_idx] = result.col_status[j]
        status[name] = col
    if row_total is not None and result.row_status is not None:
        col = np.zeros(num_rows, dtype=np.int8)
        col[body] = result.row_status
        if total_idx is not None and result.grand_status is not None:
            col[total_idx] = result.grand_status
        status[row_total] = col
    return status


def _assemble(
    table: pa.Table,
    counts: Sequence[str],
    status: dict[str, npt.NDArray[np.int8]],
    k: int,
    derived: Mapping[str, Sequence[str]] | Sequence[str],
    total_idx: int | None,
) -> pa.Table:
    flags = {
        name: pa.array(
            [None if s == Status.SHOWN else _label(0, int(s), k) for s in col], type=pa.string()
        )
        for name, col in status.items()
    }
    blank = _derived_blanks(table, counts, status, derived, total_idx)
    names: list[str] = []
    arrays: list[Any] = []
    for name in table.column_names:
        if name in status:
            values = _column(table, name)
            hidden = status[name] != Status.SHOWN
            names += [name, name + FLAG_SUFFIX]
            arrays += [pa.array(values, type=pa.int64(), mask=hidden), flags[name]]
        elif name in blank:
            col = table.column(name)
            none = pa.scalar(None, type=col.type)
            arrays.append(pc.if_else(pa.array(blank[name]), none, col))
            names.append(name)
        else:
            names.append(name)
            arrays.append(table.column(name))
    return pa.Table.from_arrays(arrays, names=names)


def _derived_blanks(
    table: pa.Table,
    counts: Sequence[str],
    status: dict[str, npt.NDArray[np.int8]],
    derived: Mapping[str, Sequence[str]] | Sequence[str],
    total_idx: int | None,
) -> dict[str, BoolArray]:
    spec = (
        {str(d): list(deps) for d, deps in derived.items()}
        if isinstance(derived, Mapping)
        else {str(d): list(counts) for d in derived}
    )
    out: dict[str, BoolArray] = {}
    for name, deps in spec.items():
        if name not in table.column_names or name in counts:
            raise ValueError(f"derived column {name!r} is not a non-count column of the table")
        hidden = np.zeros(table.num_rows, dtype=bool)
        for dep in deps:
            base, _, where = dep.partition("@")
            if base not in status or where not in ("", "total"):
                raise ValueError(f"derived column {name!r} depends on unknown count {dep!r}")
            withheld = status[base] != Status.SHOWN
            if where == "total":
                if total_idx is None:
                    raise ValueError(f"{dep!r} needs a total row")
                hidden |= bool(withheld[total_idx])
            else:
                hidden |= withheld
        out[name] = hidden
    return out


def format_suppressed(table: pa.Table, counts: Sequence[str]) -> pa.Table:
    """The printable form of a :func:`suppress_table` result: each count column becomes
    strings (the value, ``"<k"`` or ``"suppressed"``) and the flag columns go."""
    names: list[str] = []
    arrays: list[Any] = []
    for name in table.column_names:
        if name.endswith(FLAG_SUFFIX) and name[: -len(FLAG_SUFFIX)] in counts:
            continue
        col = table.column(name)
        if name in counts:
            if name + FLAG_SUFFIX not in table.column_names:
                raise ValueError(f"{name!r} has no {name + FLAG_SUFFIX!r}: not suppress_table's")
            flag = table.column(name + FLAG_SUFFIX).to_pylist()
            vals = col.to_pylist()
            col = pa.array(
                [f if f is not None else str(v) for v, f in zip(vals, flag, strict=True)],
                type=pa.string(),
            )
        names.append(name)
        arrays.append(col)
    return pa.Table.from_arrays(arrays, names=names)
