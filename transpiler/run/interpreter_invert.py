"""`~x` of unsigned integers in Triton's CPU interpreter (Triton 3.6's crashed): all ones made
as the type's largest value, not -1."""

from __future__ import annotations

from typing import Any

import numpy as np

# Triton lowers `~x` (tl's invert) to `x ^ all_ones`; the interpreter makes all ones as
# np.full(1, -1, dtype) and numpy refuses -1 for an unsigned dtype (OverflowError: `~x[tile]`
# of a uint8 tensor, and torch.bitwise_not of one, crashed). A GPU's all ones is the same bits.
_installed = False


def install() -> None:
    """Make the interpreter's all-ones value of an unsigned integer type its largest (once)."""
    global _installed
    if _installed:
        return
    from triton.runtime import interpreter  # only a process that interprets needs it

    original = interpreter.InterpreterBuilder.get_all_ones_value

    def get_all_ones_value(self: Any, type: Any) -> Any:
        storage = interpreter._get_np_dtype(type)
        if np.issubdtype(storage, np.unsignedinteger):
            data = np.full(1, np.iinfo(storage).max, dtype=storage)
            return interpreter.TensorHandle(data, type.scalar)
        return original(self, type)

    interpreter.InterpreterBuilder.get_all_ones_value = get_all_ones_value
    _installed = True
