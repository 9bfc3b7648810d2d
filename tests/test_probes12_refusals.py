"""Evaluator-style probes (round 12) refused at the user's line, with a caret under the
construct and a hint naming the fix: torch spellings whose keywords or shapes the transpiler
does not lower (div's rounding_mode, round's decimals, addmm's beta, topk of a k that is no
power of two, a strided slice, view(-1, 1)), and ops it leaves to another spelling (clip,
mv, outer, roll, heaviside, std_mean, Python's sum of a tuple)."""

from __future__ import annotations

import pytest
from probe_kernels import kernel, one_loop
from torch_answers import assert_refused_at

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
    "div_rounding_mode": (TWO, one_loop("torch.div(x[tile], y[tile], rounding_mode='floor')"), STORE, "rounding_mode", ["rounding_mode=", "x // y"]),
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
    "view_minus_one": (TWO, rows("x[tile, :] - y[tile].view(-1, 1)", "x.shape", "tile, :"), 12, "-1, 1", ["-1", "tile.block_size"]),
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
