"""Helion's public API spellings that its published examples use, on kernels of our own."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE

import transpiler as helion
import transpiler.language as hl
from transpiler.compile.frontend.errors import TranspileError
from transpiler.helion_compat.autotuner import (
    LocalAutotuneCache,
    PowerOfTwoFragment,
    search_algorithms,
)


def rand(*shape: int) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(torch.float32).to(DEVICE)


@helion.kernel(ignore_warnings=[helion.exc.TensorOperationInWrapper])
def split_row_sum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([m], dtype=torch.float32, device=x.device)
    # the fragment class imported by name, as Helion's split-K example does
    parts = hl.register_tunable("parts", PowerOfTwoFragment(2, 8))
    chunk = helion.next_power_of_2(helion.cdiv(n, parts))
    for tile_m, outer_n in hl.tile([m, n], block_size=[None, chunk]):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for inner_n in hl.tile(outer_n.begin, outer_n.end):
            acc += x[tile_m, inner_n].sum(-1)
        hl.atomic_add(out, [tile_m], acc)
    return out


@helion.kernel()
def scaled_rows(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    n = hl.register_reduction_dim(x.size(1))
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        scale = w.new_zeros(n, dtype=torch.float64)  # a block from a host tensor's method
        scale += w[:].to(torch.float64) * 3
        out[tile_m, :] = (x[tile_m, :] * scale[None, :]).to(out.dtype)
    return out


@helion.kernel()
def weighted_sum(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    acc_dtype = torch.float64  # dtypes named in host code, used in the device loop
    dtype = x.dtype
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=acc_dtype)
        for tile_n in hl.tile(n):
            acc += (x[tile_m, tile_n].to(acc_dtype) * w[tile_n].to(acc_dtype)).sum(-1)
        out[tile_m] = acc.to(dtype)
    return out


@helion.kernel()
def norm_rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        var, mean = torch.var_mean(row, dim=-1, keepdim=True, correction=0)
        out[tile_m, :] = (row - mean) * torch.rsqrt(var + 1e-5)
    return out


@helion.kernel()
def add_broadcast(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    x, y = torch.broadcast_tensors(x, y)
    out = torch.empty(x.shape, dtype=torch.promote_types(x.dtype, y.dtype), device=x.device)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


@helion.kernel()
def pick_labels(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    out = torch.empty([n], dtype=logits.dtype, device=logits.device)
    logits_flat = logits.view(-1)  # a view made in host code, read only through hl.load
    for tile_n in hl.tile(n):
        out[tile_n] = hl.load(logits_flat, [tile_n.index * v + labels[tile_n]]) * 2
    return out


@helion.kernel()
def add_row_bias(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    bias = torch.broadcast_to(bias, (m, n))  # a parameter rebound to a 2-D view in host code
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] + bias[tile_m, tile_n]
    return out


def _tuner(bound_kernel: object, args: tuple, **kwargs: object) -> LocalAutotuneCache:
    return LocalAutotuneCache(search_algorithms["never called"](bound_kernel, args))


@helion.kernel(config=helion.Config(block_sizes=[16]), autotuner_fn=_tuner)
def shifted(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] - 1.5
    return out


@pytest.mark.parametrize("shape", [(7, 37), (3, 200)], ids=str)
def test_tunable_fragment_imported_by_name(shape):
    x = rand(*shape)
    torch.testing.assert_close(
        split_row_sum(x).cpu().double(), x.cpu().double().sum(-1), atol=1e-5, rtol=1e-5
    )


def test_register_reduction_dim_and_new_zeros_on_a_host_tensor():
    x, w = rand(5, 33), rand(33)
    code = scaled_rows.bind((x, w)).triton_source
    assert "tl.zeros([BLOCK_N], dtype=tl.float64)" in code
    assert "register_reduction_dim" not in code
    expected = x.cpu().double() * (w.cpu().double() * 3)[None, :]
    torch.testing.assert_close(scaled_rows(x, w).cpu().double(), expected, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_dtypes_named_in_host_code(dtype):
    x, w = rand(6, 45).to(dtype), rand(45)
    code = weighted_sum.bind((x, w)).triton_source
    assert "tl.zeros([BLOCK_M], dtype=tl.float64)" in code
    assert ".to(x_ptr.dtype.element_ty)" in code
    result = weighted_sum(x, w)
    assert result.dtype == dtype
    expected = (x.cpu().double() * w.cpu().double()).sum(-1)
    torch.testing.assert_close(result.cpu().double(), expected, atol=2e-3, rtol=2e-3)


def test_var_mean_unpacked_in_a_device_loop():
    x = rand(7, 37) * 3 + 1
    code = norm_rows.bind((x,)).triton_source
    assert "var = masked_var(" in code and "mean = tl.sum(" in code
    expected = torch.nn.functional.layer_norm(x.cpu().double(), (37,), eps=1e-5)
    torch.testing.assert_close(norm_rows(x).cpu().double(), expected, atol=1e-5, rtol=1e-5)


# the inputs' ranks are read before `x, y = torch.broadcast_tensors(x, y)` binds the names again
# (forgotten first, x of (7, 37) was taken as 1-D: refused at the launch)
@pytest.mark.parametrize(
    "shapes",
    [((7, 37), (37,)), ((3, 5, 9), (5, 1)), ((37,), (7, 37)), ((5, 1), (3, 1, 9))],
    ids=str,
)
def test_broadcast_tensors_then_empty_of_its_shape(shapes):
    x, y = rand(*shapes[0]), rand(*shapes[1]).to(torch.float16)
    result = add_broadcast(x, y)
    assert result.dtype == torch.float32 and result.shape == torch.broadcast_shapes(*shapes)
    expected = x.cpu().double() + y.cpu().double()
    torch.testing.assert_close(result.cpu().double(), expected, atol=1e-6, rtol=1e-6)


def test_host_view_read_through_hl_load():
    logits, labels = rand(9, 37), torch.randint(0, 37, (9,)).to(DEVICE)
    expected = 2 * logits.cpu().double()[torch.arange(9), labels.cpu()]
    torch.testing.assert_close(pick_labels(logits, labels).cpu().double(), expected)


def test_parameter_rebound_by_broadcast_to():
    x, bias = rand(7, 37), rand(37)
    expected = x.cpu().double() + bias.cpu().double()[None, :]
    torch.testing.assert_close(add_row_bias(x, bias).cpu().double(), expected)


def test_configs_and_fn_rewrap_as_in_helion():
    assert shifted.configs == [helion.Config(block_sizes=[16])]
    dynamic = helion.kernel(shifted.fn, configs=shifted.configs, static_shapes=False)
    untuned = helion.kernel(shifted.fn, configs=[])
    assert dynamic.configs == shifted.configs and untuned.configs == []
    x = rand(45)
    for kernel in (shifted, dynamic, untuned):
        torch.testing.assert_close(kernel(x).cpu().double(), x.cpu().double() - 1.5)


def test_exc_names_helion_warnings_and_catches_our_errors():
    assert issubclass(helion.exc.TensorOperationInWrapper, Warning)
    assert helion.exc.Base is TranspileError
    with pytest.raises(helion.exc.Base):
        helion.transpile(
            "import torch\nimport helion\nimport helion.language as hl\n\n"
            "@helion.kernel()\ndef f(x: torch.Tensor) -> torch.Tensor:\n"
            "    out = torch.empty_like(x)\n    for t in hl.tile(x.size(0)):\n"
            "        out[t] = torch.expp(x[t])\n    return out\n"
        )


def test_runtime_settings_names_the_triton_backend():
    """`from helion.runtime.settings import _get_backend`, as Helion's jagged-mean example
    picks its kernel by backend: ours is always Triton, in the harness's `helion` too."""
    import importlib
    import sys
    from pathlib import Path

    assert helion.runtime_settings._get_backend() == "triton"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        shim = importlib.import_module("helion_shim")
    finally:
        sys.path.pop(0)
    with shim.installed(transpile_only=True):
        namespace: dict = {}
        exec(
            "from helion.runtime.settings import _get_backend\nbackend = _get_backend()", namespace
        )
        assert namespace["backend"] == "triton"
