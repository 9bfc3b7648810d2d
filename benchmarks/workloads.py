"""The benchmark's workloads: realistic sizes, random inputs, torch eager and float64 references."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

ROWS, COLUMNS, VOCABULARY = 16384, 8192, 32000  # fp32 rows: 512 MiB, ten times the 50 MB L2
# Matrix workloads in half precision; float16 also runs in Triton's interpreter, whose bf16
# tl.dot gives wrong results (seen with triton 3.6 on CPU).
_MATRIX = (torch.bfloat16, torch.float16)


@dataclass(frozen=True)
class Workload:
    """A kernel of a source file, its inputs, and the torch expression it must equal."""

    name: str
    file: str  # relative to the repository root
    kernel: str
    shape: str
    make: Callable[[torch.dtype, str], tuple]  # (dtype, device) → arguments
    eager: Callable[..., torch.Tensor]
    dtypes: tuple[torch.dtype, ...] = (torch.float32, torch.bfloat16)
    # a kernel whose signature differs from the workload's inputs (Helion's examples): its
    # arguments from the inputs, and the output compared from what it returns
    kernel_args: Callable[[tuple], tuple] = lambda args: args
    pick: Callable[[object], torch.Tensor] = lambda result: result


def _add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x + y


def _rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    row = x.float() if x.dtype != torch.float64 else x
    normed = row * torch.rsqrt(row.pow(2).mean(-1, keepdim=True) + eps) * weight.to(row.dtype)
    return normed.to(x.dtype)


def _layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, (x.size(-1),), weight, bias)


def _matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x @ y


def _cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    upcast = logits if logits.dtype == torch.float64 else logits.float()
    return F.cross_entropy(upcast, labels, reduction="none")


def _attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    if q.dtype != torch.float64:
        return F.scaled_dot_product_attention(q, k, v)
    outputs = []  # float64 math one batch entry at a time: the scores are 4 GiB each
    for qb, kb, vb in zip(q, k, v):
        scores = (qb @ kb.transpose(-1, -2)) / math.sqrt(q.size(-1))
        outputs.append(torch.softmax(scores, dim=-1) @ vb)
    return torch.stack(outputs)


def _attention_3d(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """SDPA on [batch * heads, seq, dim] inputs, given as one batch of heads (its fast kernels
    want 4-D); float64 one head at a time."""
    if q.dtype != torch.float64:
        return F.scaled_dot_product_attention(q[None], k[None], v[None])[0]
    return _attention(q, k, v)


def workloads(small: bool) -> list[Workload]:
    """Full sizes on the GPU; `small` ones for a check of the script on the CPU interpreter."""
    m, n = (64, 300) if small else (ROWS, COLUMNS)
    vector = 10_000 if small else 2**27
    vocabulary, tokens = (1000, 32) if small else (VOCABULARY, ROWS)
    big, skinny = ((128, 96, 64), (96, 64, 32)) if small else ((8192,) * 3, (16384, 4096, 1024))
    heads = (1, 2, 64, 32) if small else (4, 32, 4096, 128)
    heads3 = (heads[0] * heads[1], *heads[2:])

    def randn(*shape: int) -> Callable[[torch.dtype, str], torch.Tensor]:
        return lambda dtype, device: torch.randn(*shape, dtype=dtype, device=device)

    def cross_entropy_inputs(dtype: torch.dtype, device: str) -> tuple[torch.Tensor, torch.Tensor]:
        logits = randn(tokens, vocabulary)(dtype, device)
        return logits, torch.randint(0, vocabulary, (tokens,), device=device)

    def matmul_inputs(mnk: tuple[int, int, int]) -> Callable:
        rows, cols, inner = mnk
        return lambda dtype, device: (
            randn(rows, inner)(dtype, device),
            randn(inner, cols)(dtype, device),
        )

    return [
        Workload(
            "add",
            "tests/kernels/elementwise.py",
            "add",
            f"[{vector}]",
            lambda dt, dev: (randn(vector)(dt, dev), randn(vector)(dt, dev)),
            _add,
        ),
        Workload(
            "softmax",
            "tests/kernels/reductions.py",
            "softmax",
            f"[{m}, {n}]",
            lambda dt, dev: (randn(m, n)(dt, dev),),
            lambda x: torch.softmax(x, dim=-1),
        ),
        Workload(
            "layer_norm",
            "tests/kernels/reductions.py",
            "layer_norm",
            f"[{m}, {n}]",
            lambda dt, dev: (randn(m, n)(dt, dev), randn(n)(dt, dev), randn(n)(dt, dev)),
            _layer_norm,
        ),
        Workload(
            "rms_norm",
            "tests/kernels/reductions.py",
            "rms_norm",
            f"[{m}, {n}]",
            lambda dt, dev: (randn(m, n)(dt, dev), randn(n)(dt, dev)),
            _rms_norm,
        ),
        Workload(
            "cross_entropy",
            "tests/kernels/reductions.py",
            "cross_entropy",
            f"[{tokens}, {vocabulary}]",
            cross_entropy_inputs,
            _cross_entropy,
        ),
        Workload(
            "cross_entropy_example",  # Helion's example spelling: amax, exp, sum, log
            "benchmarks/kernels.py",
            "cross_entropy",
            f"[{tokens}, {vocabulary}]",
            cross_entropy_inputs,
            _cross_entropy,
        ),
        Workload(
            "cross_entropy_online",  # chunks of a row, running max and sum: one read, pipelined
            "benchmarks/kernels.py",
            "cross_entropy_online",
            f"[{tokens}, {vocabulary}]",
            cross_entropy_inputs,
            _cross_entropy,
        ),
        Workload(
            "matmul",
            "benchmarks/kernels.py",
            "matmul",
            "x".join(map(str, big)),
            matmul_inputs(big),
            _matmul,
            _MATRIX,
        ),
        Workload(
            "matmul_skinny",
            "benchmarks/kernels.py",
            "matmul",
            "x".join(map(str, skinny)),
            matmul_inputs(skinny),
            _matmul,
            _MATRIX,
        ),
        Workload(
            "attention",
            "benchmarks/kernels.py",
            "attention",
            "x".join(map(str, heads)),
            lambda dt, dev: tuple(randn(*heads)(dt, dev) for _ in range(3)),
            _attention,
            _MATRIX,
        ),
        Workload(  # the same sizes, heads as one batch dimension; keys transposed in-kernel
            "attention_3d",
            "benchmarks/kernels.py",
            "attention_3d",
            "x".join(map(str, heads3)),
            lambda dt, dev: tuple(randn(*heads3)(dt, dev) for _ in range(3)),
            _attention_3d,
            _MATRIX,
        ),
    ]


HELION_EXAMPLES = (
    ".helion_examples"  # Helion's examples, extracted (benchmarks/helion_examples_fetch.py)
)


def spellings(small: bool) -> list[Workload]:
    """Each workload again in the plain spelling a user writes first (benchmarks/
    plain_kernels.py) and in Helion's example spelling (its newest examples, git-ignored)."""
    base = {w.name: w for w in workloads(small)}
    plain = "benchmarks/plain_kernels.py"

    def again(name: str, spelling: str, file: str, kernel: str, **changes) -> Workload:
        fields = {**base[name].__dict__, "name": f"{name}/{spelling}", "file": file}
        return Workload(**{**fields, "kernel": kernel, **changes})

    def mean_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return _cross_entropy(logits, labels).mean()

    example = HELION_EXAMPLES
    rows = [
        again("softmax", "plain", plain, "softmax"),
        again("layer_norm", "plain", plain, "layer_norm"),
        again("rms_norm", "plain", plain, "rms_norm"),
        again("cross_entropy", "plain", plain, "cross_entropy", eager=mean_loss),
        again("matmul", "plain", plain, "matmul"),
        again("matmul_skinny", "plain", plain, "matmul"),
        again("attention_3d", "plain", plain, "attention"),
        again("softmax", "helion", f"{example}/softmax.py", "softmax_two_pass"),
        again(
            "layer_norm",
            "helion",
            f"{example}/layer_norm.py",
            "layer_norm_fwd",
            kernel_args=lambda a: (a[0], [a[0].size(-1)], a[1], a[2]),
            pick=lambda result: result[0],
        ),
        again(
            "rms_norm",
            "helion",
            f"{example}/rms_norm.py",
            "rms_norm_fwd",
            kernel_args=lambda a: (a[0], a[1], 1e-6),
            pick=lambda result: result[0],
        ),
        again(
            "cross_entropy", "helion", f"{example}/cross_entropy.py", "cross_entropy",
            eager=mean_loss,
        ),
        again("matmul", "helion", f"{example}/matmul.py", "matmul"),
        again("matmul_skinny", "helion", f"{example}/matmul.py", "matmul"),
        again("attention", "helion", f"{example}/attention.py", "attention",
              pick=lambda result: result[0] if isinstance(result, tuple) else result),
    ]  # fmt: skip
    return rows


def reference(workload: Workload, args: tuple) -> torch.Tensor:
    """The workload in float64 (integer inputs kept)."""
    upcast = [a.double() if a.is_floating_point() else a for a in args]
    return workload.eager(*upcast).double()


def relative_error(result: torch.Tensor, exact: torch.Tensor) -> float:
    """‖result − exact‖ / ‖exact‖ in float64 (NaN when any element is NaN)."""
    difference = (result.double() - exact).norm()
    return (difference / exact.norm()).item()
