"""Evaluator-style probes of what a kernel takes and gives back (round 7): tuples of outputs in
either order, a Python number computed in host code, views of the output (`out.view(m, n)`,
`out.T`), None; default and keyword-only arguments, calls by keyword, a kernel called from
another kernel's host code; float / int / bool arguments in device and host code, a 0-d tensor
argument, `hl.specialize` of a size in a host expression; each against float64 torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, load_module
from torch_answers import assert_computes_as_torch

import transpiler

HEADER = """
import torch
import helion
import helion.language as hl
"""


def f(*shape, dtype=torch.float32):
    return torch.randn(*shape, device=DEVICE, dtype=dtype)


def module(body, *args):
    """The generated module of kernel `k` (and the kernels beside it), specialised on `args`."""
    transpiled = transpiler.transpile_module(
        HEADER + body, filename="kernels.py", example_args={"k": args}
    )
    return load_module(transpiled.code, stem="k")


def close(got, expected):
    torch.testing.assert_close(got.double().cpu(), expected.double().cpu(), rtol=1e-5, atol=1e-5)


PAIR = """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    a = torch.empty_like(x)
    b = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a[tile] = x[tile] + y[tile]
        b[tile] = x[tile] - y[tile]
    return RESULT
"""


@pytest.mark.parametrize(
    ("result", "truth"),
    [("a, b", lambda x, y: (x + y, x - y)), ("b, a", lambda x, y: (x - y, x + y))],
    ids=["in_order", "swapped"],
)
def test_tuple_of_outputs(result, truth):
    source = HEADER + PAIR.replace("RESULT", result)
    assert_computes_as_torch(source, lambda: [f(129), f(129)], truth)


def test_python_number_beside_the_output():
    body = """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, int]:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] * 2
    return out, n * 3
"""
    x = f(37)
    out, number = module(body, x).k(x)
    close(out, x * 2)
    assert number == 111 and isinstance(number, int)


def test_item_of_the_output():
    body = """
@helion.kernel()
def k(x: torch.Tensor) -> float:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
    return out.sum().item()
"""
    x = f(37)
    assert module(body, x).k(x) == pytest.approx(float((x.double() * 2).sum()), rel=1e-5)


VIEWS = {
    "view": ("out.view(m, n)", lambda x: x + 1),
    "T": ("out.view(m, n).T", lambda x: (x + 1).T),
    "slice": ("out.view(m, n)[1:, ::2]", lambda x: (x + 1)[1:, ::2]),
}


@pytest.mark.parametrize("case", VIEWS)
def test_view_of_the_output(case):
    result, truth = VIEWS[case]
    source = (
        HEADER
        + f"""
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m * n], dtype=x.dtype, device=x.device)
    flat = x.reshape(-1)
    for tile in hl.tile(m * n):
        out[tile] = flat[tile] + 1
    return {result}
"""
    )
    assert_computes_as_torch(source, lambda: [f(37, 29)], truth)


def test_none_returned_after_writing_the_argument():
    body = """
@helion.kernel()
def k(x: torch.Tensor, out: torch.Tensor) -> None:
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 3
    return None
"""
    x, out = f(37), f(37)
    assert module(body, x, out).k(x, out) is None
    close(out, x * 3)


KEYWORDS = """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor, alpha: float = 1.0, *, shift: float = 0.5,
      negate: bool = False) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile] + alpha * y[tile] + shift
        out[tile] = -v if negate else v
    return out
"""


@pytest.mark.parametrize(
    ("call", "truth"),
    [
        (lambda k, x, y: k(x, y), lambda x, y: x + y + 0.5),
        (lambda k, x, y: k(x, y, 0.25), lambda x, y: x + 0.25 * y + 0.5),
        (lambda k, x, y: k(y=y, x=x, alpha=3.0), lambda x, y: x + 3 * y + 0.5),
        (lambda k, x, y: k(x, y, shift=-2.0), lambda x, y: x + y - 2),
        (lambda k, x, y: k(x, y=x, alpha=-1, shift=0.0), lambda x, y: x * 0),
    ],
    ids=["defaults", "positional", "by_keyword", "keyword_only", "same_tensor_by_keyword"],
)
def test_default_and_keyword_arguments(call, truth):
    x, y = f(129), f(129)
    launcher = module(KEYWORDS, x, y).k
    close(call(launcher, x, y), truth(x.double(), y.double()))


def test_bool_specialised_on_its_default_refuses_another_value():
    """A transpiled module is specialised on the bool the example call gave (its default)."""
    x, y = f(129), f(129)
    with pytest.raises(RuntimeError, match="transpiled for negate = False"):
        module(KEYWORDS, x, y).k(x, y, negate=True)


def test_kernel_called_from_another_kernels_host_code():
    body = """
@helion.kernel()
def inner(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * y[tile]
    return out


@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    product = inner(x, y)
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = product[tile] + x[tile]
    return inner(out, y)
"""
    x, y = f(129), f(129)
    close(module(body, x, y).k(x, y), (x.double() * y + x) * y)


def scalar_kernel(signature, expression, before=""):
    return (
        HEADER
        + f"""
@helion.kernel()
def k({signature}) -> torch.Tensor:
    {before or "pass"}
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = {expression}
    return out
"""
    )


SCALARS = {
    "int_in_device": (
        scalar_kernel("x: torch.Tensor, n: int", "x[tile] * n + n // 2"),
        lambda: [f(37), 7],
        lambda x, n: x * 7 + 3,
    ),
    "float_in_host": (
        scalar_kernel("x: torch.Tensor, eps: float", "x[tile] * inv", "inv = 1.0 / (eps * 4)"),
        lambda: [f(37), 0.1],
        lambda x, eps: x * (1.0 / (eps * 4)),
    ),
    "float_into_half": (
        scalar_kernel("x: torch.Tensor, alpha: float", "x[tile] * alpha"),
        lambda: [f(1001, dtype=torch.float16), 3.3],
        lambda x, alpha: x * alpha,
    ),
    "zero_dim_argument": (
        scalar_kernel("x: torch.Tensor, s: torch.Tensor", "x[tile] * s"),
        lambda: [f(37), torch.tensor(1.75, device=DEVICE)],
        lambda x, s: x * s,
    ),
    "zero_dim_item": (
        scalar_kernel("x: torch.Tensor, s: torch.Tensor", "x[tile] * scale", "scale = s.item()"),
        lambda: [f(37), torch.tensor(-0.5, device=DEVICE)],
        lambda x, s: x * s,
    ),
    "specialized_size_in_host": (
        scalar_kernel(
            "x: torch.Tensor",
            "x[tile, :] * factor",
            "n = hl.specialize(x.size(1))\n    factor = 2.0 if n > 16 else 5.0",
        ),
        lambda: [f(37, 9)],
        lambda x: x * 5.0,
    ),
}


@pytest.mark.parametrize("case", SCALARS)
def test_scalar_arguments_compute_as_torch(case):
    source, make, truth = SCALARS[case]
    assert_computes_as_torch(source, make, truth)


BRANCH = """
@helion.kernel()
def k(x: torch.Tensor, flag: bool) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        if flag:
            out[tile] = x[tile] * 2
        else:
            out[tile] = x[tile] * 4
    return out
"""


@pytest.mark.parametrize("flag", [True, False])
def test_bool_argument_branch_in_device_code(flag):
    assert_computes_as_torch(
        HEADER + BRANCH, lambda: [f(37), flag], lambda x, b: x * (2 if b else 4)
    )
