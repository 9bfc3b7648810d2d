"""TMA copies of swapped views: `k.transpose(1, 2)` / `w.t()` made in the kernel's host code.

Helion's attention example transposes the keys on the host (`k_view = k.reshape(...)
.transpose(1, 2)`), so its key tiles are columns of a row-major tensor: a descriptor over the
view itself would need a contiguous last dimension, which the view does not have. The
descriptor is made over the view's memory instead (the view's last two dimensions swapped)
and each loaded tile is turned back with `.T`; the launcher checks the memory's layout
(`tma_fits(k_view.transpose(-2, -1), ...)`), and any other layout takes the pointer path.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
import torch

import transpiler
from tests.helpers import DEVICE, assert_matches, on_device
from transpiler.compile.frontend.aliases import Aliases
from transpiler.compile.frontend.host import HostInfo
from transpiler.run.runtime import load_module

# Helion's attention example as the benchmarks run it: its keys transposed on the host
ATTENTION = (Path(__file__).resolve().parents[1] / "benchmarks/kernels.py").read_text()

LINEAR = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def linear(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = weight.size(0)
    weight_t = weight.t()  # nn.Linear's [out, in] weight, read as [in, out]
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], weight_t[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out
"""

WS = {
    "block_sizes": [16, 16],
    "num_warps": 4,
    "num_stages": 2,
    "indexing": "tensor_descriptor",
    "range_warp_specializes": [True],
}
TMA_MATMUL = {"block_sizes": [16, 16, 16], "indexing": "tensor_descriptor"}


def build(source: str, name: str, config: dict, *args: torch.Tensor):
    transpiled = transpiler.transpile_module(
        source, filename="kernels.py", example_args={name: args}, only=(name,), config=config
    )
    stem = f"{name}_swapped_{abs(hash((source, str(config))))}"
    return transpiled.code, load_module(transpiled.code, stem=stem)


def watch_fits(module, monkeypatch, helper: str) -> list[bool]:
    seen: list[bool] = []
    fits = getattr(module, helper)
    monkeypatch.setattr(module, helper, lambda *a: seen.append(fits(*a)) or seen[-1])
    return seen


def attention_inputs(batch: int, heads: int, m: int, n: int, d: int, dtype: torch.dtype):
    torch.manual_seed(11)
    q = torch.randn(batch, heads, m, d, dtype=dtype)
    k = torch.randn(batch, heads, n, d, dtype=dtype) * 0.5
    v = torch.randn(batch, heads, n, d, dtype=dtype) + 0.25
    return q, k, v


def attention_exact(q, k, v):
    scores = q.double() @ k.double().transpose(-2, -1) / q.size(-1) ** 0.5
    return torch.softmax(scores, dim=-1) @ v.double()


def test_the_keys_descriptor_copies_the_views_memory_and_turns_tiles_back():
    q, k, v = attention_inputs(2, 3, 32, 48, 32, torch.float32)
    code, _ = build(ATTENTION, "attention", WS, q, k, v)
    for line in (
        "k_view_ptr, shape=[q_view_size_0 * k_view_size_2, head_dim],",
        "strides=[k_view_stride_2, 1], block_shape=[BLOCK_N, BLOCK_HEAD_DIM])",
        "k = k_view_desc.load([offs_b * k_view_size_2 + begin_n, 0]).T",
        "# k_view is a transposed view: TMA copies its memory's rows, loads turn them (.T)",
        "tma_rows_fit(k_view.transpose(-2, -1), v_view.size(1) % BLOCK_N == 0, BLOCK_N,",
        "for begin_n in tl.range(0, v_view_size_1, BLOCK_N, warp_specialize=TENSOR_DESCRIPTORS):",
    ):
        assert line in code, line


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
@pytest.mark.parametrize(
    "shape, path",
    [
        ((2, 3, 32, 48, 32), "tma"),  # whole tiles: every batch's rows join the next's
        ((2, 2, 32, 40, 32), "pointers"),  # 40 keys: a tile would cross into the next batch
    ],
)
def test_helions_attention_spelling_through_tma(shape, path, dtype, monkeypatch):
    q, k, v = attention_inputs(*shape, dtype)
    _, module = build(ATTENTION, "attention", WS, q, k, v)
    seen = watch_fits(module, monkeypatch, "tma_rows_fit")
    result = on_device(module.attention)(q, k, v)
    assert seen and all(seen) == (path == "tma")
    assert_matches(result, attention_exact(q, k, v), dtype, dots=True)


def test_keys_whose_memory_is_already_transposed_take_pointers(monkeypatch):
    """k_in given as a transposed view of [.., d, n] memory: k_view is then contiguous, its
    memory is not the swapped layout the descriptor copies, and pointers read it."""
    q, k, v = attention_inputs(2, 3, 32, 48, 32, torch.float32)
    k_odd = k.transpose(-2, -1).contiguous().transpose(-2, -1)
    _, module = build(ATTENTION, "attention", WS, q, k, v)
    seen = watch_fits(module, monkeypatch, "tma_rows_fit")
    result = on_device(module.attention)(q, k_odd, v)
    assert seen and not all(seen)
    assert_matches(result, attention_exact(q, k, v), torch.float32, dots=True)


@pytest.mark.parametrize("pid_type", ["flat", "persistent_interleaved"])
@pytest.mark.parametrize(
    "m, k, n, path", [(48, 32, 64, "tma"), (37, 29, 53, "pointers")], ids=["aligned", "odd"]
)
def test_linear_reads_its_weight_through_a_transposed_descriptor(
    m, k, n, path, pid_type, monkeypatch
):
    torch.manual_seed(3)
    x = torch.randn(m, k) + 0.5
    weight = torch.randn(n, k) - 0.25
    code, module = build(LINEAR, "linear", {**TMA_MATMUL, "pid_type": pid_type}, x, weight)
    assert "weight_t_desc.load([pid_n * BLOCK_N, begin_k]).T" in code
    assert "tma_fits(weight_t.transpose(-2, -1), BLOCK_N, BLOCK_K)" in code
    seen = watch_fits(module, monkeypatch, "tma_fits")
    result = on_device(module.linear)(x, weight)
    assert seen and all(seen) == (path == "tma")
    assert_matches(result, x.double() @ weight.double().t(), torch.float32, dots=True)


def test_a_stored_swapped_view_is_written_through_an_ordinary_descriptor():
    """Stores keep the view's own layout test: only loads are turned back."""
    source = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def scale_into_transposed(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(1), x.size(0)], dtype=x.dtype, device=x.device)
    out_t = out.t()
    for tile_m, tile_n in hl.tile(x.size()):
        out_t[tile_m, tile_n] = x[tile_m, tile_n] * 2.0
    return out
"""
    torch.manual_seed(4)
    x = torch.randn(32, 48)
    code, module = build(source, "scale_into_transposed", {"indexing": "tensor_descriptor"}, x)
    assert ".T" not in code.split("def scale_into_transposed(")[0].split("_kernel(")[1]
    assert "tma_fits(out_t, " in code
    result = on_device(module.scale_into_transposed)(x)
    assert torch.equal(result.cpu(), (x * 2.0).t())


@pytest.mark.parametrize(
    "statement, swapped",
    [
        ("y = x.t()", True),
        ("y = x.transpose(-2, -1)", True),
        ("y = x.transpose(-1, -2)", True),
        ("y = x.transpose(1, 2)", True),  # x is 3-D (its example's rank)
        ("y = x.transpose(0, 1)", False),  # batch and rows
        ("y = x.transpose(0, 2)", False),
        ("y = x.reshape([-1, n, d]).transpose(1, 2)", True),
        ("y = x.reshape([-1, d]).transpose(0, 1)", True),
        ("y = x.permute(0, 2, 1)", False),  # not recognised: pointers (and correct)
        ("y = x.view(-1)", False),
    ],
)
def test_which_host_views_count_as_swapped(statement, swapped):
    host = HostInfo(aliases=Aliases())
    host.tensors.add("x")
    host.ranks["x"] = 3
    host.absorb(cst.parse_statement(statement))
    assert ("y" in host.swapped) == swapped


def test_a_swapped_view_swapped_again_is_not_swapped():
    host = HostInfo(aliases=Aliases())
    host.tensors.add("x")
    host.ranks["x"] = 2
    host.absorb(cst.parse_statement("y = x.t()"))
    host.absorb(cst.parse_statement("z = y.t()"))
    host.absorb(cst.parse_statement("y = y.view(-1)"))
    assert "z" not in host.swapped and "y" not in host.swapped


@pytest.mark.skipif(DEVICE != "cuda", reason="needs a GPU")
@pytest.mark.parametrize("pid_type", ["flat", "persistent_interleaved"])
def test_bf16_helion_attention_warp_specialized_on_the_gpu(pid_type):
    for shape in ((2, 20, 512, 384, 128), (1, 4, 200, 256, 128)):
        q, k, v = attention_inputs(*shape, torch.bfloat16)
        config = {**WS, "block_sizes": [128, 128], "pid_type": pid_type}
        _, module = build(ATTENTION, "attention", config, q, k, v)
        result = on_device(module.attention)(q, k, v)
        assert_matches(result, attention_exact(q, k, v), torch.bfloat16, dots=True)
