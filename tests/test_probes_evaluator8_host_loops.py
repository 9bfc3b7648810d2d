"""Evaluator-style probes of device loops nested under host control flow (round 8): a loop under
a host `if` / `else`, `for`, `while`, `with` or `try` is refused at the loop with a hint for that
statement (before round 8 the hint spoke of an `if` for every one, and beside a top-level loop the
message was "helion.language.tile in host code"); the fixes the hints name compute as torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from torch_answers import assert_computes_as_torch, assert_refused_at

HEADER = """
import torch
import helion
import helion.language as hl
"""


def f(*shape):
    return torch.randn(*shape, device=DEVICE)


def kernel(signature, body):
    return HEADER + f"\n@helion.kernel()\ndef k({signature}) -> torch.Tensor:\n{body}"


LOOP = "for tile in hl.tile(x.size(0)):\n{pad}    out[tile] = out[tile] + x[tile]\n"


def nested(head, tail="", first_loop=False):
    """`head` (a host statement) around a device loop, after a top-level loop if `first_loop`."""
    first = (
        "    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile]\n" if first_loop else ""
    )
    inner = LOOP.format(pad="        ")
    return kernel(
        "x: torch.Tensor",
        f"    out = torch.zeros_like(x)\n{first}    {head}\n        {inner}{tail}    return out\n",
    )


# (the statement around, the code after the loop that it needs, the words of message and hint)
AROUND = {
    "if": ("if x.size(0) > 10:", "", "a host `if`", "move the `if` inside the device loop"),
    "else": (
        "if x.size(0) > 1000:\n        out = x\n    else:",
        "",
        "a host `if`",
        "move the `if` inside",
    ),
    "for": ("for i in range(2):", "", "a host `for`", "from a Python loop in the caller"),
    "while": ("while out.sum() < 100:", "", "a host `while`", "for i in range(k)"),
    "with": ("with torch.no_grad():", "", "a `with` block", "out of the `with` block"),
    "try": ("try:", "    finally:\n        pass\n", "a `try` block", "out of the `try` block"),
}


@pytest.mark.parametrize("case", AROUND)
@pytest.mark.parametrize("first_loop", [False, True], ids=["alone", "after_a_top_level_loop"])
def test_device_loop_under_host_control_flow_is_refused_naming_the_fix(case, first_loop):
    head, tail, message, hint = AROUND[case]
    source = nested(head, tail, first_loop)
    line = [i for i, text in enumerate(source.splitlines(), 1) if "hl.tile" in text][-1]
    assert_refused_at(source, line, "hl.tile", "NoDeviceLoopError", message, "top level", hint)


def test_nearest_statement_around_names_the_fix():
    """A host `for` inside a host `if`: the `for` is the one to move."""
    source = kernel(
        "x: torch.Tensor",
        "    out = torch.zeros_like(x)\n    if x.size(0) > 10:\n        for i in range(2):\n"
        "            for tile in hl.tile(x.size(0)):\n"
        "                out[tile] = out[tile] + x[tile]\n    return out\n",
    )
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "hl.tile" in text)
    assert_refused_at(source, line, "hl.tile", "a host `for`", "Python loop")


# the fixes the hints name: the host statement moved inside the device loop
FIXED = {
    "range_inside": (
        "x: torch.Tensor",
        "    out = torch.zeros_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        "        acc = x[tile]\n        for i in range(3):\n            acc = acc * 2 + 1\n"
        "        out[tile] = acc\n    return out\n",
        lambda: [f(301)],
        lambda x: ((x * 2 + 1) * 2 + 1) * 2 + 1,
    ),
    "flag_inside": (
        "x: torch.Tensor, negate: bool",
        "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        "        if negate:\n            out[tile] = -x[tile]\n        else:\n"
        "            out[tile] = x[tile]\n    return out\n",
        lambda: [f(37), True],
        lambda x, negate: -x,
    ),
    "size_test_inside_2d": (
        "x: torch.Tensor",
        "    m, n = x.size()\n    out = torch.zeros_like(x)\n    for tm, tn in hl.tile([m, n]):\n"
        "        if m > 10:\n            out[tm, tn] = x[tm, tn] * 2\n    return out\n",
        lambda: [f(37, 29)],
        lambda x: x * 2,
    ),
}


@pytest.mark.parametrize("case", FIXED)
def test_host_statement_moved_inside_the_loop_computes_as_torch(case):
    signature, body, make, truth = FIXED[case]
    assert_computes_as_torch(kernel(signature, body), make, truth)
