"""The roofline figure for `--roofline`: waits for `transpiler.perf` (the roofline issue)."""

from __future__ import annotations

import importlib.util

MISSING = "roofline needs transpiler.perf (not available yet)"


def roofline_notice() -> str:
    """One line about the roofline plot; the figure itself comes with transpiler.perf."""
    if importlib.util.find_spec("transpiler.perf") is None:
        return MISSING
    return "roofline: transpiler.perf is present, but this magic does not draw it yet"
