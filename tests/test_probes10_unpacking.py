"""Evaluator-style probes of tuple assignments in device code (round 10). Python reads every
value on the right before it binds any name on the left; the lowering assigned the elements one
by one, so `a, b = b, a` emitted `a = b; b = a` (both names b's value), and the online softmax
written as one statement, `m_i, l_i = m_new, l_i * torch.exp(m_i - m_new) + ...`, rescaled by
the new maximum against itself (row logsumexps off by up to 1.8). Now a value that reads a name
an earlier element binds is kept first (`b_next = a; a = b; b = b_next`: lower/statements.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, one_line
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

import transpiler

ROWS = 37


def fibonacci(a, b, steps):
    for _ in range(steps):
        a, b = b, a + b
    return a


def loop(*lines: str, out: str = "torch.empty_like(x)") -> str:
    inner = "".join(f"        {line}\n" for line in lines)
    return f"    out = {out}\n    for tile in hl.tile(x.size(0)):\n{inner}    return out\n"


def vectors(count):
    return lambda: [torch.randn(301, device=DEVICE) * 3 for _ in range(count)]


UNPACKINGS = {
    "swap": (
        "x: torch.Tensor, y: torch.Tensor",
        loop("a = x[tile]", "b = y[tile]", "a, b = b, a", "out[tile] = a * 10 + b"),
        vectors(2),
        lambda x, y: y * 10 + x,
    ),
    "rotate_three": (
        "x: torch.Tensor, y: torch.Tensor, z: torch.Tensor",
        loop(
            "a, b, c = x[tile], y[tile], z[tile]",
            "a, b, c = b, c, a",
            "out[tile] = a * 100 + b * 10 + c",
        ),
        vectors(3),
        lambda x, y, z: y * 100 + z * 10 + x,
    ),
    "sum_and_difference": (
        "x: torch.Tensor, y: torch.Tensor",
        loop("a = x[tile]", "b = y[tile]", "a, b = a + b, a - b", "out[tile] = a * b"),
        vectors(2),
        lambda x, y: (x + y) * (x - y),
    ),
    "list_target": (
        "x: torch.Tensor, y: torch.Tensor",
        loop("a = x[tile]", "b = y[tile]", "[a, b] = [b * 2, a]", "out[tile] = a - b"),
        vectors(2),
        lambda x, y: 2 * y - x,
    ),
    "nested": (
        "x: torch.Tensor, y: torch.Tensor",
        loop(
            "a = x[tile]",
            "b = y[tile]",
            "c = a * 0 + 1",
            "a, (b, c) = c, (a, b)",
            "out[tile] = a * 100 + b * 10 + c",
        ),
        vectors(2),
        lambda x, y: 100 + x * 10 + y,
    ),
    "fibonacci_through_an_inner_loop": (
        "x: torch.Tensor, y: torch.Tensor",
        loop(
            "a = x[tile, 0]",
            "b = y[tile]",
            "for step in hl.tile(x.size(1), block_size=1):",
            "    a, b = b, a + b",
            "out[tile] = a",
            out="torch.empty([x.size(0)], dtype=x.dtype, device=x.device)",
        ),
        lambda: [torch.randn(ROWS, 9, device=DEVICE), torch.randn(ROWS, device=DEVICE)],
        lambda x, y: fibonacci(x[:, 0], y, 9),
    ),
    "online_softmax_in_one_statement": (
        "x: torch.Tensor",
        loop(
            "m_i = hl.full([tile], float('-inf'), dtype=torch.float32)",
            "l_i = hl.zeros([tile], dtype=torch.float32)",
            "for chunk in hl.tile(x.size(1)):",
            "    v = x[tile, chunk]",
            "    m_new = torch.maximum(m_i, v.amax(1))",
            "    m_i, l_i = m_new, l_i * torch.exp(m_i - m_new) + torch.exp(v - m_new[:, None]).sum(1)",
            "out[tile] = m_i + torch.log(l_i)",
            out="torch.empty([x.size(0)], dtype=torch.float32, device=x.device)",
        ),
        lambda: [torch.randn(ROWS, 300, device=DEVICE) * 3],
        lambda x: torch.logsumexp(x, 1),
    ),
}


@pytest.mark.parametrize("case", UNPACKINGS)
def test_a_tuple_assignment_reads_every_value_before_binding(case):
    signature, body, make, truth = UNPACKINGS[case]
    assert_computes_as_torch(kernel(signature, body), make, truth)


def test_the_swap_keeps_the_old_value_under_a_name_of_its_own():
    signature, body, make, _ = UNPACKINGS["swap"]
    module = transpiler.transpile_module(
        kernel(signature, body), filename="kernels.py", example_args={"k": make()}, only=("k",)
    ).code
    assert "b_next = a a = b b = b_next" in one_line(module), module
