"""Probes (round 15) of control flow that is refused, each at the user's line and column with
a hint naming what to write: a Python `if` on a block (torch.where), a whole host tensor
reduced inside a loop. Still refused though valid: a name that is an int after one branch of
an `if` on a loaded scalar and a float after the other (its hint: write the int as a float;
beside an int tensor each path would give its own dtype). (Computing since carried16: a Python
number carried into a loop that makes it a block, test_carried16_numbers.py; `len(v)` of a
block, test_carried16_sizes.py; since valid17, a number before an `if` whose branch makes it
a block, test_valid17_branches.py.)"""

from __future__ import annotations

import pytest
from probe_kernels import kernel
from torch_answers import assert_refused_at

LOOP = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
{body}        out[tile] = {result}
    return out
"""


def loop(body: str, result: str) -> str:
    return LOOP.format(
        body="".join(f"        {line}\n" for line in body.splitlines()), result=result
    )


S = "x: torch.Tensor, s: torch.Tensor"
CASES = {  # signature, body, the line's text, caret, words
    "if_on_a_block": ("x: torch.Tensor", loop("y = x[tile]\nif x[tile] > 0:\n    y = -y", "y"), "if x[tile] > 0:", "x[tile] > 0", ("an if on a block of values", "torch.where")),
    "a_host_tensor_summed_whole": ("x: torch.Tensor", loop("y = x[tile] + out.sum()", "y"), "out.sum()", "out.sum()", ("on a whole host tensor inside a device loop", "load a tile first")),
    "an_int_or_a_float_after_an_if": (S, loop("y = 3\nif s[0] > 0:\n    y = 2.5", "x[tile] * y"), "out[tile] = x[tile] * y", "y\n", ("a float after the if branch", "as a float on its int path too")),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_refused_at_the_user_s_line_with_a_hint(case):
    signature, body, text, caret, words = CASES[case]
    source = kernel(signature, body)
    line = next(n for n, t in enumerate(source.splitlines(), 1) if text in t)
    if caret.endswith("\n"):  # the last place of the name on its line
        line_text = source.splitlines()[line - 1]
        caret = line_text[line_text.rindex(caret.strip()) :]
    assert_refused_at(source, line, caret, *words)
