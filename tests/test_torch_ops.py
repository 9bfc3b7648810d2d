"""Kernels as torch custom ops (triton_op), under torch.compile, autograd and CUDA graphs."""

import os
import subprocess
import sys

import pytest
import torch
from torch._subclasses.fake_tensor import FakeTensorMode

import transpiler
import transpiler.language as hl
from transpiler.run.torch_ops import mutated_arguments, registered_ops

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


@transpiler.kernel()
def softmax(x: torch.Tensor) -> torch.Tensor:
    n, _m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        values = x[tile_n, :]
        exp = torch.exp(values - torch.amax(values, dim=1, keepdim=True))
        out[tile_n, :] = exp / torch.sum(exp, dim=1, keepdim=True)
    return out


@transpiler.kernel()
def softmax_backward(grad: torch.Tensor, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    n, _m = out.size()
    grad_x = torch.empty_like(out)
    for tile_n in hl.tile(n):
        y = out[tile_n, :]
        g = grad[tile_n, :]
        grad_x[tile_n, :] = y * (g - torch.sum(g * y, dim=1, keepdim=True))
    return grad_x


@transpiler.kernel()
def layer_norm(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5
) -> torch.Tensor:
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]  # in the input's dtype: float64 for gradcheck
        centered = row - row.mean(dim=-1, keepdim=True)
        rstd = torch.rsqrt(torch.mean(centered * centered, dim=-1, keepdim=True) + eps)
        out[tile_m, :] = centered * rstd * weight[None, :] + bias[None, :]
    return out


# float64 for gradcheck: eps written in the kernel, exact in float64 (a float argument is
# passed as float32 by Triton, so one meeting float64 rows is refused at the launch)
@transpiler.kernel()
def layer_norm_exact_eps(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]  # in the input's dtype: float64 for gradcheck
        centered = row - row.mean(dim=-1, keepdim=True)
        rstd = torch.rsqrt(torch.mean(centered * centered, dim=-1, keepdim=True) + 1e-5)
        out[tile_m, :] = centered * rstd * weight[None, :] + bias[None, :]
    return out


@transpiler.kernel()
def layer_norm_exact_eps_backward(
    grad: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    m, n = x.size()
    grad_x = torch.empty_like(x)
    normalized = torch.empty_like(x)
    grad_weight = torch.empty_like(weight)
    grad_bias = torch.empty_like(bias)
    for tile_m in hl.tile(m):  # rows: grad_x, and x_hat for the column sums below
        row = x[tile_m, :]
        centered = row - row.mean(dim=-1, keepdim=True)
        rstd = torch.rsqrt(torch.mean(centered * centered, dim=-1, keepdim=True) + 1e-5)
        x_hat = centered * rstd
        g_hat = grad[tile_m, :] * weight[None, :]
        mean_g = torch.mean(g_hat, dim=-1, keepdim=True)
        mean_gx = torch.mean(g_hat * x_hat, dim=-1, keepdim=True)
        grad_x[tile_m, :] = (g_hat - mean_g - x_hat * mean_gx) * rstd
        normalized[tile_m, :] = x_hat
    for tile_n in hl.tile(n):  # columns: grad_weight and grad_bias sum over the rows
        acc_weight = hl.zeros([tile_n], dtype=x.dtype)
        acc_bias = hl.zeros([tile_n], dtype=x.dtype)
        for tile_m in hl.tile(m):
            g = grad[tile_m, tile_n]
            acc_weight += torch.sum(g * normalized[tile_m, tile_n], dim=0)
            acc_bias += torch.sum(g, dim=0)
        grad_weight[tile_n] = acc_weight
        grad_bias[tile_n] = acc_bias
    return grad_x, grad_weight, grad_bias


@transpiler.kernel()
def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        scale = torch.rsqrt(torch.mean(row * row, dim=-1, keepdim=True) + eps)
        out[tile_m, :] = (row * scale * weight[None, :].to(torch.float32)).to(out.dtype)
    return out


@transpiler.kernel(torch_op=False)
def plain_add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


@transpiler.kernel()
def add_into(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(out.size()):
        out[tile] += x[tile]
    return x


def test_op_registration_passes_opcheck():
    x = torch.randn(8, 16, device=DEVICE)
    op = softmax.op(x)
    assert repr(op).startswith("<CustomOpDef(transpiler::softmax_")
    utils = ("test_schema", "test_autograd_registration", "test_faketensor")
    if DEVICE == "cuda":
        utils += ("test_aot_dispatch_dynamic",)  # traces wrap_triton: not in the interpreter
    results = torch.library.opcheck(op, (x,), test_utils=utils)
    assert set(results.values()) == {"SUCCESS"}, results


@transpiler.kernel()
def batched_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, m, k = a.size()
    n = b.size(2)
    out = torch.empty([batch, m, n], dtype=a.dtype, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n], block_size=[1, None, None]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(acc, a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc.to(out.dtype)
    return out


def opcheck_cases() -> list:
    def rand(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, device=DEVICE)

    return [
        pytest.param(rms_norm, lambda: (rand(7, 33), rand(33), 1e-6), id="rms_norm"),
        pytest.param(layer_norm, lambda: (rand(5, 19), rand(19), rand(19), 1e-5), id="layer_norm"),
        pytest.param(add_into, lambda: (rand(3, 11), rand(3, 11)), id="add_into (mutates out)"),
        pytest.param(batched_matmul, lambda: (rand(3, 20, 16), rand(3, 16, 24)), id="unit batch"),
    ]


@pytest.mark.parametrize(("kernel", "make_args"), opcheck_cases())
def test_more_ops_pass_opcheck(kernel, make_args):
    args = make_args()
    utils = ("test_schema", "test_autograd_registration", "test_faketensor")
    if DEVICE == "cuda":
        utils += ("test_aot_dispatch_dynamic",)
    results = torch.library.opcheck(kernel.op(*args), args, test_utils=utils)
    assert set(results.values()) == {"SUCCESS"}, results


def test_a_kernel_returning_an_argument_compiles_and_mutates_it():
    """Custom ops may not return their inputs: the op returns only new tensors and the call
    puts the argument back, so `add_into` (mutates out, returns x) works under fullgraph."""
    out, x = torch.randn(6, 13, device=DEVICE), torch.randn(6, 13, device=DEVICE)
    add_into(out.clone(), x)  # the eager call registers the op
    assert add_into._aliases == (1,)
    backend = "inductor" if DEVICE == "cuda" else "eager"

    def step(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return add_into(out, x) * 2

    expected_out = out + x
    result = torch.compile(step, backend=backend, fullgraph=True)(out, x)
    torch.testing.assert_close(out, expected_out)
    torch.testing.assert_close(result, 2 * x)


def test_fake_implementation_follows_the_launcher_shape_logic():
    x, weight = torch.randn(4, 8), torch.randn(8)
    op = rms_norm.op(x, weight, 1e-6)
    with FakeTensorMode():  # fakes on DEVICE: a GPU's launcher refuses (fake) CPU tensors
        half = {"dtype": torch.float16, "device": DEVICE}
        fake = op(torch.empty(7, 33, **half), torch.empty(33, **half), 1e-6)
        assert fake.shape == (7, 33) and fake.dtype == torch.float16
        with pytest.raises(RuntimeError, match="must be equal"):  # the launcher's own checks
            op(torch.empty(7, 33, device=DEVICE), torch.empty(32, device=DEVICE), 1e-6)


def test_compiled_model_has_no_graph_breaks_and_matches_eager():
    x, weight = torch.randn(6, 32, device=DEVICE), torch.randn(32, device=DEVICE)
    softmax(x), rms_norm(x, weight)  # eager calls (torch._dynamo imported) register the ops

    def block(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return softmax(rms_norm(x, weight) * 2.0) + 1.0

    explanation = torch._dynamo.explain(block)(x, weight)
    assert explanation.graph_break_count == 0 and explanation.graph_count == 1
    backend = "inductor" if DEVICE == "cuda" else "eager"  # Inductor needs a GPU for Triton
    compiled = torch.compile(block, backend=backend, fullgraph=True)
    expected = torch.softmax(
        x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * weight * 2, 1
    )
    torch.testing.assert_close(compiled(x, weight), expected + 1.0, atol=1e-5, rtol=1e-5)


@transpiler.kernel()
def doubled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):  # rank from the arguments: one launcher per rank
        out[tile] = x[tile] * 2
    return out


def test_one_op_per_argument_ranks_not_per_call():
    before = set(registered_ops())
    for shape in [(5,), (6,), (3, 4), (5, 9), (7,)]:
        x = torch.randn(shape, device=DEVICE)
        torch.testing.assert_close(doubled(x), 2 * x)
    added = set(registered_ops()) - before
    assert len(added) == 2 and all(name.startswith("transpiler::doubled_") for name in added)
    assert sorted(doubled._ops) == [(1,), (2,)]


def test_import_leaves_dynamo_and_inductor_alone(tmp_path):
    """`import transpiler` imports neither torch._dynamo nor Inductor (no torchinductor_$USER
    folder in $TMPDIR); the first custom-op registration does, when a kernel runs."""
    script = (
        "import os, sys; import transpiler; "
        "print('torch._dynamo' in sys.modules, sorted(os.listdir(os.environ['TMPDIR'])))"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "[]"]


def test_eager_calls_leave_dynamo_alone(tmp_path):
    """An eager call registers no op while torch.compile is not in use: importing torch._dynamo
    for it cost 3 to 6 s of the first call (the cold-start budget is 1 s)."""
    script = (
        "import sys, torch, transpiler, transpiler.language as hl\n"
        "@transpiler.kernel()\n"
        "def twice(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * 2\n"
        "    return out\n"
        "x = torch.randn(37, device='cuda' if torch.cuda.is_available() else 'cpu')\n"
        "assert torch.equal(twice(x), x * 2)\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    path = tmp_path / "eager_twice.py"
    path.write_text(script)
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False"]


@transpiler.kernel()
def tripled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 3
    return out


def test_fullgraph_compile_without_an_eager_call_first():
    """The op is registered while Dynamo traces the first compiled call: no graph break."""
    assert tripled._ops == {}
    x = torch.randn(41, device=DEVICE)

    def model(x: torch.Tensor) -> torch.Tensor:
        return tripled(x + 1.0) - 1.0

    backend = "inductor" if DEVICE == "cuda" else "eager"
    compiled = torch.compile(model, backend=backend, fullgraph=True)
    torch.testing.assert_close(compiled(x), (x + 1.0) * 3 - 1.0)


def test_opt_out_keeps_the_plain_function():
    x = torch.randn(5, device=DEVICE)
    torch.testing.assert_close(plain_add(x, x), 2 * x)
    assert plain_add._ops == {}


def test_mutated_arguments_are_declared():
    assert mutated_arguments(add_into.fn) == ["out"]
    assert mutated_arguments(softmax.fn) == []


def test_autograd_pairs_a_backward_kernel_and_passes_gradcheck():
    function = transpiler.autograd(softmax, softmax_backward)
    # gradcheck launches a kernel per input and per output element: 3 rows of 7 (masked
    # lanes of a block of 8) take the same paths as more rows would
    x = torch.randn(3, 7, dtype=torch.float64, device=DEVICE, requires_grad=True)
    assert torch.autograd.gradcheck(function, (x,))
    y = function(x)
    y.pow(2).sum().backward()
    reference = x.detach().clone().requires_grad_()
    torch.softmax(reference, 1).pow(2).sum().backward()
    torch.testing.assert_close(x.grad, reference.grad)


def test_autograd_layer_norm_passes_gradcheck_and_matches_torch():
    function = transpiler.autograd(
        layer_norm_exact_eps, layer_norm_exact_eps_backward, save_output=False
    )
    m, n = 3, 19  # n: two column blocks of 16 in the backward, the second partial
    x = torch.randn(m, n, dtype=torch.float64, device=DEVICE, requires_grad=True)
    weight = (torch.rand(n, dtype=torch.float64, device=DEVICE) + 0.5).requires_grad_()
    bias = torch.randn(n, dtype=torch.float64, device=DEVICE, requires_grad=True)
    assert torch.autograd.gradcheck(function, (x, weight, bias))
    upstream = torch.randn(m, n, dtype=torch.float64, device=DEVICE)
    ours = torch.autograd.grad(function(x, weight, bias), (x, weight, bias), upstream)
    expected = torch.nn.functional.layer_norm(x, (n,), weight, bias, 1e-5)
    theirs = torch.autograd.grad(expected, (x, weight, bias), upstream)
    for got, want in zip(ours, theirs):
        torch.testing.assert_close(got, want)


def test_a_layer_norm_backward_missing_a_term_fails_gradcheck():
    def without_mean_term(grad, x, weight, bias):
        grad_x, grad_weight, grad_bias = layer_norm_exact_eps_backward(grad, x, weight, bias)
        return grad_x + (grad * weight).mean(-1, keepdim=True) / x.var(-1, keepdim=True).sqrt()

    function = transpiler.autograd(layer_norm_exact_eps, without_mean_term, save_output=False)
    x = torch.randn(4, 9, dtype=torch.float64, device=DEVICE, requires_grad=True)
    weight = torch.rand(9, dtype=torch.float64, device=DEVICE) + 0.5
    bias = torch.randn(9, dtype=torch.float64, device=DEVICE)
    assert not torch.autograd.gradcheck(function, (x, weight, bias), raise_exception=False)


def test_autograd_pair_under_torch_compile_has_no_graph_breaks():
    function = transpiler.autograd(softmax, softmax_backward)
    x = torch.randn(6, 11, device=DEVICE, requires_grad=True)
    function(x).sum().backward()  # eager: registers the forward op
    softmax_backward(x.detach(), x.detach(), x.detach())  # and the backward's
    weights = torch.linspace(-1, 2, 11, device=DEVICE)

    def loss(x: torch.Tensor) -> torch.Tensor:
        return (function(x) * weights).sum()

    assert torch._dynamo.explain(loss)(x).graph_break_count == 0
    torch._dynamo.reset()
    backend = "inductor" if DEVICE == "cuda" else "eager"  # aot tracing needs wrap_triton on GPU
    x.grad = None
    torch.compile(loss, backend=backend, fullgraph=True)(x).backward()
    reference = x.detach().clone().requires_grad_()
    (torch.softmax(reference, 1) * weights).sum().backward()
    torch.testing.assert_close(x.grad, reference.grad)


def test_a_wrong_backward_fails_gradcheck():
    function = transpiler.autograd(softmax, lambda grad, out, x: grad)
    x = torch.randn(4, 6, dtype=torch.float64, device=DEVICE, requires_grad=True)
    assert not torch.autograd.gradcheck(function, (x,), raise_exception=False)


@pytest.mark.gpu
def test_cuda_graph_capture_replays_a_launcher():
    x, weight = torch.randn(64, 256, device="cuda"), torch.randn(256, device="cuda")
    launcher = rms_norm.bind((x, weight, 1e-6)).launcher
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        launcher(x, weight, 1e-6)  # warm up: compile outside the capture
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = launcher(x, weight, 1e-6)
    for _ in range(2):
        x.copy_(torch.randn_like(x))
        graph.replay()
        torch.cuda.synchronize()
        expected = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * weight
        torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.gpu
def test_cuda_graph_capture_replays_kernel_calls_with_new_data():
    """The Kernel call itself (device checks, binding, the tuned config from memory, the
    launcher) does no host work that breaks capture once a warm call has compiled and tuned."""
    x, weight = torch.randn(37, 200, device="cuda"), torch.rand(200, device="cuda") + 0.5

    def block(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return softmax(rms_norm(x, weight, 1e-6))

    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        block(x, weight)  # warm up: compile (and autotune) outside the capture
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = block(x, weight)
    for _ in range(3):
        x.copy_(torch.randn_like(x))
        weight.copy_(torch.rand_like(weight) + 0.5)
        graph.replay()
        torch.cuda.synchronize()
        x64, w64 = x.double(), weight.double()
        normed = x64 * torch.rsqrt(x64.pow(2).mean(-1, keepdim=True) + 1e-6) * w64
        torch.testing.assert_close(out.double(), torch.softmax(normed, 1), atol=1e-5, rtol=1e-4)
