"""The roofline figure for `--roofline`: waits for `transpiler.perf` (the roofline issue)."""

from __future__ import annotations

import importlib.util

MISSING = "roofline needs transpiler.perf (not available yet)"


def roofline_notice() -> str:
    """One line about the roofline plot; the figure itself comes with transpiler.perf."""
    if importlib.util.find_spec("transpiler.perf") is None:
        return MISSING
    return (
        "roofline: not drawn by the magic yet; "
        "use transpiler.perf.plot.plot_roofline with transpiler.perf.cost.kernel_cost"
    )
