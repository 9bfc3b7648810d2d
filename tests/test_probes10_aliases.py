"""Evaluator-style probes of names that share a tensor in device code (round 10). In torch
`w = v` makes w the very tensor v names, so `v += 1` changes w too; the generated code updated
v alone, and a later read of w got the old value (`w = v; v += 1; out[tile] = v + w` gave
2x + 1 where torch gives 2x + 2). Such an update is refused at its operator when the other name
is read before it is bound again (frontend/aliased_updates.py); the same kernels written with a
new value (`v = v + 1`) or with the other name rebound compute as torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

ROWS, COLUMNS = 37, 23

# (signature, body, line of the update, its operator, what the message names)
SHARED = {
    "named_again": (
        "x: torch.Tensor",
        """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile] * 2
        w = v
        v += 1
        out[tile] = v + w
    return out
""",
        13,
        "+=",
        "'w' also names (line 12)",
    ),
    "two_targets": (
        "x: torch.Tensor",
        """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = b = hl.zeros([tile], dtype=torch.float32)
        a -= x[tile]
        out[tile] = b * 3
    return out
""",
        12,
        "-=",
        "'b' also names",
    ),
    "through_the_next_iteration": (
        "x: torch.Tensor",
        """    out = torch.empty([x.size(0)], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        acc = hl.zeros([tile], dtype=torch.float32)
        prev = acc
        for chunk in hl.tile(x.size(1)):
            prev = acc
            acc *= 0.5
            acc += x[tile, chunk].sum(1)
        out[tile] = acc - prev
    return out
""",
        15,
        "*=",
        "'prev' also names (line 14)",
    ),
}


@pytest.mark.parametrize("case", SHARED)
def test_an_update_another_name_would_see_is_refused_at_its_operator(case):
    signature, body, line, caret, words = SHARED[case]
    assert_refused_at(kernel(signature, body), line, caret, words, "for a new value")


def floats(*shape):
    return lambda: [torch.randn(*shape, device=DEVICE) * 3]


# the same kernels, each written as the refusal's hint says (or sharing nothing read later)
WRITTEN_OUT = {
    "new_value": (
        """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile] * 2
        w = v
        v = v + 1
        out[tile] = v + w
    return out
""",
        floats(301),
        lambda x: 4 * x + 1,
    ),
    "named_after_the_update": (
        """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile] * 2
        v += 1
        w = v
        out[tile] = v + w
    return out
""",
        floats(301),
        lambda x: 4 * x + 2,
    ),
    "other_name_bound_again": (
        """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile] * 2
        w = v
        v += 1
        w = x[tile] - 1
        out[tile] = v * w
    return out
""",
        floats(301),
        lambda x: (2 * x + 1) * (x - 1),
    ),
    "running_maximum_kept_after_the_loop": (
        """    out = torch.empty([x.size(0)], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        m_i = hl.full([tile], float("-inf"), dtype=torch.float32)
        for chunk in hl.tile(x.size(1)):
            m_ij = torch.maximum(m_i, x[tile, chunk].amax(1))
            m_i = m_ij
        m_i += 1
        out[tile] = m_i
    return out
""",
        floats(ROWS, COLUMNS),
        lambda x: x.amax(1) + 1,
    ),
    # numbers are immutable: `t = s; s += 1` leaves t as it was, in Python and here
    "a_number_named_twice": (
        """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        s = 1.5
        t = s
        s += 1
        out[tile] = x[tile] * t + s
    return out
""",
        floats(301),
        lambda x: x * 1.5 + 2.5,
    ),
    "a_tile_begin_named_twice": (
        """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        i = tile.begin
        j = i
        i += 1
        out[tile] = x[tile] + j - i
    return out
""",
        floats(301),
        lambda x: x - 1,
    ),
}


@pytest.mark.parametrize("case", WRITTEN_OUT)
def test_updates_no_other_name_reads_compute_as_torch(case):
    body, make, truth = WRITTEN_OUT[case]
    assert_computes_as_torch(kernel("x: torch.Tensor", body), make, truth)


# `v = x[tile]` is a view of x in torch: `v += 1` changes x, and a later load of x sees it
# (frontend/view_updates.py); before, the generated code read x unchanged (out = x, not x + 1).
VIEWS = {
    "tile": ("v = x[tile]", "v += 1", "out[tile] = x[tile]", "v = x[tile] (line 11)"),
    "row": ("row = x[tile, :]", "row *= 2", "out[tile] = x[tile, :].sum(1)", "line 13 reads x"),
    "column": ("c = x[tile, 0]", "c -= 5", "out[tile] = x[tile, 0] + x[tile, 1]", "x[tile, 0] = c"),
}


def view_body(*lines: str) -> str:
    inner = "".join(f"        {line}\n" for line in lines)
    out = "torch.empty([x.size(0)], dtype=x.dtype, device=x.device)"
    return f"    out = {out}\n    for tile in hl.tile(x.size(0)):\n{inner}    return out\n"


@pytest.mark.parametrize("case", VIEWS)
def test_an_update_of_a_view_read_through_its_tensor_is_refused(case):
    bind, update, read, words = VIEWS[case]
    source = kernel("x: torch.Tensor", view_body(bind, update, read))
    caret = update.split()[1]
    assert_refused_at(source, 12, caret, "is a view of x in torch", words)


VIEWS_UNREAD = {
    "view_not_read_again": (("v = x[tile, 0]", "v += 1", "out[tile] = v"), lambda x: x[:, 0] + 1),
    "a_copy_read_again": (
        ("v = x[tile, 0] * 1", "v += 1", "out[tile] = x[tile, 0] + v"),
        lambda x: 2 * x[:, 0] + 1,
    ),
    "the_change_stored": (
        ("v = x[tile, 0]", "v = v + 1", "x[tile, 0] = v", "out[tile] = x[tile, 0] * 2"),
        lambda x: 2 * (x[:, 0] + 1),
    ),
}


@pytest.mark.parametrize("case", VIEWS_UNREAD)
def test_views_not_read_through_their_tensor_compute_as_torch(case):
    lines, truth = VIEWS_UNREAD[case]
    assert_computes_as_torch(kernel("x: torch.Tensor", view_body(*lines)), floats(ROWS, 5), truth)
