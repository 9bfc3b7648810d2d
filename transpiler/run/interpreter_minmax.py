"""tl.maximum / tl.minimum of floats in Triton's CPU interpreter as compiled for a GPU: of two
zeros, +0.0 is the larger (the interpreter's numpy gave whichever came second)."""

from __future__ import annotations

import numpy as np

# A GPU compiles tl.maximum / tl.minimum of floats to LLVM's maximum / minimum (IEEE 754-2019:
# -0.0 < +0.0), whatever the operands' order; numpy's maximum of equal values returns the second,
# so `torch.maximum(x, y)` of 0.0 and -0.0 was -0.0 in the interpreter and +0.0 on an H100.
_installed = False


def _ordered(pick_negative: bool):
    """numpy's maximum (or minimum) with zeros ordered by sign, NaN kept as numpy keeps it."""
    plain = np.minimum if pick_negative else np.maximum

    def extreme(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        result = plain(a, b)
        if not np.issubdtype(result.dtype, np.floating):
            return result
        negative_first = np.signbit(a) if pick_negative else ~np.signbit(a)
        return np.where(a == b, np.where(negative_first, a, b), result)

    return extreme


def install() -> None:
    """Make the interpreter's float maximum / minimum order zeros as a GPU does (once)."""
    global _installed
    if _installed:
        return
    from triton.runtime import interpreter  # only a process that interprets needs it

    builder = interpreter.InterpreterBuilder
    for name, negative in (("maximumf", False), ("maxnumf", False)) + (
        ("minimumf", True),
        ("minnumf", True),
    ):
        op = _ordered(negative)
        setattr(
            builder, f"create_{name}", lambda self, lhs, rhs, op=op: self.binary_op(lhs, rhs, op)
        )
    _installed = True
