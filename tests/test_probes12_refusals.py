"""Evaluator-style probes (round 12) refused at the user's line, with a caret under the
construct and a hint naming the fix: torch spellings whose keywords or shapes the transpiler
does not lower (a rounding_mode div does not know, round's decimals, addmm's beta, topk of a k that is no
power of two, a strided slice, a view(-1) merging dimensions), and ops it leaves to another spelling (clip,
mv, outer, roll, heaviside, std_mean, Python's sum of a tuple).

Found in round 12: a Python int outside the range of a value cast to int8 / uint8 / int16
(`v.to(torch.int8) > 300`, `v.to(torch.uint8) - 300`): torch wraps the number into the dtype
first (int8's 300 is 44), the comparison compared 300 itself (silently wrong) and arithmetic
failed inside Triton ("Scalar 300 is out of range for type int8"). Refused now at the
operation (DtypeMismatchError); numbers inside the range compute as torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel, one_loop
from torch_answers import assert_computes_as_torch, assert_refused_at

ROWS = (
    "    m, n = x.shape\n"
    "    out = torch.empty({shape}, dtype=x.dtype, device=x.device)\n"
    "    for tile in hl.tile(m):\n"
    "        out[{target}] = {expression}\n"
    "    return out\n"
)
STORE = 11  # the store's line in one_loop(); ROWS' store is line 12


def rows(expression, shape="[m]", target="tile"):
    return ROWS.format(expression=expression, shape=shape, target=target)


TWO = "x: torch.Tensor, y: torch.Tensor"
REFUSED = {  # signature, body, line, caret, words of the message and its hint
    "div_rounding_mode_unknown": (TWO, one_loop("torch.div(x[tile], y[tile], rounding_mode='round')"), STORE, "rounding_mode='round'", ["rounding_mode='round'", "x // y"]),
    "round_decimals": ("x: torch.Tensor", one_loop("torch.round(x[tile], decimals=1)"), STORE, "decimals", ["decimals=", "torch.round(x * 10**d) / 10**d"]),
    "clip": (TWO, one_loop("torch.clip(x[tile], max=y[tile])"), STORE, "clip", ["'clip'", "torch.clamp"]),
    "heaviside": (TWO, one_loop("torch.heaviside(x[tile], y[tile])"), STORE, "heaviside", ["'heaviside'", "torch.where"]),
    "matrix_vector_mv": (TWO, rows("torch.mv(x[tile, :], y)"), 12, "mv", ["'mv'", "(a * v[None, :]).sum(-1)"]),
    "matrix_vector_matmul": (TWO, rows("torch.matmul(x[tile, :], y[:])"), 12, "torch.matmul", ["2-D and 1-D", ".sum(-1)"]),
    "outer": (TWO, rows("torch.outer(x[tile, 0], y[:])", "x.shape", "tile, :"), 12, "outer", ["'outer'", "a[:, None] * b[None, :]"]),
    "roll": ("x: torch.Tensor", rows("torch.roll(x[tile, :], 2, -1)", "x.shape", "tile, :"), 12, "roll", ["'roll'", "(tile.index + shift) % n"]),
    "std_mean": ("x: torch.Tensor", rows("torch.std_mean(x[tile, :], dim=-1)[0]"), 12, "std_mean", ["'std_mean'", "torch.var_mean"]),
    "topk_of_three": ("x: torch.Tensor", rows("torch.topk(x[tile, :], 3, dim=-1).values", "[m, 3]", "tile, :"), 12, "3, dim", ["k=3", "k=4"]),
    "strided_slice": ("x: torch.Tensor", rows("x[tile, 1:n:2].mean(-1)"), 12, "1:n:2", ["a step", "tile.index * step"]),
    # y[tile].view(-1, 1) is inferred since round 14 (test_refused14_views.py); a merge is not
    "view_minus_one_merging": (TWO, rows("x[tile, :].view(-1).sum() + y[tile]"), 12, "-1)", ["-1", "tile.block_size"]),
    "python_sum_of_a_tuple": ("x: torch.Tensor", rows("sum(torch.var_mean(x[tile, :], dim=-1))"), 12, "sum", ["sum()", "v.sum()"]),
}  # fmt: skip


@pytest.mark.parametrize("name", REFUSED)
def test_the_probe_is_refused_at_its_line_with_a_fix(name):
    signature, body, line, caret, words = REFUSED[name]
    assert_refused_at(kernel(signature, body), line, caret, *words)


ADDMM = (
    "    m, k = a.shape\n"
    "    n = b.size(1)\n"
    "    out = torch.empty([m, n], dtype=a.dtype, device=a.device)\n"
    "    for tm, tn in hl.tile([m, n]):\n"
    "        acc = hl.zeros([tm, tn], dtype=torch.float32)\n"
    "        for tk in hl.tile(k):\n"
    "            acc = torch.addmm(acc, a[tm, tk], b[tk, tn], {keywords})\n"
    "        out[tm, tn] = acc\n"
    "    return out\n"
)


@pytest.mark.parametrize("keywords", ["beta=0.5, alpha=2.0", "alpha=-1.5"])
def test_addmm_with_beta_or_alpha_is_refused_with_the_scaling_to_write(keywords):
    source = kernel("a: torch.Tensor, b: torch.Tensor", ADDMM.format(keywords=keywords))
    keyword, value = keywords.split(",")[0].split("=")  # the caret is under the first value
    assert_refused_at(source, 15, value, f"addmm({keyword}=...)", "acc * beta + alpha * (a @ b)")


NARROW_NUMBERS = {  # the expression, the caret: a comparison's number, an operation's start
    "int8_compared_with_300": ("torch.where(x[tile].to(torch.int8) > 300, 1, 0)", "300"),
    "int8_equal_to_156": ("(x[tile].to(torch.int8) == 156).to(torch.int32)", "156"),
    "int8_plus_200": ("x[tile].to(torch.int8) + 200", "x[tile]"),
    "uint8_minus_300": ("x[tile].to(torch.uint8) - 300", "x[tile]"),
    "int16_times_40000": ("x[tile].to(torch.int16) * 40000", "x[tile]"),
}


@pytest.mark.parametrize("name", NARROW_NUMBERS)
def test_an_int_outside_a_narrow_cast_is_refused_at_the_operation(name):
    """was: compared as the number itself (torch wraps it first), or Triton's ValueError."""
    expression, caret = NARROW_NUMBERS[name]
    source = kernel("x: torch.Tensor", one_loop(expression, "torch.empty_like(x)"))
    words = ("DtypeMismatchError", "torch wraps the number", "v.to(torch.int32)")
    assert_refused_at(source, STORE, caret, *words)


def test_ints_inside_a_narrow_cast_compute_as_torch():
    body = one_loop(
        "(x[tile].to(torch.int8) < 100) * 1000 + x[tile].to(torch.uint8) % 200"
        " + (x[tile].to(torch.int16) - 30000)",
        "torch.empty(x.shape, dtype=torch.int64, device=x.device)",
    )

    def make():
        return [torch.randint(-100, 100, (53,), device=DEVICE, dtype=torch.int32)]

    def truth(x):
        narrow = (x.to(torch.int8) < 100) * 1000 + x.to(torch.uint8) % 200
        return narrow + (x.to(torch.int16) - 30000)

    assert_computes_as_torch(kernel("x: torch.Tensor", body), make, truth)
