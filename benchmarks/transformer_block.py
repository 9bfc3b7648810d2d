"""A transformer block (RMS norm, attention, SwiGLU MLP) from our kernels under torch.compile.

One script for issue 7's GPU checks, per dtype: (a) zero graph breaks (a counting backend and
`fullgraph=True`), (b) eager ours, compiled ours and compiled torch against a float64 eager run
(relative to its largest value), and compiled ours against eager ours, (c) time
of our block under `torch.compile(fullgraph=True)` against plain `torch.compile` of the same
block, (d) a CUDA-graph capture of our eager block replayed with new input data, and our block
under `torch.compile(mode="reduce-overhead")` (Inductor's CUDA graphs). Prints a table
last; writes transformer_block.json under --out (default: $OUT when set).

    python benchmarks/transformer_block.py            # on the GPU: float32 and bfloat16
    python benchmarks/transformer_block.py --smoke    # tiny sizes; on CPU: Triton's interpreter

Works with torch 2.11 + triton 3.6 (GPU machine) and torch 2.13 (CPU venv). Each step that
fails is recorded with its error (the row says which), so one failure does not hide the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import torch

import transpiler  # noqa: F401 - first: picks Triton's interpreter without a GPU

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gpu_autotune import user_module  # noqa: E402 - one loader for the kernel files

GPU = torch.cuda.is_available()
SIZES = {"batch": 4, "seq": 512, "dim": 1024, "heads": 16, "hidden": 2816}
SMOKE = {"batch": 1, "seq": 16, "dim": 32, "heads": 2, "hidden": 48}
# max |error| / max |float64 reference|: GPUs multiply float32 in tf32 (ours and torch's)
TOLERANCE = {torch.float32: 2e-2 if GPU else 1e-4, torch.bfloat16: 5e-2, torch.float16: 3e-2}


def load(file: str, *names: str) -> list:
    """Kernels of tests/kernels/FILE as transpiler.Kernel objects (helion spelled transpiler:
    the GPU machine may have the real helion installed), with their default configs."""
    module = user_module(file)
    kernels = [getattr(module, name) for name in names]
    for kernel in kernels:
        kernel.settings.setdefault("autotune_effort", "none")  # default configs: no search
    return kernels


(rms_norm,) = load("reductions.py", "rms_norm")
matmul, attention_batched = load("matrix.py", "matmul", "attention_batched")
(swiglu,) = load("examples.py", "swiglu")


def ours(x: torch.Tensor, p: dict, heads: int) -> torch.Tensor:
    """The block from our kernels (each a torch custom op under torch.compile)."""
    batch, seq, dim = x.shape
    tokens = x.reshape(batch * seq, dim)
    qkv = matmul(rms_norm(tokens, p["norm1"], 1e-6), p["qkv"])
    q, k, v = (
        t.reshape(batch, seq, heads, dim // heads).transpose(1, 2).reshape(batch * heads, seq, -1)
        for t in qkv.split(dim, dim=1)
    )
    attended = attention_batched(q.contiguous(), k.contiguous(), v.contiguous())
    attended = attended.reshape(batch, heads, seq, -1).transpose(1, 2).reshape(batch * seq, dim)
    tokens = tokens + matmul(attended, p["out"])
    gate, up = matmul(rms_norm(tokens, p["norm2"], 1e-6), p["gate_up"]).chunk(2, dim=1)
    tokens = tokens + matmul(swiglu(gate.contiguous(), up.contiguous()), p["down"])
    return tokens.reshape(batch, seq, dim)


def plain(x: torch.Tensor, p: dict, heads: int) -> torch.Tensor:
    """The same block in plain PyTorch (SDPA for attention)."""
    batch, seq, dim = x.shape

    def norm(t: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        f = t.float() if t.dtype != torch.float64 else t
        return (f * torch.rsqrt(f.pow(2).mean(-1, keepdim=True) + 1e-6) * weight).to(t.dtype)

    tokens = x.reshape(batch * seq, dim)
    qkv = norm(tokens, p["norm1"]) @ p["qkv"]
    q, k, v = (t.reshape(batch, seq, heads, -1).transpose(1, 2) for t in qkv.split(dim, dim=1))
    attended = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    tokens = tokens + attended.transpose(1, 2).reshape(batch * seq, dim) @ p["out"]
    gate, up = (norm(tokens, p["norm2"]) @ p["gate_up"]).chunk(2, dim=1)
    wide = gate.float() if gate.dtype != torch.float64 else gate
    swish = (torch.nn.functional.silu(wide) * up).to(x.dtype)
    return (tokens + swish @ p["down"]).reshape(batch, seq, dim)


def parameters(dim: int, hidden: int, device: str) -> dict:
    def w(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, device=device, dtype=torch.float64) / shape[0] ** 0.5

    return {
        "norm1": torch.rand(dim, device=device, dtype=torch.float64) + 0.5,
        "norm2": torch.rand(dim, device=device, dtype=torch.float64) + 0.5,
        "qkv": w(dim, 3 * dim),
        "out": w(dim, dim),
        "gate_up": w(dim, 2 * hidden),
        "down": w(hidden, dim),
    }


def milliseconds(run: Callable[[], object]) -> float:
    if GPU:
        from triton.testing import do_bench

        return do_bench(run)
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def graph_count(function: Callable, *args: object) -> int:
    """How many graphs dynamo makes of `function` (1: no graph breaks), by a counting backend."""
    graphs: list[object] = []

    def counting(graph_module: torch.fx.GraphModule, example_inputs: list) -> Callable:
        graphs.append(graph_module)
        return graph_module.forward

    torch._dynamo.reset()
    torch.compile(function, backend=counting)(*args)
    torch._dynamo.reset()
    return len(graphs)


def relative_error(got: torch.Tensor, truth: torch.Tensor) -> float:
    scale = truth.abs().max().clamp_min(1e-12)
    return ((got.double() - truth).abs().max() / scale).item()


def cuda_graph_replay(x: torch.Tensor, p: dict, p64: dict, heads: int, tol: float) -> dict:
    """Capture our eager block after a warm call; replay with new inputs; compare."""
    static_x = x.clone()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        ours(static_x, p, heads)  # warm up: compile outside the capture
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = ours(static_x, p, heads)
    errors = []
    for _ in range(2):
        static_x.copy_(torch.randn_like(static_x, dtype=torch.float32).to(x.dtype))
        graph.replay()
        torch.cuda.synchronize()
        errors.append(relative_error(static_out, plain(static_x.double(), p64, heads)))
    return {
        "cuda_graph_error": max(errors),
        "cuda_graph_ok": max(errors) <= tol,
        "ms_cuda_graph_ours": milliseconds(graph.replay),
    }


def reduce_overhead(x: torch.Tensor, p: dict, p64: dict, heads: int, tol: float) -> dict:
    """Our block under `torch.compile(mode="reduce-overhead")`: Inductor's CUDA graphs."""
    compiled = torch.compile(ours, mode="reduce-overhead", fullgraph=True)
    errors = []
    for _ in range(3):  # warm-up, recording, replay
        fresh = torch.randn_like(x, dtype=torch.float32).to(x.dtype)
        got = compiled(fresh, p, heads).clone()
        errors.append(relative_error(got, plain(fresh.double(), p64, heads)))
    return {
        "reduce_overhead_error": max(errors),
        "reduce_overhead_ok": max(errors) <= tol,
        "ms_reduce_overhead_ours": milliseconds(lambda: compiled(x, p, heads)),
    }


def attempt(row: dict, step: str, action: Callable[[], dict]) -> None:
    """Run one step; its results, or its error, go into the row."""
    try:
        row.update(action())
    except Exception as error:  # noqa: BLE001 - a benchmark reports every step it can
        row.setdefault("errors", {})[step] = f"{type(error).__name__}: {error}"[:2000]
        traceback.print_exc()


def run(dtype: torch.dtype, shape: dict, device: str) -> dict:
    torch.manual_seed(0)
    heads = shape["heads"]
    p64 = parameters(shape["dim"], shape["hidden"], device)
    p = {name: value.to(dtype) for name, value in p64.items()}
    x = torch.randn(shape["batch"], shape["seq"], shape["dim"], device=device).to(dtype)
    truth = plain(x.double(), p64, heads)
    tol = TOLERANCE[dtype]
    row: dict = {"dtype": str(dtype).removeprefix("torch."), "tolerance": tol}
    backend = "inductor" if GPU else "eager"  # Inductor compiles Triton only on a GPU
    row["backend"] = backend
    results: dict[str, torch.Tensor] = {}

    def compare(name: str, function: Callable) -> dict:
        results[name] = function(x, p, heads)
        return {f"error_{name}": relative_error(results[name], truth)}

    attempt(row, "eager ours", lambda: compare("eager_ours", ours))
    attempt(row, "graph count", lambda: {"graphs": graph_count(ours, x, p, heads)})
    compiled_ours = torch.compile(ours, backend=backend, fullgraph=True)
    compiled_plain = torch.compile(plain, backend=backend, fullgraph=True)
    attempt(row, "compiled ours", lambda: compare("compiled_ours", compiled_ours))
    attempt(row, "compiled torch", lambda: compare("compiled_torch", compiled_plain))
    if "eager_ours" in results and "compiled_ours" in results:  # the same kernels: near equal
        difference = relative_error(results["compiled_ours"], results["eager_ours"].double())
        row["error_compiled_vs_eager_ours"] = difference
    if "error_compiled_ours" in row:
        attempt(
            row,
            "time ours",
            lambda: {"ms_compiled_ours": milliseconds(lambda: compiled_ours(x, p, heads))},
        )
    if "error_compiled_torch" in row:
        attempt(
            row,
            "time torch",
            lambda: {"ms_compiled_torch": milliseconds(lambda: compiled_plain(x, p, heads))},
        )
    attempt(row, "time eager", lambda: {"ms_eager_torch": milliseconds(lambda: plain(x, p, heads))})
    if GPU:
        attempt(row, "cuda graph", lambda: cuda_graph_replay(x, p, p64, heads, tol))
        attempt(row, "reduce-overhead", lambda: reduce_overhead(x, p, p64, heads, tol))
    row["matches"] = all(
        row.get(key, float("inf")) <= tol
        for key in (
            "error_eager_ours",
            "error_compiled_ours",
            "error_compiled_torch",
            "error_compiled_vs_eager_ours",
        )
    )
    if "ms_compiled_ours" in row and "ms_compiled_torch" in row:
        row["speedup_vs_torch_compile"] = row["ms_compiled_torch"] / row["ms_compiled_ours"]
    row["ok"] = (
        row["matches"]
        and row.get("graphs") == 1
        and not row.get("errors")
        and row.get("cuda_graph_ok", True)
        and row.get("reduce_overhead_ok", True)
    )
    return row


def table(rows: list[dict]) -> str:
    columns = [
        ("dtype", "dtype", "{}"),
        ("graphs", "graphs", "{}"),
        ("err ours (compiled)", "error_compiled_ours", "{:.1e}"),
        ("vs eager ours", "error_compiled_vs_eager_ours", "{:.1e}"),
        ("err torch.compile", "error_compiled_torch", "{:.1e}"),
        ("ms ours (compiled)", "ms_compiled_ours", "{:.3f}"),
        ("ms torch.compile", "ms_compiled_torch", "{:.3f}"),
        ("ms eager torch", "ms_eager_torch", "{:.3f}"),
        ("speedup", "speedup_vs_torch_compile", "{:.2f}x"),
        ("cuda graph", "cuda_graph_ok", "{}"),
        ("ms reduce-overhead", "ms_reduce_overhead_ours", "{:.3f}"),
        ("ok", "ok", "{}"),
    ]
    cells = [[title for title, _, _ in columns]]
    for row in rows:
        cells.append([form.format(row[key]) if key in row else "-" for _, key, form in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(line, widths)) for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=os.environ.get("OUT") or None)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CPU test)")
    args = parser.parse_args(argv)
    device = "cuda" if GPU else "cpu"
    shape = SMOKE if args.smoke or not GPU else SIZES
    # Triton's interpreter computes bfloat16 wrongly: float32 (and float16) only on CPU
    dtypes = [torch.float32, torch.bfloat16] if GPU else [torch.float32]
    rows = [run(dtype, shape, device) for dtype in dtypes]
    result = {
        "device": torch.cuda.get_device_name() if GPU else "cpu (Triton interpreter)",
        "versions": {"torch": torch.__version__, "triton": _triton_version()},
        "shape": shape,
        "rows": rows,
    }
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "transformer_block.json").write_text(json.dumps(result, indent=1))
    for row in rows:
        for step, error in row.get("errors", {}).items():
            print(f"{row['dtype']}: {step} failed: {error.splitlines()[0][:300]}")
    print(f"\ntransformer block {shape} on {result['device']}")
    print(table(rows))
    return 0 if all(row["ok"] for row in rows) else 1


def _triton_version() -> str:
    import triton

    return triton.__version__


if __name__ == "__main__":
    sys.exit(main())
