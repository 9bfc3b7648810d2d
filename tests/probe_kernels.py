"""The module source an evaluator-style probe writes around one kernel `k` (round 9 on): the
imports Helion users write, then the decorated kernel of a signature and an indented body."""

from __future__ import annotations

HEADER = """
import math
import torch
import helion
import helion.language as hl
"""


def kernel(signature: str, body: str, decorator: str = "@helion.kernel()") -> str:
    """Module source of kernel `k(signature)` whose body (indented four spaces) is `body`."""
    return HEADER + f"\n{decorator}\ndef k({signature}):\n{body}"


def one_loop(expression: str, out: str = "torch.empty_like(x)") -> str:
    """A body storing `expression` (of `x[tile]`, `y[tile]`, `tile`) over x's first dimension
    into `out`."""
    return (
        f"    out = {out}\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        out[tile] = {expression}\n"
        "    return out\n"
    )
