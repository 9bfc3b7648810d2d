"""The source's top-level statements in the generated module: what defines something or binds
a name the kept code reads stays; what only runs (a script's or a cell's prints, test calls,
loops) is left out, so importing the generated module runs nothing of the user's twice. And
module-level flags (`ON = True`) are constants a device loop is specialised on."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

import transpiler

KERNEL = """\
import torch
import helion
import helion.language as hl

{before}

@helion.kernel(config=helion.Config(block_sizes=[16]))
def shifted(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = {expression}
    return out

{after}
"""

# (statements before the kernel, its expression, statements after, kept lines, left-out lines)
CASES = [
    (
        "SHIFT = 1.5",
        "x[tile] + SHIFT",
        "x = torch.randn(8)\nprint(shifted(x))",
        ["SHIFT = 1.5"],
        ["print(shifted(x))", "x = torch.randn(8)"],
    ),
    (
        "BASE = 2.0\nSHIFT = BASE * 3\nfor i in range(3):\n    print(i)",
        "x[tile] + SHIFT",
        "shifted(torch.ones(4))",
        ["BASE = 2.0", "SHIFT = BASE * 3"],
        ["print(i)", "shifted(torch.ones(4))"],
    ),
    (
        "def offset() -> float:\n    return 0.5\ntorch.manual_seed(0)",
        "x[tile] * 2",
        'if __name__ == "__main__":\n    print(shifted(torch.ones(3)))',
        ["def offset()", 'if __name__ == "__main__":'],
        ["torch.manual_seed(0)"],
    ),
]


@pytest.mark.parametrize(("before", "expression", "after", "kept", "left_out"), CASES)
def test_statements_that_only_run_are_left_out(before, expression, after, kept, left_out):
    source = KERNEL.format(before=before, expression=expression, after=after)
    code = transpiler.transpile_module(source, filename="kernels.py").code
    for line in kept:
        assert line in code, code
    for line in left_out:
        assert line not in code, code
    x = torch.randn(37) + 0.25
    namespace = {"x": x, "torch": torch}
    exec(compile(before, "before", "exec"), namespace)
    eager = eval(expression.replace("[tile]", ""), namespace)
    torch.testing.assert_close(generated(source, "shifted", x)(x), eager)


# module-level flags in device loops: a ternary, an `if`, a flag chosen by another
FLAGS = [
    ("ON = True", "torch.where(x[tile] > 0.5, x[tile], 0.0) if ON else x[tile]"),
    ("ON = False", "torch.where(x[tile] > 0.5, x[tile], 0.0) if ON else x[tile] * 3"),
    ("ON = True\nOFF = False", "x[tile] * 2 if ON and not OFF else x[tile]"),
]


@pytest.mark.parametrize(("before", "expression"), FLAGS)
def test_module_flags_are_constants_of_the_device_loop(before, expression):
    source = KERNEL.format(before=before, expression=expression, after="")
    code = transpiler.transpile_module(source, filename="kernels.py").code
    kernel = code[code.index("@triton.jit") : code.index("\ndef shifted(")]
    assert "ON" not in kernel.split("# line")[0], kernel  # not a parameter of the kernel
    x = torch.randn(41) + 0.25
    namespace = {"x": x, "torch": torch}
    exec(compile(before, "before", "exec"), namespace)
    eager = eval(expression.replace("[tile]", ""), namespace)
    torch.testing.assert_close(generated(source, "shifted", x)(x), eager)
