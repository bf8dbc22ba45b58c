"""How a claim's numbers are written, the same in verdict reasons and in every renderer."""

from __future__ import annotations


def number(x: float | None) -> str:
    """``1,073``, ``494.2``, ``0.637``; nothing for None; beyond a float's exact integers,
    six significant digits (never a long run of digits the float does not hold)."""
    if x is None:
        return ""
    if abs(x) >= 1e15:
        return f"{x:.6g}"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:.3g}" if abs(x) < 10 else f"{x:,.1f}"
