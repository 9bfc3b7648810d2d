"""Float atomics in Triton's CPU interpreter as compiled for a GPU: `tl.atomic_xchg` of floats
(Triton 3.6's interpreter refused them) and the old value `tl.atomic_min` of float64 returns
(the interpreter's select of its two integer words converted them to floats)."""

from __future__ import annotations

from typing import Any

import numpy as np

# The interpreter's atomic_rmw exchanges integers only ("Unsupported data type" for float32 and
# float64, an InterpreterError far from the user's line); a GPU exchanges the bits of any 32- or
# 64-bit word, so `hl.atomic_xchg(buf, [tile], x[tile])` of a float tensor ran on an H100 alone.
_BITS = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}

# Triton's float atomic_min picks the old value of its signed-min and unsigned-max words with a
# select; numpy's `where` of an int64 and a uint64 array converts both to float64 values, so the
# old float64 value came back as its bits' integer (-4.0 as 1.38e19). A GPU selects bits.
_installed = False


def _select(self: Any, cond: Any, lhs: Any, rhs: Any, original: Any) -> Any:
    """The select, with two integer words of one width and two signednesses taken as bits."""
    left, right = lhs.data, rhs.data
    same_width = left.dtype.itemsize == right.dtype.itemsize and left.dtype != right.dtype
    if same_width and left.dtype.kind in "iu" and right.dtype.kind in "iu":
        lhs = type(lhs)(left.view(right.dtype), rhs.dtype.scalar)
    return original(self, cond, lhs, rhs)


def install() -> None:
    """Make the interpreter's float exchanges and float64 minima's old values a GPU's (once)."""
    global _installed
    if _installed:
        return
    from triton._C.libtriton import interpreter as _interpreter  # a process that interprets
    from triton.runtime import interpreter

    builder = interpreter.InterpreterBuilder
    rmw = builder.create_atomic_rmw
    exchange = next(
        op for op, kind in builder.ir_rmw_op_to_interpreter_rmw_op.items()
        if kind == _interpreter.RMW_OP.XCHG
    )  # fmt: skip

    def create_atomic_rmw(self: Any, rmwOp: Any, ptr: Any, val: Any, *rest: Any) -> Any:
        bits = _BITS.get(val.data.dtype)
        if rmwOp != exchange or bits is None:
            return rmw(self, rmwOp, ptr, val, *rest)
        words = interpreter.TensorHandle(val.data.view(bits), val.dtype)
        old = rmw(self, rmwOp, ptr, words, *rest)
        return interpreter.TensorHandle(old.data.view(val.data.dtype), val.dtype.scalar)

    select = builder.create_select
    builder.create_atomic_rmw = create_atomic_rmw
    builder.create_select = lambda self, cond, lhs, rhs: _select(self, cond, lhs, rhs, select)
    _installed = True
