"""Evaluator-style probes of 0-d tensors (round 8): `s[()]` and `s[...]` in device code (before
round 8 refused as "this index"), of an argument, of a host-computed sum, beside rows, in
float16 and int64 arithmetic; `s[()] = ...` and `hl.atomic_add(s, [], ...)` into a 0-d tensor
(the empty index list was an internal error); `.item()` in host code; `x[()]` of a tensor with
dimensions and a 0-d store every program races on refused; each against float64 torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from torch_answers import assert_computes_as_torch, assert_refused_at

import transpiler

HEADER = """
import torch
import helion
import helion.language as hl
"""


def f(*shape, dtype=torch.float32):
    return torch.randn(shape, device=DEVICE).to(dtype)


def ints(*shape):
    return torch.randint(-50, 50, shape, device=DEVICE)


def kernel(signature, body):
    return HEADER + f"\n@helion.kernel()\ndef k({signature}) -> torch.Tensor:\n{body}"


ONE_LOOP = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = EXPRESSION
    return out
"""


def with_scale(expression, before=""):
    body = (f"    {before}\n" if before else "") + ONE_LOOP.replace("EXPRESSION", expression)
    return kernel("x: torch.Tensor, s: torch.Tensor", body)


# (source, make the arguments, torch's answer)
INDEXED = {
    "argument": (with_scale("x[tile] * s[()]"), lambda: [f(301), f()], lambda x, s: x * s),
    "ellipsis": (with_scale("x[tile] - s[...]"), lambda: [f(301), f()], lambda x, s: x - s),
    "twice_in_one_line": (
        with_scale("x[tile] * s[()] + s[()] * s[()]"),
        lambda: [f(37), f()],
        lambda x, s: x * s + s * s,
    ),
    "half_block_float_0d": (  # a 0-d float32 tensor keeps float16 float16, as in torch
        with_scale("x[tile] * s[()]"),
        lambda: [f(301, dtype=torch.float16), f()],
        lambda x, s: (x * s).half(),
    ),
    "int_block_float_0d_stored_as_int": (
        with_scale("x[tile] + s[()]"),
        lambda: [ints(301), f() * 10],
        lambda x, s: (x + s).long(),
    ),
    "host_sum": (
        with_scale("x[tile] / total[()] + s", before="total = x.abs().sum()"),
        lambda: [f(301), f()],
        lambda x, s: x / x.abs().sum() + s,
    ),
    "of_a_block": (with_scale("x[tile][()] * 3 + s"), lambda: [f(37), f()], lambda x, s: x * 3 + s),
}


@pytest.mark.parametrize("case", INDEXED)
def test_zero_dim_indexed_with_an_empty_tuple_computes_as_torch(case):
    source, make, truth = INDEXED[case]
    assert_computes_as_torch(source, make, truth)


def test_zero_dim_index_beside_rows_computes_as_torch():
    body = (
        "    m, n = x.size()\n    out = torch.empty_like(x)\n"
        "    for tm, tn in hl.tile([m, n]):\n"
        "        out[tm, tn] = x[tm, tn] - s[()] * w[tn][None, :]\n    return out\n"
    )
    source = kernel("x: torch.Tensor, s: torch.Tensor, w: torch.Tensor", body)
    assert_computes_as_torch(source, lambda: [f(37, 29), f(), f(29)], lambda x, s, w: x - s * w)


STORES = {
    "one_program_stores": (
        "    for i in hl.grid(1):\n        s[()] = x[:].sum() * 2\n    return s\n",
        lambda x, s: x.sum() * 2,
    ),
    "atomic_add_empty_index": (
        "    for tile in hl.tile(x.size(0)):\n        hl.atomic_add(s, [], x[tile].sum())\n"
        "    return s\n",
        lambda x, s: s + x.sum(),
    ),
    "atomic_max_empty_index": (
        "    for tile in hl.tile(x.size(0)):\n        hl.atomic_max(s, [], x[tile].amax())\n"
        "    return s\n",
        lambda x, s: torch.maximum(s, x.max()),
    ),
}


@pytest.mark.parametrize("case", STORES)
def test_store_into_a_zero_dim_tensor_computes_as_torch(case):
    body, truth = STORES[case]
    source = kernel("x: torch.Tensor, s: torch.Tensor", body)
    assert_computes_as_torch(source, lambda: [f(301), f()], truth)


ITEMS = {
    "float": (lambda: [f(301), f()], lambda x, s: x * s),
    "int_into_int": (lambda: [ints(301), torch.tensor(7, device=DEVICE)], lambda x, s: x * s),
    "float_into_int": (  # a Python float times an int64 block, stored into int64: truncated
        lambda: [ints(301), torch.tensor(2.5, device=DEVICE)],
        lambda x, s: (x * s).long(),
    ),
}


@pytest.mark.parametrize("case", ITEMS)
def test_item_in_host_code_computes_as_torch(case):
    make, truth = ITEMS[case]
    source = with_scale("x[tile] * scale", before="scale = s.item()")
    assert_computes_as_torch(source, make, truth)


def line_of(source, text):
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


def assert_refused_on(source, args, text, *words):
    """As assert_refused_at, with the kernel's arguments given (their ranks known)."""
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile_module(source, example_args={"k": args})
    line = line_of(source, text)
    column = source.splitlines()[line - 1].index(text) + 1
    assert f":{line}:{column}:" in str(caught.value), str(caught.value)
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


def test_empty_index_of_a_tensor_with_dimensions_is_refused():
    source = kernel("x: torch.Tensor", ONE_LOOP.replace("EXPRESSION", "x[()] * 2"))
    assert_refused_on(source, (f(37),), "x[()]", "whole 1-D tensor", "x[tile]")


def test_empty_index_of_a_tensor_of_unknown_rank_says_how_to_know_it():
    source = with_scale("x[tile] * s[()]")
    assert_refused_at(source, line_of(source, "s[()]"), "s[()]", "rank of s", "example_args=")


def test_zero_dim_store_every_program_makes_is_refused():
    source = kernel(
        "x: torch.Tensor, s: torch.Tensor",
        "    for tile in hl.tile(x.size(0)):\n        s[()] = x[tile].sum()\n    return s\n",
    )
    assert_refused_on(source, (f(37), f()), "s[()] =", "StoreRaceError", "atomic_add")


def test_item_in_device_code_is_refused():
    source = with_scale("x[tile] * s.item()")
    assert_refused_at(
        source, line_of(source, ".item()"), "item()", "HostSyncError", "before the loop"
    )
