"""Evaluator-style probes of kernels whose tensors share memory (round 7): in-place kernels, an
`out` argument, the same tensor passed twice, a host name for an argument's memory (`out = x`,
`x.view(-1)`); and reads of elements another program stores (`x[tile] = x[tile.index + 1]`,
`x[n - 1 - tile.index]`, `x[0, :]`, `x[idx[tile]]`), which the GPU would run in no set order:
refused at the read (StoreRaceError) or, where the memory is shared between names, at the
launch; never a wrong answer."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from torch_answers import assert_computes_as_torch, assert_refused_at

HEADER = """
import torch
import helion
import helion.language as hl
"""


def kernel(signature, body):
    """Module source of kernel `k(signature)` whose body (indented) is `body`."""
    return HEADER + f"\n@helion.kernel()\ndef k({signature}) -> torch.Tensor:\n{body}"


def f(*shape):
    return torch.randn(*shape, device=DEVICE)


def same_twice(*shape):
    tensor = f(*shape)
    return [tensor, tensor]


IN_PLACE = kernel(
    "x: torch.Tensor",
    """\
    for tile in hl.tile(x.size(0), block_size=16):
        x[tile] = x[tile] * 2 - 1
    return x
""",
)
IN_PLACE_AUGMENTED = kernel(
    "x: torch.Tensor, y: torch.Tensor",
    """\
    for tile in hl.tile(x.size(0), block_size=16):
        x[tile] += y[tile] * 2
    return x
""",
)
IN_PLACE_ROWS = kernel(
    "x: torch.Tensor",
    """\
    m, n = x.size()
    for tile_m in hl.tile(m, block_size=8):
        row = x[tile_m, :]
        x[tile_m, :] = row - row.amax(dim=1, keepdim=True)
    return x
""",
)
IN_PLACE_INNER = kernel(
    "x: torch.Tensor",
    """\
    m, n = x.size()
    for tile_m in hl.tile(m, block_size=8):
        for tile_n in hl.tile(n, block_size=8):
            x[tile_m, tile_n] = x[tile_m, tile_n] * 2
        x[tile_m, 0] = x[tile_m, :].sum(dim=1)
    return x
""",
)
HL_STORE = kernel(
    "x: torch.Tensor",
    """\
    for tile in hl.tile(x.size(0), block_size=16):
        v = hl.load(x, [tile])
        hl.store(x, [tile], v * v)
    return x
""",
)
OUT_ARGUMENT = kernel(
    "x: torch.Tensor, out: torch.Tensor",
    """\
    for tile in hl.tile(x.size(0), block_size=16):
        out[tile] = x[tile] + 1
    return out
""",
)
READ_TWICE = kernel(
    "x: torch.Tensor, y: torch.Tensor",
    """\
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=16):
        out[tile] = x[tile] * y[tile]
    return out
""",
)
VIEW_OF_INPUT = kernel(
    "x: torch.Tensor",
    """\
    flat = x.view(-1)
    for tile in hl.tile(flat.size(0), block_size=16):
        flat[tile] = flat[tile] * 2 + 1
    return x
""",
)


def twice_minus_one(x):
    return x * 2 - 1


def rows_less_max(x):
    return x - x.amax(1, keepdim=True)


def inner_then_sum(x):
    return torch.cat([(2 * x).sum(1, keepdim=True), 2 * x[:, 1:]], 1)


CASES = {
    "in_place": (IN_PLACE, lambda: [f(1001)], twice_minus_one),
    "in_place_augmented": (IN_PLACE_AUGMENTED, lambda: [f(129), f(129)], lambda x, y: x + 2 * y),
    "in_place_rows": (IN_PLACE_ROWS, lambda: [f(37, 29)], rows_less_max),
    # a program reads back its own row after its inner loop stored it: its own elements
    "in_place_inner_loop": (IN_PLACE_INNER, lambda: [f(37, 29)], inner_then_sum),
    "hl_store_in_place": (HL_STORE, lambda: [f(129)], lambda x: x * x),
    "out_argument": (OUT_ARGUMENT, lambda: [f(129), f(129)], lambda x, out: x + 1),
    "out_is_the_input": (OUT_ARGUMENT, lambda: same_twice(129), lambda x, out: x + 1),
    "read_twice": (READ_TWICE, lambda: same_twice(1001), lambda x, y: x * y),
    "in_place_augmented_twice": (IN_PLACE_AUGMENTED, lambda: same_twice(37), lambda x, y: 3 * x),
    "view_of_input": (VIEW_OF_INPUT, lambda: [f(7, 9)], lambda x: x * 2 + 1),
    "in_place_transposed": (IN_PLACE, lambda: [f(29, 37).t()[0]], twice_minus_one),
}


@pytest.mark.parametrize("case", CASES)
def test_shared_memory_computes_as_torch(case):
    source, make, truth = CASES[case]
    assert_computes_as_torch(source, make, truth)


def test_in_place_result_is_the_argument():
    """The in-place kernel changes its argument and returns it (the same memory)."""
    x = f(129)
    before = x.double().cpu()
    got = generated(IN_PLACE, "k", x)(x)
    torch.testing.assert_close(got.double(), twice_minus_one(before))
    torch.testing.assert_close(x.double().cpu(), twice_minus_one(before))


def loop(read, extra=""):
    body = f"    n = x.size(0)\n    for tile in hl.tile(n, block_size=16):{extra}\n"
    return kernel("x: torch.Tensor", body + f"        x[tile] = {read}\n    return x\n")


# (source, the text the caret points at): each read meets elements another program stores
REFUSED = {
    "shift_forward": (loop("x[tile.index + 1]").replace("hl.tile(n,", "hl.tile(n - 1,"), "x[tile.index + 1]"),
    "shift_back": (loop("x[tile.index - 1] + x[tile]").replace("hl.tile(n,", "hl.tile(1, n,"), "x[tile.index - 1]"),
    "flip": (loop("x[n - 1 - tile.index]"), "x[n - 1"),
    "hl_load_flip": (loop("v", extra="\n        v = hl.load(x, [n - 1 - tile.index])"), "hl.load"),
    "first_element": (loop("x[tile] - x[0]"), "x[0]"),
    "whole_tensor_sum": (loop("x[tile] / x[:].sum()"), "x[:]"),
    "gather": (
        kernel(
            "x: torch.Tensor, idx: torch.Tensor",
            "    for tile in hl.tile(x.size(0)):\n        x[tile] = x[idx[tile]] * 2\n    return x\n",
        ),
        "x[idx",
    ),
    "grid_prefix_sum": (
        kernel(
            "x: torch.Tensor",
            "    for i in hl.grid(1, x.size(0)):\n        x[i] = x[i] + x[i - 1]\n    return x\n",
        ),
        "x[i - 1]",
    ),
    "first_row": (
        kernel(
            "x: torch.Tensor",
            "    m, n = x.size()\n    for tile_m in hl.tile(m):\n"
            "        x[tile_m, :] = x[tile_m, :] - x[0, :]\n    return x\n",
        ),
        "x[0, :]",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_read_of_another_programs_store_is_refused(case):
    source, caret = REFUSED[case]
    line = next(i for i, text in enumerate(source.splitlines(), 1) if caret in text)
    words = ("StoreRaceError", "other programs store", "empty_like")
    assert_refused_at(source, line, caret, *words)


FLIP_INTO = kernel(
    "x: torch.Tensor, out: torch.Tensor",
    """\
    n = x.size(0)
    for tile in hl.tile(n, block_size=16):
        out[tile] = x[n - 1 - tile.index]
    return out
""",
)
FLIP_HOST_ALIAS = kernel(
    "x: torch.Tensor",
    """\
    n = x.size(0)
    out = x
    for tile in hl.tile(n, block_size=16):
        out[tile] = x[n - 1 - tile.index]
    return out
""",
)
FLIP_HOST_VIEWS = kernel(
    "x: torch.Tensor",
    """\
    m, n = x.size()
    flat = x.view(-1)
    out = x.view(-1)
    for tile in hl.tile(m * n, block_size=16):
        out[tile] = flat[m * n - 1 - tile.index]
    return x
""",
)


SHIFTED_VIEW = kernel(
    "x: torch.Tensor",
    """\
    m, n = x.size()
    out = x[:, 1:]
    for tile_m, tile_n in hl.tile([m, n - 1], block_size=[8, 8]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * 2
    return x
""",
)


def test_flip_into_a_fresh_out_computes_as_torch():
    assert_computes_as_torch(FLIP_INTO, lambda: [f(129), f(129)], lambda x, out: x.flip(0))


@pytest.mark.parametrize(
    ("source", "args", "shared"),
    [
        (FLIP_INTO, lambda: same_twice(129), "with x"),  # k(a, a): one view, read flipped
        (FLIP_HOST_ALIAS, lambda: [f(129)], "with x"),  # out = x in host code
        (FLIP_HOST_VIEWS, lambda: [f(7, 9)], "with flat"),  # two views of x
        (SHIFTED_VIEW, lambda: [f(37, 29)], "with x"),  # out = x[:, 1:], read at its own index
    ],
    ids=["same_view_twice", "host_alias", "host_views", "shifted_view"],
)
def test_shared_memory_read_elsewhere_is_refused_at_launch(source, args, shared):
    """Names the transpiler cannot tell apart: the launcher sees the memory is one."""
    values = args()
    launcher = generated(source, "k", *values)
    with pytest.raises(RuntimeError, match=f"shares memory {shared}"):
        launcher(*values)
