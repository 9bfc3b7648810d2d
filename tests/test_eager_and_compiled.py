"""Kernels called eagerly and under torch.compile in any order: one graph, no failure (issue 14)."""

import importlib.util
import sys
import textwrap

import pytest
import torch
from helpers import dot_tolerance
from torch._dynamo.testing import CompileCounterWithBackend
from torch._subclasses.fake_tensor import FakeTensorMode

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"

# RMS norm → matmul → softmax, as a transformer block chains them. Written to a module per
# test with the order in the kernels' names, so that each test registers its own ops.
KERNELS = """
import torch
import transpiler
import transpiler.language as hl


@transpiler.kernel()
def rms_norm_{tag}(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        scale = torch.rsqrt(torch.mean(row * row, dim=-1, keepdim=True) + eps)
        out[tile_m, :] = (row * scale * weight[None, :].to(torch.float32)).to(out.dtype)
    return out


@transpiler.kernel()
def matmul_{tag}(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


@transpiler.kernel()
def softmax_{tag}(x: torch.Tensor) -> torch.Tensor:
    n, _m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        values = x[tile_n, :]
        exp = torch.exp(values - torch.amax(values, dim=1, keepdim=True))
        out[tile_n, :] = exp / torch.sum(exp, dim=1, keepdim=True)
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[16, 16], indexing="tensor_descriptor"))
def scaled_{tag}(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0
    return out


def block(x: torch.Tensor, weight: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return softmax_{tag}(matmul_{tag}(rms_norm_{tag}(x, weight), y))
"""


def kernels(tmp_path, tag: str):
    """A fresh module of the kernels above (new ops: nothing registered by an earlier test)."""
    path = tmp_path / f"chained_{tag}.py"
    path.write_text(textwrap.dedent(KERNELS).format(tag=tag))
    spec = importlib.util.spec_from_file_location(f"chained_{tag}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # inspect.getsource finds the kernels' file through it
    spec.loader.exec_module(module)
    return module


def expected(x: torch.Tensor, weight: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    x, weight, y = x.double(), weight.double(), y.double()
    normed = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * weight
    return torch.softmax(normed @ y, dim=-1)


def inputs(m: int, k: int, n: int) -> tuple[torch.Tensor, ...]:
    """Fresh random values, odd sizes, no zeros (the weight is kept away from 0)."""
    weight = (torch.rand(k, device=DEVICE) + 0.5) * torch.sign(torch.randn(k, device=DEVICE))
    return torch.randn(m, k, device=DEVICE), weight, torch.randn(k, n, device=DEVICE)


SHAPES = [(19, 24, 33), (7, 40, 17), (23, 16, 9), (5, 48, 31), (11, 8, 13)]


def run_in_order(block, order: str, compiled) -> None:
    """Calls `block` eagerly ("e") or compiled ("c") in `order`, each on new shapes."""
    for kind, shape in zip(order, SHAPES, strict=False):
        args = inputs(*shape)
        out = (compiled if kind == "c" else block)(*args)
        tolerance = dot_tolerance(torch.float32)
        torch.testing.assert_close(out.double(), expected(*args), **tolerance)


@pytest.mark.parametrize("order", ["ceec", "ecec", "eecc"])
def test_eager_and_compiled_calls_mix_in_any_order(tmp_path, order):
    """Compiled with AOT autograd (fake tensors, as Inductor traces): the ops an eager call
    registered trace like those registered while Dynamo traced; new shapes recompile cleanly."""
    torch._dynamo.reset()
    module = kernels(tmp_path, order)
    counter = CompileCounterWithBackend("aot_eager")
    compiled = torch.compile(module.block, backend=counter, fullgraph=True)
    run_in_order(module.block, order, compiled)
    assert 1 <= counter.frame_count <= order.count("c")  # a graph per compilation, no breaks
    explanation = torch._dynamo.explain(module.block)(*inputs(*SHAPES[0]))
    assert (explanation.graph_count, explanation.graph_break_count) == (1, 0)
    calls = [str(node.target) for node in counter.graphs[-1].graph.nodes]
    assert sum(call.startswith("transpiler.") for call in calls) == 3, calls


def test_host_code_reads_no_data_pointer_of_a_fake_tensor(tmp_path):
    """The H200's failure: tma_fits read `data_ptr()`, which fake tensors refuse ("Cannot
    access data pointer of Tensor"); the op of a TMA kernel registered by an eager call then
    failed the next compilation. Traced, a TMA kernel takes pointers: the graph keeps the
    choice, and a later input may start anywhere (judged by the storage offset instead, the
    H200 ran the 4-byte-offset input below through TMA: "misaligned address")."""
    torch._dynamo.reset()
    module = kernels(tmp_path, "tma")
    x = torch.randn(37, 21, device=DEVICE)
    torch.testing.assert_close(module.scaled_tma(x), 2 * x)  # eager: registers the op
    op = module.scaled_tma.op(x)
    with FakeTensorMode():
        fake = op(torch.empty(5, 48, device=DEVICE))
    assert fake.shape == (5, 48)
    compiled = torch.compile(lambda t: module.scaled_tma(t) + 1.0, backend="aot_eager")
    for shape in [(37, 21), (9, 64), (3, 5)]:
        x = torch.randn(shape, device=DEVICE)
        torch.testing.assert_close(compiled(x), 2 * x + 1.0)
    offset = torch.randn(2 * 64 + 1, device=DEVICE)[1:].view(2, 64)  # 4 bytes off: pointers
    torch.testing.assert_close(compiled(offset), 2 * offset + 1.0)


@pytest.mark.gpu
def test_reduce_overhead_mode_after_eager_calls(tmp_path):
    """CUDA graphs (mode="reduce-overhead", Inductor) over ops an eager call registered (and
    tuned), then eager calls on new shapes, then compiled again."""
    torch._dynamo.reset()
    module = kernels(tmp_path, "graphs")
    compiled = torch.compile(module.block, mode="reduce-overhead", fullgraph=True)
    run_in_order(module.block, "eccec", compiled)
    args = inputs(*SHAPES[0])
    first = compiled(*args).clone()  # replayed from the CUDA graph now
    torch.testing.assert_close(compiled(*args), first)
