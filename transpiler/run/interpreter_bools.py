"""Python bools as run-time kernel arguments in Triton's CPU interpreter (Triton 3.6's refused
them), taken as a GPU launch takes them: an `i1` scalar."""

from __future__ import annotations

from typing import Any

import numpy as np

# The interpreter types a bool argument i1 (a bool is an int to its `_implicit_cvt`) but holds it
# in an int32 array, and its check of the array's width refused it ("numpy data itemsize (32
# bits) exceeds dtype primitive_bitwidth (1 bits) for triton type int1"), far from the user's
# line: `flag = x.sum().item() > 0`, then `if flag:` in the loop, ran on a GPU alone.
_installed = False


def install() -> None:
    """Make the interpreter hold a bool argument as a bool (once)."""
    global _installed
    if _installed:
        return
    import triton.language as tl
    from triton.runtime import interpreter  # only a process that interprets needs it

    original = interpreter._implicit_cvt

    def _implicit_cvt(arg: Any) -> Any:
        if isinstance(arg, bool):  # (a GPU launch refuses numpy scalars: so does this)
            handle = interpreter.TensorHandle(np.array([bool(arg)], dtype=np.bool_), tl.int1)
            return tl.tensor(handle, tl.int1)
        return original(arg)

    interpreter._implicit_cvt = _implicit_cvt
    _installed = True
