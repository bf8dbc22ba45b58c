"""Small-cell suppression: table-driven cases, then properties checked against oracles written
here (brute-force enumeration of every table a reader could believe, and an integer program
over the raw figures), never only against the module's own audit.

The reader the oracles model is the module's: ``x >= 0`` integer, shown figures exact, ``"<k"``
in 1..k-1, and a ``"suppressed"`` figure at least ``k`` (at least 1 when it is a small count
whose ``"<k"`` had to be dropped). A figure is protected when its possible values span
``min(2, k-2)`` for a small count (at least 1 once escalated) and 1 for a complement.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pyarrow as pa
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from icefacts.publish import (
    SUPPRESSED_MARKER,
    Grid,
    Status,
    audit,
    format_suppressed,
    primary_marker,
    protect,
    protect_column,
    protect_grid,
    protect_tables,
    protect_windows,
    suppress_table,
)

SHOWN, PRIMARY, SUPPRESSED = Status.SHOWN, Status.PRIMARY, Status.SUPPRESSED
MARGIN = 2
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- oracles --------------------------------------------------------------------------------


def grid_figures(r: int, c: int, rows: bool, cols: bool, grand: bool):
    """(key, base-cell indices) of a grid over base cells ``i*c + j``."""
    out = [(("cell", i, j), [i * c + j]) for i in range(r) for j in range(c)]
    if rows:
        out += [(("row", i), [i * c + j for j in range(c)]) for i in range(r)]
    if cols:
        out += [(("col", j), [i * c + j for i in range(r)]) for j in range(c)]
    if grand:
        out += [(("grand",), list(range(r * c)))]
    return out


def statuses(result, r: int, c: int) -> dict:
    """The status of every published figure of a GridProtection, by key."""
    out = {("cell", i, j): int(result.cell_status[i, j]) for i in range(r) for j in range(c)}
    if result.row_status is not None:
        out |= {("row", i): int(s) for i, s in enumerate(result.row_status)}
    if result.col_status is not None:
        out |= {("col", j): int(s) for j, s in enumerate(result.col_status)}
    if result.grand_status is not None:
        out[("grand",)] = int(result.grand_status)
    return out


def knowledge(value: int, status: int, k: int) -> tuple[float, float]:
    """What the reader knows of one figure: its bounds."""
    if status == SHOWN:
        return value, value
    if status == PRIMARY:
        return 1, k - 1
    return (k if value >= k else 1), math.inf


def required(value: int, status: int, k: int) -> int:
    small = min(MARGIN, k - 2)
    if status == PRIMARY:
        return small
    return 1 if value >= k else max(1, small)


def milp_ranges(figures, x, status_of, k):
    """For every withheld figure, (min, max) over the reader's integer tables: an integer
    program over the raw figures (no substitution, no blocks, no witnesses)."""
    x = np.asarray(x, dtype=np.int64)
    n = x.size
    a = np.zeros((len(figures), n))
    for i, (_, idx) in enumerate(figures):
        a[i, idx] = 1
    true = a @ x
    bounds = [knowledge(int(true[i]), status_of[key], k) for i, (key, _) in enumerate(figures)]
    lo = np.array([b[0] for b in bounds], dtype=float)
    hi = np.array([b[1] for b in bounds], dtype=float)
    cap = 4.0 * (x.sum() + k) + 10
    out = {}
    for i, (key, _) in enumerate(figures):
        if status_of[key] == SHOWN:
            continue
        ends = []
        for sign in (1.0, -1.0):
            res = milp(
                c=sign * a[i],
                integrality=np.ones(n),
                bounds=Bounds(0, cap),
                constraints=[LinearConstraint(a, lo, hi)],
            )
            assert res.status == 0, (key, res.message)
            ends.append(sign * res.fun)
        out[key] = (round(ends[0]), round(ends[1]))
    return out


def brute_force_ranges(cells, status_of, k, limit=400_000):
    """Every integer table a reader could believe of a small grid, by enumeration: for each
    withheld figure the set of values it takes. None when the enumeration would be too big.

    A withheld cell is tried up to its true value + k + 3; leaving out larger values can only
    hide tables, so a spread found here is real."""
    cells = np.asarray(cells, dtype=np.int64)
    r, c = cells.shape

    def fits(value, key):
        if key not in status_of:  # not published
            return np.ones(np.shape(value), dtype=bool)
        lo, hi = bounds[key]
        return (value >= lo) & (value <= hi)

    truth = grid_truth(cells)
    bounds = {key: knowledge(truth[key], s, k) for key, s in status_of.items()}

    def domain(i, j):
        key = ("cell", i, j)
        lo, hi = bounds[key]
        top = hi if math.isfinite(hi) else truth[key] + k + 3
        return range(int(lo), int(top) + 1)

    tables = None
    for i in range(r):
        row = np.array(list(itertools.product(*(domain(i, j) for j in range(c)))))
        row = row[fits(row.sum(axis=1), ("row", i))]
        if tables is None:
            tables = row[:, None, :]
        else:
            if len(tables) * len(row) > limit:
                return None
            tables = np.concatenate(
                [np.repeat(tables, len(row), axis=0), np.tile(row, (len(tables), 1))[:, None, :]],
                axis=1,
            )
            partial = tables.sum(axis=1)
            keep = np.ones(len(tables), dtype=bool)
            for j in range(c):
                key = ("col", j)
                if key in status_of:
                    keep &= partial[:, j] <= bounds[key][1]
            tables = tables[keep]
    assert tables is not None
    ok = np.ones(len(tables), dtype=bool)
    for j in range(c):
        ok &= fits(tables[:, :, j].sum(axis=1), ("col", j))
    ok &= fits(tables.sum(axis=(1, 2)), ("grand",))
    tables = tables[ok]
    assert np.any(np.all(tables == cells, axis=(1, 2))), "the true table must be believable"
    values = {}
    for key, s in status_of.items():
        if s == SHOWN:
            continue
        if key[0] == "cell":
            v = tables[:, key[1], key[2]]
        elif key[0] == "row":
            v = tables[:, key[1], :].sum(axis=1)
        elif key[0] == "col":
            v = tables[:, :, key[1]].sum(axis=1)
        else:
            v = tables.sum(axis=(1, 2))
        values[key] = set(np.unique(v).tolist())
    return values


def assert_safe(ranges, truth, status_of, k):
    for key, (low, high) in ranges.items():
        need = required(truth[key], status_of[key], k)
        assert high - low >= need, f"{key} can only be {low}..{high} (needs {need})"


def grid_truth(cells):
    cells = np.asarray(cells)
    r, c = cells.shape
    truth = {("cell", i, j): int(cells[i, j]) for i in range(r) for j in range(c)}
    truth |= {("row", i): int(cells[i].sum()) for i in range(r)}
    truth |= {("col", j): int(cells[:, j].sum()) for j in range(c)}
    truth[("grand",)] = int(cells.sum())
    return truth


def check_grid_with_milp(cells, result, k, margins):
    r, c = np.shape(cells)
    figures = grid_figures(r, c, *margins)
    status_of = statuses(result, r, c)
    ranges = milp_ranges(figures, np.ravel(cells), status_of, k)
    assert_safe(ranges, grid_truth(cells), status_of, k)


# --- table-driven cases ---------------------------------------------------------------------


def labels_of(result):
    return result.cell_labels().tolist(), (
        None if result.row_labels() is None else result.row_labels().tolist()
    )


def test_one_small_cell_in_a_row_with_a_total_gets_a_complement() -> None:
    result = protect_grid(np.array([[3, 50, 60]]), col_totals=False, grand_total=False)
    cells, rows = labels_of(result)
    assert cells == [["<10", SUPPRESSED_MARKER, "60"]]  # the smallest other cell
    assert rows == ["113"]
    check_grid_with_milp([[3, 50, 60]], result, 10, (True, False, False))


def test_two_small_cells_forced_to_one_get_more_suppression() -> None:
    # shown alone, 52 - 50 = 2 split over two cells of at least 1: both are exactly 1
    result = protect_grid(np.array([[1, 1, 50]]), col_totals=False, grand_total=False)
    cells, _ = labels_of(result)
    assert cells[0][:2] == ["<10", "<10"]
    assert SUPPRESSED_MARKER in cells[0] + result.row_labels().tolist()
    check_grid_with_milp([[1, 1, 50]], result, 10, (True, False, False))


def test_small_values_that_the_markers_alone_pin_drop_the_total_marker() -> None:
    # nine days of 1 arrest and a total of 9 ("<10"): each day would be exactly 1
    result = protect_column(np.array([1] * 9 + [0] * 3))
    assert result.cell_labels().ravel().tolist() == ["<10"] * 9 + ["0"] * 3
    assert result.grand_label() == SUPPRESSED_MARKER
    # k=3: 1 + 1 = 2 ("<3") pins both cells the same way
    result = protect_grid(np.array([[1, 1]]), k=3, col_totals=False, grand_total=False)
    assert result.cell_labels().tolist() == [["<3", "<3"]]
    assert result.row_labels().tolist() == [SUPPRESSED_MARKER]


def test_a_column_with_a_total() -> None:
    result = protect_column(np.array([3, 40, 500, 0]))
    assert result.cell_labels().ravel().tolist() == ["<10", SUPPRESSED_MARKER, "500", "0"]
    assert result.grand_label() == "543"


def test_a_complement_of_exactly_k_is_not_enough() -> None:
    # withholding the 10 alone: a reader who knows the rule knows it is >= 10, so the
    # small cell is 1 or 2 (12 - 10)
    exposed = audit([[0], [1], [2], [0, 1, 2]], [0, 0, 200, 212], [0, 0, 1, 1], [1, 0, 0, 0])
    assert [(e.figure, e.low, e.high) for e in exposed] == [(0, 1, 2.0)]
    result = protect_column(np.array([2, 10, 200]))
    labels = result.cell_labels().ravel().tolist()
    assert labels[0] == "<10"  # the 10 cannot go lower: the 200 (or the total) must go
    assert labels[2] == SUPPRESSED_MARKER or result.grand_label() == SUPPRESSED_MARKER
    # with 3 instead of 2 the cell can be 1, 2 or 3: enough
    result = protect_column(np.array([3, 10, 200]))
    assert result.cell_labels().ravel().tolist() == ["<10", SUPPRESSED_MARKER, "200"]


def test_a_2x2_with_margins_needs_a_rectangle() -> None:
    result = protect_grid(np.array([[3, 10], [20, 30]]))
    assert result.cell_labels().tolist() == [
        ["<10", SUPPRESSED_MARKER],
        [SUPPRESSED_MARKER, SUPPRESSED_MARKER],
    ]
    assert result.row_labels().tolist() == ["13", "50"]
    assert result.grand_label() == "63"


def test_an_all_small_table() -> None:
    cells = np.array([[1, 2], [3, 4]])
    result = protect_grid(cells)
    assert set(result.cell_labels().ravel()) == {"<10"}
    assert result.row_labels().tolist() == ["<10", "<10"]
    assert result.grand_label() == "10"
    check_grid_with_milp(cells, result, 10, (True, True, True))


def test_zeros_are_shown() -> None:
    cells = np.array([[0, 0, 40], [0, 25, 30]])
    result = protect_grid(cells)
    assert result.cell_labels().tolist() == [["0", "0", "40"], ["0", "25", "30"]]
    cells = np.array([[0, 4, 40], [0, 25, 30]])
    result = protect_grid(cells)
    assert result.cell_labels()[:, 0].tolist() == ["0", "0"]
    check_grid_with_milp(cells, result, 10, (True, True, True))


def test_k_is_configurable() -> None:
    result = protect_grid(np.array([[3, 7, 40], [6, 50, 8]]), k=5)
    labels = result.cell_labels()
    assert labels[0, 0] == "<5"
    assert labels[0, 1] in ("7", SUPPRESSED_MARKER)  # 7 is not small when k=5
    assert "<5" not in labels[1].tolist()
    assert protect_grid(np.array([[3, 7, 40], [6, 50, 8]])).cell_labels()[0, 1] == "<10"
    check_grid_with_milp([[3, 7, 40], [6, 50, 8]], result, 5, (True, True, True))


def test_k_2_hides_ones_and_nothing_else() -> None:
    # "<2" itself says "exactly 1": there is nothing more for a complement to protect
    result = protect_grid(np.array([[1, 5], [2, 0]]), k=2)
    assert result.cell_labels().tolist() == [["<2", "5"], ["2", "0"]]
    assert result.row_labels().tolist() == ["6", "2"]
    assert primary_marker(2) == "<2"


def test_general_figures_two_groupings_of_the_same_cells() -> None:
    # counties 0-3, AOR A = {0, 1}, AOR B = {2, 3}, and the national total
    x = np.array([4, 30, 25, 40])
    figures = [[0], [1], [2], [3], [0, 1], [2, 3], [0, 1, 2, 3]]
    result = protect(figures, x)
    assert result.labels()[0] == "<10"
    assert not result.audit()
    assert result.published()[0] is None
    keyed = [((i,), idx) for i, idx in enumerate(figures)]
    status_of = {(i,): int(s) for i, s in enumerate(result.status)}
    truth = {(i,): int(v) for i, v in enumerate(result.values)}
    assert_safe(milp_ranges(keyed, x, status_of, 10), truth, status_of, 10)


def general_case_is_safe(a, x, k: int) -> None:
    """protect() on a raw 0-1 matrix, checked by the integer-program oracle."""
    a = np.asarray(a)
    result = protect(a, x, k)
    figures = [((i,), list(np.flatnonzero(row))) for i, row in enumerate(a)]
    status_of = {(i,): int(s) for i, s in enumerate(result.status)}
    truth = {(i,): int(v) for i, v in enumerate(result.values)}
    assert_safe(milp_ranges(figures, x, status_of, k), truth, status_of, k)
    for key, value in truth.items():
        assert status_of[key] != SHOWN if 1 <= value < k else True


def test_where_the_lp_and_the_integers_disagree() -> None:
    # found by random search: the attacker LP finds a fractional way out that no integer
    # table takes, so the integer audit sends the greedy fallback in
    a = [
        [1, 1, 0, 0, 1, 0],
        [1, 0, 1, 0, 0, 0],
        [1, 1, 0, 0, 1, 1],
        [1, 0, 1, 1, 1, 0],
        [1, 0, 0, 1, 0, 1],
        [0, 1, 1, 0, 1, 1],
        [0, 1, 1, 0, 0, 1],
        [1, 0, 1, 0, 0, 0],
    ]
    general_case_is_safe(a, [1, 0, 40, 0, 0, 0], 3)


def test_audit_finds_what_primary_suppression_alone_leaves() -> None:
    figures = [[0], [1], [0, 1]]
    exposed = audit(figures, [0, 50, 53], [False, True, True], [True, False, False])
    assert [(e.figure, e.low, e.high) for e in exposed] == [(0, 3, 3.0)]
    assert "figure 0" in str(exposed[0])
    assert not audit(figures, [0, 0, 53], [False, False, True], [True, False, False])


def test_audit_rejects_what_no_table_fits() -> None:
    with pytest.raises(ValueError, match="inconsistent"):
        audit([[0], [1], [0, 1]], [5, 50, 40], [True, True, True], [False, False, False])


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="whole numbers"):
        protect([[0]], [1.5])
    with pytest.raises(ValueError, match="nonnegative"):
        protect([[0]], [-1])
    with pytest.raises(ValueError, match="0-1"):
        protect(np.array([[2]]), [1])
    with pytest.raises(ValueError, match="k must be"):
        protect([[0]], [1], k=1)


def test_an_oracle_can_fail() -> None:
    # the oracles must see the exposure of primary suppression alone
    cells = np.array([[3, 50]])
    status_of = {("cell", 0, 0): PRIMARY, ("cell", 0, 1): SHOWN, ("row", 0): SHOWN}
    ranges = brute_force_ranges(cells, status_of, 10)
    assert ranges == {("cell", 0, 0): {3}}
    figures = grid_figures(1, 2, True, False, False)
    assert milp_ranges(figures, [3, 50], status_of, 10) == {("cell", 0, 0): (3, 3)}


def test_windows_protected_apart_leak_through_their_difference() -> None:
    # A = days 1-2, B = days 1-3 of one county: B alone would hide the 20, A alone the 50,
    # and B's 50 then gives A's small cell away (53 - 50)
    inner, outer = np.array([[3, 50]]), np.array([[3, 50, 20]])
    apart_a = protect_grid(inner, col_totals=False, grand_total=False)
    apart_b = protect_grid(outer, col_totals=False, grand_total=False)
    assert apart_b.cell_labels().tolist() == [["<10", "50", SUPPRESSED_MARKER]]
    figures = grid_figures(1, 2, True, False, False)
    b_figs = [(("B", *key), idx) for key, idx in grid_figures(1, 3, True, False, False)]
    status_of = statuses(apart_a, 1, 2) | {("B", *k): s for k, s in statuses(apart_b, 1, 3).items()}
    ranges = milp_ranges(figures + b_figs, outer.ravel(), status_of, 10)
    assert ranges[("cell", 0, 0)] == (3, 3)
    joint_a, joint_b = protect_windows(
        inner, outer, columns=[0, 1], col_totals=False, grand_total=False
    )
    status_of = statuses(joint_a, 1, 2) | {("B", *k): s for k, s in statuses(joint_b, 1, 3).items()}
    ranges = milp_ranges(figures + b_figs, outer.ravel(), status_of, 10)
    truth = {key: int(outer.ravel()[idx].sum()) for key, idx in figures + b_figs}
    assert_safe(ranges, truth, status_of, 10)


# --- properties -----------------------------------------------------------------------------


def cell_values(k_max: int = 60):
    return st.one_of(
        st.just(0),
        st.integers(1, 4),
        st.integers(1, 9),
        st.integers(10, 14),
        st.integers(10, k_max),
    )


@st.composite
def grids(draw, max_side: int = 6, values=None):
    r = draw(st.integers(1, max_side))
    c = draw(st.integers(1, max_side))
    values = cell_values() if values is None else values
    cells = np.array(draw(st.lists(values, min_size=r * c, max_size=r * c)))
    margins = (draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))
    return cells.reshape(r, c), margins


@FAST
@given(grids(max_side=3, values=st.integers(0, 12)), st.sampled_from([3, 5, 10]))
def test_tiny_grids_against_brute_force(case, k: int) -> None:
    cells, margins = case
    result = protect_grid(
        cells, k=k, row_totals=margins[0], col_totals=margins[1], grand_total=margins[2]
    )
    r, c = cells.shape
    status_of = statuses(result, r, c)
    values = brute_force_ranges(cells, status_of, k)
    truth = grid_truth(cells)
    if values is None:  # too many tables to list: the integer program instead
        check_grid_with_milp(cells, result, k, margins)
        return
    for key, seen in values.items():
        need = required(truth[key], status_of[key], k)
        if need:
            assert len(seen) >= 2, f"{key} is always {seen}"
        assert max(seen) - min(seen) >= need, f"{key} can only be {sorted(seen)}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(max_side=6), st.sampled_from([5, 10]))
def test_grids_against_an_integer_program(case, k: int) -> None:
    cells, margins = case
    result = protect_grid(
        cells, k=k, row_totals=margins[0], col_totals=margins[1], grand_total=margins[2]
    )
    check_grid_with_milp(cells, result, k, margins)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(max_side=8), st.sampled_from([2, 5, 10]))
def test_shown_figures_are_true_and_small_ones_hidden(case, k: int) -> None:
    cells, margins = case
    result = protect_grid(
        cells, k=k, row_totals=margins[0], col_totals=margins[1], grand_total=margins[2]
    )
    r, c = cells.shape
    truth = grid_truth(cells)
    labels = {("cell", i, j): result.cell_labels()[i, j] for i in range(r) for j in range(c)}
    for name, values in (("row", result.row_labels()), ("col", result.col_labels())):
        if values is not None:
            labels |= {(name, i): lab for i, lab in enumerate(values)}
    if result.grand_label() is not None:
        labels[("grand",)] = result.grand_label()
    for key, label in labels.items():
        value = truth[key]
        if 1 <= value < k:
            assert label in (primary_marker(k), SUPPRESSED_MARKER), (key, label)
        elif value == 0:
            assert label == "0"
        else:
            assert label in (str(value), SUPPRESSED_MARKER), (key, label)
    again = protect_grid(
        cells, k=k, row_totals=margins[0], col_totals=margins[1], grand_total=margins[2]
    )
    assert np.array_equal(again.cell_status, result.cell_status)
    assert statuses(again, r, c) == statuses(result, r, c)


@st.composite
def matrices(draw):
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 9))
    rows = draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=m, max_size=m))
    x = draw(st.lists(st.sampled_from([0, 1, 2, 3, 5, 8, 10, 12, 20, 40]), min_size=n, max_size=n))
    return np.array(rows, dtype=np.int64), np.array(x)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrices(), st.sampled_from([3, 5, 10]))
def test_any_figures_against_an_integer_program(case, k: int) -> None:
    a, x = case
    general_case_is_safe(a, x, k)


@st.composite
def windows(draw, max_rows: int = 4, max_cols: int = 3):
    r = draw(st.integers(1, max_rows))
    c = draw(st.integers(1, max_cols))
    inner = np.array(draw(st.lists(cell_values(), min_size=r * c, max_size=r * c)))
    extra = np.array(draw(st.lists(cell_values(20), min_size=r * c, max_size=r * c)))
    margins = (draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))
    return inner.reshape(r, c), inner.reshape(r, c) + extra.reshape(r, c), margins


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(windows(max_rows=3))
def test_two_windows_protected_jointly(case) -> None:
    inner, outer, margins = case
    result_a, result_b = protect_windows(
        inner, outer, row_totals=margins[0], col_totals=margins[1], grand_total=margins[2]
    )
    r, c = inner.shape
    # base cells: window A's cells, then the rest of window B; B's cells are the sums
    fig_a = grid_figures(r, c, *margins)
    fig_b = [
        (("B", *key), idx + [i + r * c for i in idx]) for key, idx in grid_figures(r, c, *margins)
    ]
    status_of = statuses(result_a, r, c) | {
        ("B", *key): s for key, s in statuses(result_b, r, c).items()
    }
    x = np.concatenate([inner.ravel(), (outer - inner).ravel()])
    truth = {key: int(x[idx].sum()) for key, idx in fig_a + fig_b}
    ranges = milp_ranges(fig_a + fig_b, x, status_of, 10)
    assert_safe(ranges, truth, status_of, 10)
    for key, value in truth.items():  # small counts hidden, zeros shown, in both windows
        assert (status_of[key] != SHOWN) if 1 <= value < 10 else True, key
        assert (status_of[key] == SHOWN) if value == 0 else True, key


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(windows(max_rows=3, max_cols=2))
def test_days_windows_share_their_cells(case) -> None:
    inner, outer, _ = case
    days = np.hstack([inner, outer - inner])  # B's days: A's days, then the later ones
    cols = np.arange(inner.shape[1])
    result_a, result_b = protect_windows(inner, days, columns=cols)
    # the same day is the same figure: it is published the same way in both
    assert np.array_equal(result_a.cell_status, result_b.cell_status[:, cols])
    r, cb = days.shape
    fig_b = grid_figures(r, cb, True, True, True)
    ca = len(cols)  # A's cell (i, j) is B's cell (i, j): map A's cell indices onto B's
    fig_a = [
        (("A", *key), [(q // ca) * cb + q % ca for q in idx])
        for key, idx in grid_figures(r, ca, True, True, True)
    ]
    status_of = statuses(result_b, r, cb) | {
        ("A", *key): s for key, s in statuses(result_a, r, ca).items()
    }
    x = days.ravel()
    truth = {key: int(x[idx].sum()) for key, idx in fig_a + fig_b}
    assert_safe(milp_ranges(fig_a + fig_b, x, status_of, 10), truth, status_of, 10)


def test_protect_tables_takes_any_grids_over_shared_cells() -> None:
    # two groupings of 4 counties: 2 AORs x 2 months, and the same counties by month only
    x = np.array([3, 40, 12, 60, 25, 30, 5, 70])  # (county, month) row-major, 4 x 2
    by_county = Grid(sp.identity(8, format="csr"), (4, 2))
    aor = sp.csr_array(np.kron(np.array([[1, 1, 0, 0], [0, 0, 1, 1]]), np.eye(2)))
    by_aor = Grid(aor, (2, 2))
    first, second = protect_tables(x, [by_county, by_aor])
    assert first.cells.tolist() == x.reshape(4, 2).tolist()
    assert second.cells.tolist() == [[15, 100], [30, 100]]
    figures = [((0, *key), idx) for key, idx in grid_figures(4, 2, True, True, True)]
    figures += [
        ((1, *key), [int(j) for j in np.flatnonzero(aor.toarray()[idx].sum(axis=0))])
        for key, idx in grid_figures(2, 2, True, True, True)
    ]
    status_of = {(0, *k): s for k, s in statuses(first, 4, 2).items()}
    status_of |= {(1, *k): s for k, s in statuses(second, 2, 2).items()}
    truth = {key: int(x[idx].sum()) for key, idx in figures}
    assert_safe(milp_ranges(figures, x, status_of, 10), truth, status_of, 10)


# --- Arrow tables ---------------------------------------------------------------------------


def county_table() -> pa.Table:
    return pa.table(
        {
            "county": ["Adams", "Brown", "Clark", "Total"],
            "arrests": [3, 40, 500, 543],
            "removals": [20, 0, 7, 27],
            "per_100k": [1.5, 20.0, 250.0, 50.0],
            "share": [3 / 543, 40 / 543, 500 / 543, 1.0],
        }
    )


def test_suppress_table_gives_nulls_and_flags() -> None:
    out = suppress_table(
        county_table(),
        ["arrests", "removals"],
        total_row=-1,
        derived={"per_100k": ["arrests"], "share": ["arrests", "arrests@total"]},
    )
    assert out.column_names == [
        "county",
        "arrests",
        "arrests_suppressed",
        "removals",
        "removals_suppressed",
        "per_100k",
        "share",
    ]
    assert out.column("arrests").type == pa.int64()
    assert out.column("arrests").to_pylist() == [None, None, 500, 543]
    assert out.column("arrests_suppressed").to_pylist() == ["<10", SUPPRESSED_MARKER, None, None]
    assert out.column("removals").to_pylist() == [None, 0, None, 27]
    assert out.column("removals_suppressed").to_pylist()[0] == SUPPRESSED_MARKER
    assert out.column("per_100k").to_pylist() == [None, None, 250.0, 50.0]
    assert out.column("share").to_pylist()[:2] == [None, None]
    printed = format_suppressed(out, ["arrests", "removals"])
    assert printed.column_names == ["county", "arrests", "removals", "per_100k", "share"]
    assert printed.column("arrests").to_pylist() == ["<10", SUPPRESSED_MARKER, "500", "543"]
    assert printed.column("removals").to_pylist()[1:3] == ["0", "<10"]


def test_suppress_table_with_a_row_total_and_plain_derived_columns() -> None:
    table = pa.table(
        {
            "aor": ["NYC", "ATL", "All"],
            "jan": [4, 30, 34],
            "feb": [50, 60, 110],
            "total": [54, 90, 144],
            "rate": [0.1, 0.2, 0.3],
        }
    )
    out = suppress_table(
        table, ["jan", "feb", "total"], total_row=2, row_total="total", derived=["rate"]
    )
    hidden = {
        name: [v is not None for v in out.column(name + "_suppressed").to_pylist()]
        for name in ("jan", "feb", "total")
    }
    assert hidden["jan"][0]
    rows_hidden = [any(hidden[n][i] for n in hidden) for i in range(3)]
    assert [v is None for v in out.column("rate").to_pylist()] == rows_hidden


def test_suppress_table_checks_its_totals() -> None:
    table = county_table()
    with pytest.raises(ValueError, match="column's sum"):
        suppress_table(
            table.set_column(1, "arrests", pa.array([3, 40, 500, 544])), ["arrests"], total_row=-1
        )
    with pytest.raises(ValueError, match="not in the table"):
        suppress_table(table, ["nope"])
    with pytest.raises(ValueError, match="unknown count"):
        suppress_table(table, ["arrests"], total_row=-1, derived={"share": ["removals"]})
