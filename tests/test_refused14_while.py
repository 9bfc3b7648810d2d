"""Round 14: `while` inside a device loop was refused ("a while loop is not supported inside a
device loop"). Helion traces a device `while` into a while loop (its visit_While; `while ...
else` refused, and `break` / `continue` are statements it does not support in device code). A
while on one scalar condition is now a Triton `while`, the condition evaluated again before each
iteration, the values it changes carried; a condition on a block of lanes, one known while
transpiling, or one needing statements of its own (a load, a reduction) is refused naming why,
and `break`'s hint names the while loop. Each kernel that runs is compared with torch in float64
and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, kernel_text, reference, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

ROWS, COLUMNS = 37, 11
ONE_LOOP = (
    "    out = torch.empty_like(x)\n"
    "    for tile in hl.tile(x.size(0)):\n"
    "        v = x[tile]\n"
    "BODY"
    "        out[tile] = v\n"
    "    return out\n"
)


def one_loop(body: str, signature: str = "x: torch.Tensor") -> str:
    indented = "".join(f"        {line}\n" for line in body.splitlines())
    return kernel(signature, ONE_LOOP.replace("BODY", indented))


def test_the_user_s_counted_while_doubles_three_times():
    """was: refused ("a while loop is not supported inside a device loop")."""
    source = one_loop("i = 0\nwhile i < 3:\n    v = v * 2\n    i += 1")
    assert_computes_as_torch(source, lambda: [signed_rand(ROWS).to(DEVICE)], lambda x: x * 8)
    assert "while i < 3:" in kernel_text(source, "k", signed_rand(ROWS))
    x = signed_rand(ROWS).to(DEVICE)
    torch.testing.assert_close(
        reference(source, "k")(x.clone()).double().cpu(), x.double().cpu() * 8
    )


def test_a_countdown_by_an_int_argument_with_a_choice_per_lane():
    source = one_loop(
        "i = steps\nwhile i > 0:\n    v = torch.where(v.abs() > 0.25, v * 0.5, v + 0.125)\n    i -= 2",
        "x: torch.Tensor, steps: int",
    )

    def truth(x, steps):
        for _ in range((steps + 1) // 2):
            x = torch.where(x.abs() > 0.25, x * 0.5, x + 0.125)
        return x

    assert_computes_as_torch(source, lambda: [signed_rand(ROWS).to(DEVICE) * 3, 7], truth)


def test_a_float_condition_on_a_kernel_argument():
    source = one_loop(
        "s = 1.0\nwhile s < limit:\n    s = s * 1.5\n    v = v + s", "x: torch.Tensor, limit: float"
    )

    def truth(x, limit):
        s = 1.0
        while s < limit:
            s *= 1.5
            x = x + s
        return x

    assert_computes_as_torch(source, lambda: [signed_rand(ROWS).to(DEVICE), 9.7], truth)


def test_a_while_walking_the_columns_of_a_row():
    source = kernel(
        "x: torch.Tensor",
        "    m, n = x.shape\n"
        "    out = torch.empty([m], dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(m):\n"
        "        acc = hl.zeros([tile], dtype=torch.float32)\n"
        "        j = 1\n"
        "        while j < n:\n"
        "            acc += x[tile, j] * x[tile, j - 1]\n"
        "            j += 2\n"
        "        out[tile] = acc\n"
        "    return out\n",
    )
    assert_computes_as_torch(
        source,
        lambda: [signed_rand(ROWS, COLUMNS).to(DEVICE)],
        lambda x: (x[:, 1::2] * x[:, 0:-1:2]).sum(-1),
    )


REFUSED = {  # (the loop, the caret, words of the error)
    "block_condition": ("while v > 0:\n    v = v - 1", "v > 0", ("on a block of values", "torch.where")),
    "forever": ("while True:\n    v = v * 2", "True", ("known while transpiling", "never or forever")),
    "needs_a_load": ("i = 0\nwhile x[i] < 0.5:\n    i += 1", "x[i]", ("statements of its own", "go = ...")),
    "per_block_sum": ("i = 0\nwhile x[tile].sum() > i:\n    i += 1", "x[tile].sum", ("lanes of a grid tile",)),
    "else_block": ("i = 0\nwhile i < 2:\n    i += 1\nelse:\n    v = v + 1", "else", ("while ... else", "after the loop")),
    "break": ("for i in range(4):\n    if i == 2:\n        break\n    v = v * 2", "break", ("break is not supported", "while i < n")),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_a_while_that_cannot_be_a_triton_while_is_refused(case):
    body, caret, words = REFUSED[case]
    source = one_loop(body)
    line = next(
        number
        for number, text in enumerate(source.splitlines(), 1)
        if caret in text and "out[" not in text
    )
    assert_refused_at(source, line, caret, *words)


def test_nested_whiles_the_inner_counting_to_the_outer_s_counter():
    source = one_loop(
        "i = 0\nwhile i < 2:\n    j = 0\n    while j < i + 2:\n        v = v + j\n        j += 1\n    i += 1"
    )
    assert_computes_as_torch(source, lambda: [signed_rand(ROWS).to(DEVICE)], lambda x: x + 4)


def test_the_hint_s_flag_form_of_a_condition_needing_a_load():
    """The refusal above says to compute the condition into a name before the loop and again at
    the end of its body: that kernel counts x's leading values under 0.5."""
    source = one_loop(
        "i = 0\ngo = x[0] < 0.5\nwhile go:\n    i += 1\n    go = x[i] < 0.5\nv = v * 0 + i"
    )

    def make():
        x = signed_rand(ROWS).to(DEVICE)
        x[:5] = x[:5].abs() * -1
        x[5] = 0.75
        return [x]

    def truth(x):
        return x * 0 + int((x < 0.5).long().cumprod(0).sum())

    assert_computes_as_torch(source, make, truth)
