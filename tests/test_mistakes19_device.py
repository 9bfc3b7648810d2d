"""Mistakes an outside tester makes (2026-12-06, mistakes19) inside a device loop and in the
names a kernel binds: each was an untrue hint or a traceback from the generated module before;
now a TranspileError at the user's line, its caret under the mistake and a hint naming the fix."""

from __future__ import annotations

import torch
from helpers import generated
from mistakes10 import HEAD, ONE, X1, each_row, kernel, refused_as_the_row_says

HOST_CODE = "UnsupportedConstructError"

# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    # was: "name 'breakpoint' is not defined before this device loop; define it in the kernel"
    ("breakpoint", kernel("breakpoint()\n        out[tile] = x[tile]"), f"k({X1})", HOST_CODE, 10,
     "breakpoint", "Python's breakpoint() cannot run inside a device loop", ".reference(*args)"),
    ("type-of-a-block", kernel("out[tile] = x[tile] * (type(x[tile]) == float)"), f"k({X1})",
     HOST_CODE, 10, "type(", "Python's type() cannot run", "if v.dtype == torch.float32:"),
    ("input", kernel("scale = float(input())\n        out[tile] = x[tile] * scale"), f"k({X1})",
     HOST_CODE, 10, "input", "Python's input() cannot run", "host code"),
    ("getattr", kernel("out[tile] = x[tile] * getattr(x, 'scale')"), f"k({X1})", HOST_CODE, 10,
     "getattr", "Python's getattr() cannot run", "the attribute itself"),
    ("vars", kernel("out[tile] = x[tile] * len(vars(x))"), f"k({X1})", HOST_CODE, 10,
     "vars", "Python's vars() cannot run", "in host code"),
    # was: an InterpreterError, a SyntaxError or a TypeError from the generated module
    ("a-parameter-named-grid", kernel("out[tile] = x[tile] + grid[tile]",
     params="x: torch.Tensor, grid: torch.Tensor"), f"k({X1}, {X1})", HOST_CODE, 7, "grid:",
     "a name 'grid': the generated module names the launch grid", "grid_"),
    ("a-host-variable-named-grid", kernel("out[tile] = x[tile] * grid",
     before="    grid = 2.0\n" + ONE), f"k({X1})", HOST_CODE, 8, "grid",
     "a name 'grid'", "rename the variable"),
    ("a-module-global-named-grid", "\ngrid = 3.0\n" + kernel("out[tile] = x[tile] * grid"),
     f"k({X1})", HOST_CODE, 12, "grid", "a name 'grid'", "grid_"),
    ("a-parameter-named-INDEX_DTYPE", kernel("out[tile] = x[tile] * INDEX_DTYPE",
     params="x: torch.Tensor, INDEX_DTYPE: float"), f"k({X1}, 2.0)", HOST_CODE, 7,
     "INDEX_DTYPE", "the integer dtype of the offsets 'INDEX_DTYPE'", "INDEX_DTYPE_"),
    ("a-helper-named-like-the-triton-function", "\ndef k_kernel(v):\n    return v\n" + kernel(
     "out[tile] = x[tile] * 2"), f"k({X1})", HOST_CODE, 6, "k_kernel",
     "the generated module names the Triton function of kernel k 'k_kernel'", "k_kernel_"),
    ("a-module-global-named-tl", "\ntl = 3.0\n" + kernel("out[tile] = x[tile] * tl"),
     f"k({X1})", HOST_CODE, 6, "tl", "names triton.language 'tl'", "tl_"),
    # was: "indexing this value", the hint "device code is straight-line tensor arithmetic"
    ("an-optional-tensor-left-out", kernel("out[tile] = x[tile] + y[tile]",
     params="x: torch.Tensor, y: torch.Tensor | None = None"), f"k({X1})", HOST_CODE, 10,
     "y[tile]", "y is None here: a device loop indexes tensors",
     "`if y is not None:` inside the device loop"),
    # was: "(a list of tensors?)", the hint "unpack it in host code: a, b = s"
    ("a-float-argument-indexed", kernel("out[tile] = x[tile] + s[tile]",
     params="x: torch.Tensor, s: float"), f"k({X1}, 2.0)", HOST_CODE, 10, "s[tile]",
     "the argument 's' is a number (annotated int, float or bool): it has no index",
     "annotate it torch.Tensor"),
    # was: an InterpreterError inside Triton ('str' object has no attribute 'type')
    ("a-text-argument-as-a-number", kernel("out[tile] = x[tile] * s",
     params="x: torch.Tensor, s: str"), f"k({X1}, '2')", HOST_CODE, 10, "s",
     "s is a text argument (annotated str, or a string default), not a number",
     "annotate it float (or int) and pass a number; text chooses code inside the loop"),
]  # fmt: skip


@each_row(MISTAKES)
def test_a_device_mistake_is_refused_at_its_line(source, call, kind, line, marker, message, hint):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)


def test_names_like_the_generated_ones_that_hide_nothing_run():
    """`import triton.language as tl` is the generated module's own import, a module's `grid`
    that no kernel reads stays out of the launcher, and `BLOCK_SIZE` / `mask` are renamed apart."""
    source = (
        HEAD
        + "import triton.language as tl\n\n\ndef grid(n):\n    return (n,)\n"
        + kernel(
            "mask = x[tile] > 0\n        out[tile] = torch.where(mask, x[tile] * BLOCK_SIZE, 0.5)",
            before="    BLOCK_SIZE = 3.0\n" + ONE,
        )
    )
    x = torch.randn(37) + 0.25
    got = generated(source, "k", x)(x).double()
    wide = x.double()
    torch.testing.assert_close(got, torch.where(wide > 0, wide * 3.0, 0.5), rtol=1e-6, atol=1e-6)
