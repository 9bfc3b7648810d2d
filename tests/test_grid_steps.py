"""hl.grid's `step` (Helion's `grid(begin_or_end, end_or_none=None, /, step=None)`, by keyword or
third by position, one per dimension) at the top level and inside a tile loop: generated Triton
and reference mode against torch; bad steps refused at their column."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, reference

import transpiler
from transpiler.analysis.perf import kernel_cost

HEAD = "import helion\nimport helion.language as hl\nimport torch\n\n\n"


def one_dim(loop: str, extra: str = "") -> str:
    return HEAD + (
        "@helion.kernel()\n"
        f"def k(x: torch.Tensor{extra}) -> torch.Tensor:\n"
        "    n = x.size(0)\n"
        "    out = torch.zeros_like(x)\n"
        f"    for i in {loop}:\n"
        "        out[i] = x[i] * 2.0 + 1.0\n"
        "    return out\n"
    )


def every(begin: int, step: int):
    def truth(x: torch.Tensor, *_: object) -> torch.Tensor:
        out = torch.zeros_like(x)
        out[begin::step] = x[begin::step] * 2 + 1
        return out

    return truth


# name → (source, extra arguments, torch's answer)
CASES = {
    "positional_step": (one_dim("hl.grid(0, n, 2)"), (), every(0, 2)),
    "begin_and_step_keyword": (one_dim("hl.grid(1, n, step=3)"), (), every(1, 3)),
    "end_and_step_keyword": (one_dim("hl.grid(n, step=4)"), (), every(0, 4)),
    "step_wider_than_the_range": (one_dim("hl.grid(5, n, step=100)"), (), every(5, 100)),
    "step_from_an_argument": (one_dim("hl.grid(2, n, s)", ", s: int"), (5,), every(2, 5)),
    "list_of_one": (one_dim("hl.grid([n], step=[3])"), (), every(0, 3)),
    "tile_block_size_third": (one_dim("hl.tile(3, n, 8)"), (), every(3, 1)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_one_dimension(name):
    source, extra, truth = CASES[name]
    x = torch.randn(37)
    expected = truth(x.double(), *extra)
    result = generated(source, "k", x, *extra)(x, *extra)
    torch.testing.assert_close(result.double(), expected, rtol=1e-6, atol=1e-6)
    eager = reference(source, "k")(x, *extra)
    torch.testing.assert_close(eager.double(), expected, rtol=1e-6, atol=1e-6)


def test_two_dimensions_each_with_its_step():
    source = HEAD + (
        "@helion.kernel()\n"
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    m, n = x.size()\n"
        "    out = torch.zeros_like(x)\n"
        "    for i, j in hl.grid([1, 0], [m, n], [2, 3]):\n"
        "        out[i, j] = x[i, j] - 1.0\n"
        "    return out\n"
    )
    x = torch.randn(13, 22)
    expected = torch.zeros(13, 22, dtype=torch.float64)
    expected[1::2, ::3] = x.double()[1::2, ::3] - 1
    for run in (generated(source, "k", x), reference(source, "k")):
        torch.testing.assert_close(run(x).double(), expected)


def test_an_inner_grid_with_a_step():
    """Inside a tile loop: every other column from 1, then every third from 0 (a second loop)."""
    source = HEAD + (
        "@helion.kernel()\n"
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    m, n = x.size()\n"
        "    out = torch.zeros([m], dtype=torch.float32, device=x.device)\n"
        "    for tile_m in hl.tile(m):\n"
        "        acc = hl.zeros([tile_m], dtype=torch.float32)\n"
        "        for j in hl.grid(1, n, 2):\n"
        "            acc += x[tile_m, j]\n"
        "        for j in hl.grid(n, step=3):\n"
        "            acc += x[tile_m, j] * 10.0\n"
        "        out[tile_m] = acc\n"
        "    return out\n"
    )
    x = torch.randn(13, 22)
    wide = x.double()
    expected = wide[:, 1::2].sum(1) + wide[:, ::3].sum(1) * 10
    for run in (generated(source, "k", x), reference(source, "k")):
        torch.testing.assert_close(run(x).double(), expected, rtol=1e-5, atol=1e-5)


def test_a_step_below_one_from_an_argument_is_refused_at_launch():
    source = one_dim("hl.grid(2, n, s)", ", s: int")
    x = torch.randn(9)
    with pytest.raises(ValueError, match="step of hl.grid must be positive"):
        generated(source, "k", x, 3)(x, 0)


# (loop, words of the message, the text at the error's column)
REFUSED = [
    ("hl.grid(0, n, -1)", "positive integer", "-1"),
    ("hl.grid(0, n, step=0)", "positive integer", "0"),
    ("hl.grid(0, n, step=1.5)", "positive integer", "1.5"),
    ("hl.grid([n, n], step=2)", "1 steps for 2 dimensions", "2"),
    ("hl.grid([n, n], step=[2])", "1 steps for 2 dimensions", "[2]"),
]


@pytest.mark.parametrize(("loop", "words", "at"), REFUSED)
def test_bad_steps_are_refused_at_their_column(loop, words, at):
    source = one_dim(loop)
    if "[n, n]" in loop:
        source = source.replace("for i in", "for i, j in")
    with pytest.raises(transpiler.errors.TileArgumentError) as caught:
        transpiler.transpile_module(source, example_args={"k": (torch.randn(5),)})
    assert words in str(caught.value)
    line = source.splitlines()[caught.value.lineno - 1]
    assert line[caught.value.col_offset :].startswith(at + ")")


def test_the_cost_model_counts_the_indices_a_step_visits():
    x = torch.randn(37)
    whole = kernel_cost(one_dim("hl.grid(n)"), "k", (x,))
    stepped = kernel_cost(one_dim("hl.grid(1, n, 3)"), "k", (x,))
    assert stepped.flops * 37 == whole.flops * len(range(1, 37, 3))
