"""User-style probes of kernel parameters as users write them: unannotated ones given a 0-d
tensor, bool ones in a module made without example arguments, `float | None` ones given a
number, NumPy scalars, and the signatures and loops refused at the user's line."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import DEVICE, assert_matches, generated

import transpiler
from transpiler.run.runtime import load_module

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def axpy(a, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = a * x[tile] + y[tile]
    return out


@helion.kernel()
def clip_below(x, low):
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = torch.maximum(x[tile_m, tile_n], low)
    return out


@helion.kernel()
def fill_negative(x: torch.Tensor, value) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        out[tile] = torch.where(v < 0, value, v)
    return out


@helion.kernel()
def maybe_negate(x: torch.Tensor, negate: bool) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        if negate:
            out[tile] = -x[tile]
        else:
            out[tile] = x[tile]
    return out


@helion.kernel()
def scaled_rows(x: torch.Tensor, squared: bool = False) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :] * x[tile_m, :] if squared else x[tile_m, :]
        out[tile_m] = row.sum(-1)
    return out


@helion.kernel()
def relu_or_not(x: torch.Tensor, y: torch.Tensor, relu: bool, clamp: bool) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile in hl.tile([m, n]):
        v = x[tile] + y[tile]
        if relu and not clamp:
            v = torch.relu(v)
        out[tile] = v
    return out


@helion.kernel()
def optional_scale(x: torch.Tensor, scale: float | None = None) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        if scale is not None:
            v = v * scale
        out[tile] = v
    return out


@helion.kernel()
def layer_scale(x: torch.Tensor, eps=None, shift: float | None = None) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        norm = row.abs().amax(-1, keepdim=True)
        if eps is not None:
            norm = norm + eps
        row = row / norm
        if shift is None:
            out[tile_m, :] = row
        else:
            out[tile_m, :] = row + shift
    return out
"""

SCALAR = torch.tensor(2.5, device=DEVICE)


def _rows(*shape):
    return torch.randn(*shape, device=DEVICE) + 0.125


# (kernel, arguments, torch's answer from float64 copies): an unannotated parameter given a 0-d
# tensor reads its one element (Triton got the tensor's pointer: an internal error)
ZERO_DIM = [
    ("axpy", lambda: (SCALAR, _rows(101), _rows(101)), lambda a, x, y: a * x + y),
    ("axpy", lambda: (SCALAR.double(), _rows(77), _rows(77)), lambda a, x, y: a * x + y),
    ("clip_below", lambda: (_rows(9, 37), torch.tensor(0.3, device=DEVICE)), torch.maximum),
    (
        "fill_negative",
        lambda: (_rows(45), torch.tensor(-7.0, device=DEVICE)),
        lambda x, v: torch.where(x < 0, v, x),
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), ZERO_DIM)
def test_an_unannotated_parameter_given_a_zero_dim_tensor(name, make, truth):
    args = make()
    expected = truth(*(a.double().cpu() for a in args))  # float64 torch, on the CPU
    kernels = transpiler.kernels_from_source(SOURCE, filename="params.py")
    assert_matches(kernels[name](*args).cpu(), expected, dtype=torch.float32)
    assert_matches(generated(SOURCE, name, *args, filename="params.py")(*args), expected)


# (kernel, arguments, torch's answer): bool parameters in a module made with no example
# arguments (`kernel.triton_source`, `transpiler.transpile`) are constexprs (a Python bool
# launch argument crashed Triton's interpreter: "numpy data itemsize ... int1")
FLAGS = [
    ("maybe_negate", (_rows(77), True), lambda x, negate: -x),
    ("maybe_negate", (_rows(77), False), lambda x, negate: x),
    ("scaled_rows", (_rows(5, 33), True), lambda x, squared: (x * x).sum(-1)),
    ("scaled_rows", (_rows(5, 33),), lambda x: x.sum(-1)),
    ("relu_or_not", (_rows(7, 9), _rows(7, 9), True, False), lambda x, y, r, c: torch.relu(x + y)),
    ("relu_or_not", (_rows(7, 9), _rows(7, 9), True, True), lambda x, y, r, c: x + y),
]


@pytest.mark.parametrize(("name", "args", "truth"), FLAGS)
def test_bool_parameters_in_a_module_made_without_examples(name, args, truth):
    code = transpiler.transpile_module(SOURCE, filename="params.py", only=(name,)).code
    assert "tl.constexpr" in code.split(f"def {name}_kernel(")[1].split(")")[0]
    launcher = getattr(load_module(code, stem=name), name)
    expected = truth(*(a.double() if isinstance(a, torch.Tensor) else a for a in args))
    assert_matches(launcher(*args), expected, dtype=torch.float32)


# (kernel, calls in turn, torch's answers): a parameter that may be None, called with a number
# through the decorator (refused: "whether 'scale' is None is known only when the kernel is
# called", with a hint to do what the user had done)
OPTIONAL = [
    (
        "optional_scale",
        [((), {}), ((2.0,), {}), ((), {"scale": -3}), ((None,), {})],
        lambda x, scale=None: x if scale is None else x * scale,
    ),
    (
        "layer_scale",
        [((), {}), ((), {"eps": 0.5}), ((0.25, 1.5), {}), ((), {"shift": -2.0})],
        lambda x, eps=None, shift=None: (
            x / (x.abs().amax(-1, keepdim=True) + (eps or 0.0)) + (shift or 0.0)
        ),
    ),
]


@pytest.mark.parametrize(("name", "calls", "truth"), OPTIONAL, ids=[c[0] for c in OPTIONAL])
def test_an_optional_number_given_a_value_or_none(name, calls, truth):
    kernel = transpiler.kernels_from_source(SOURCE, filename="params.py")[name]
    x = _rows(13, 29) if name == "layer_scale" else _rows(101)
    for args, kwargs in calls:
        assert_matches(kernel(x, *args, **kwargs), truth(x.double(), *args, **kwargs))
    bound = kernel.bind((x, 2.0))
    with pytest.raises(RuntimeError, match="transpiled for .* = a number: transpile it again"):
        bound(x, None)


@pytest.mark.parametrize(
    ("name", "args", "truth"),
    [
        ("axpy", (np.float32(2.5), _rows(101), _rows(101)), lambda a, x, y: 2.5 * x + y),
        ("axpy", (np.int64(-3), _rows(45), _rows(45)), lambda a, x, y: -3 * x + y),
        ("maybe_negate", (_rows(33), np.bool_(True)), lambda x, negate: -x),
        ("optional_scale", (_rows(33), np.float64(0.5)), lambda x, scale: x * 0.5),
    ],
)
def test_numpy_scalars_are_python_numbers(name, args, truth):
    """Triton cannot pass a NumPy scalar to a kernel ("failed to specialize argument of type
    numpy.float32" on the GPU); torch takes them as numbers, so does the decorator."""
    kernel = transpiler.kernels_from_source(SOURCE, filename="params.py")[name]
    expected = truth(*(a.double() if isinstance(a, torch.Tensor) else a for a in args))
    assert_matches(kernel(*args), expected, dtype=torch.float32)
    assert_matches(kernel.bind(tuple(args))(*args), expected, dtype=torch.float32)


REFUSED = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def add_all(*xs: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(xs[0])
    for tile in hl.tile(out.size(0)):
        out[tile] = xs[0][tile] + xs[1][tile]
    return out


@helion.kernel()
def with_options(x: torch.Tensor, **options) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile]
    return out


@helion.kernel()
def repeated(x: torch.Tensor, times: int) -> torch.Tensor:
    out = x.clone()
    for _ in range(times):
        for tile in hl.tile(out.size(0)):
            out[tile] = out[tile] * 2
    return out


@helion.kernel()
def chosen(x: torch.Tensor, double: bool) -> torch.Tensor:
    out = torch.empty_like(x)
    if double:
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile] * 2
    else:
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile] * 3
    return out


@helion.kernel()
def add_pair(xs: list[torch.Tensor]) -> torch.Tensor:
    out = torch.empty_like(xs[0])
    for tile in hl.tile(out.size(0)):
        out[tile] = xs[0][tile] + xs[1][tile]
    return out


@helion.kernel()
def add_three(xs: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> torch.Tensor:
    out = torch.empty_like(xs[0])
    for tile in hl.tile(out.size(0)):
        acc = xs[0][tile]
        for i in hl.static_range(1, 3):
            acc = acc + xs[i][tile]
        out[tile] = acc
    return out


@helion.kernel()
def add_unpacked(xs: list[torch.Tensor]) -> torch.Tensor:
    a, b = xs
    out = torch.empty_like(a)
    for tile in hl.tile(out.size(0)):
        out[tile] = a[tile] + b[tile]
    return out
"""

X = _rows(45)


# (kernel, arguments, line:column, words of the message, words of the hint)
REFUSALS = [
    ("add_all", (X, X), "8:13", "collecting arguments (*xs)", "name each parameter"),
    ("with_options", (X,), "16:35", "collecting arguments (**options)", "name each parameter"),
    ("repeated", (X, 2), "27:21", "a device loop inside host control flow", "Python loop"),
    ("chosen", (X, True), "36:21", "a device loop inside host control flow", "inside the device"),
    ("add_pair", ([X, X],), "48:21", "argument 'xs' indexed inside", "a, b = xs"),
    ("add_three", ((X, X, X),), "56:15", "argument 'xs' indexed inside", "a, b = xs"),
]


@pytest.mark.parametrize(("name", "args", "place", "message", "hint"), REFUSALS)
def test_refused_at_the_users_line_with_the_fix(name, args, place, message, hint):
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(REFUSED, name, *args, filename="refused.py")
    text = str(caught.value)
    assert f"refused.py:{place}:" in text and message in text, text
    assert hint in text.split("hint:")[1], text


def test_a_list_unpacked_in_host_code_runs():
    x, y = _rows(77), _rows(77)
    kernel = generated(REFUSED, "add_unpacked", [x, y], filename="refused.py")
    assert_matches(kernel([x, y]), (x.double() + y.double()).cpu())
