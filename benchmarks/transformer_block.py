"""A transformer block (RMS norm, attention, SwiGLU) from our kernels under torch.compile."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

import transpiler  # noqa: F401 - first: picks Triton's interpreter without a GPU

KERNELS = Path(__file__).resolve().parent.parent / "tests" / "kernels"
GPU = torch.cuda.is_available()


def load(file: str, *names: str) -> list:
    """Kernels of tests/kernels/FILE as transpiler.Kernel objects (helion spelled transpiler)."""
    text = (
        (KERNELS / file).read_text().replace("import helion.language", "import transpiler.language")
    )
    text = text.replace("import helion\n", "import transpiler as helion\n")
    text = text.replace("from helion.", "from transpiler.")
    path = Path(tempfile.mkdtemp()) / f"block_{file}"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    kernels = [getattr(module, name) for name in names]
    for kernel in kernels:
        kernel.settings.setdefault("autotune_effort", "none")  # default configs: no search
    return kernels


(rms_norm,) = load("reductions.py", "rms_norm")
matmul, attention_batched = load("matrix.py", "matmul", "attention_batched")
(swiglu,) = load("examples.py", "swiglu")


def ours(x: torch.Tensor, p: dict, heads: int) -> torch.Tensor:
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
    batch, seq, dim = x.shape

    def norm(t: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        f = t.float()
        return (f * torch.rsqrt(f.pow(2).mean(-1, keepdim=True) + 1e-6) * weight).to(t.dtype)

    tokens = x.reshape(batch * seq, dim)
    qkv = norm(tokens, p["norm1"]) @ p["qkv"]
    q, k, v = (t.reshape(batch, seq, heads, -1).transpose(1, 2) for t in qkv.split(dim, dim=1))
    attended = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    tokens = tokens + attended.transpose(1, 2).reshape(batch * seq, dim) @ p["out"]
    gate, up = (norm(tokens, p["norm2"]) @ p["gate_up"]).chunk(2, dim=1)
    swish = (torch.nn.functional.silu(gate.float()) * up).to(x.dtype)
    return (tokens + swish @ p["down"]).reshape(batch, seq, dim)


def parameters(dim: int, hidden: int, dtype: torch.dtype, device: str) -> dict:
    def w(*shape: int) -> torch.Tensor:
        return (torch.randn(*shape, device=device) / shape[0] ** 0.5).to(dtype)

    return {
        "norm1": torch.rand(dim, device=device).to(dtype) + 0.5,
        "norm2": torch.rand(dim, device=device).to(dtype) + 0.5,
        "qkv": w(dim, 3 * dim),
        "out": w(dim, dim),
        "gate_up": w(dim, 2 * hidden),
        "down": w(hidden, dim),
    }


def milliseconds(run) -> float:
    if GPU:
        from triton.testing import do_bench

        return do_bench(run)
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="a folder for transformer_block.json")
    args = parser.parse_args()
    device, dtype = ("cuda", torch.float16) if GPU else ("cpu", torch.float32)
    batch, seq, dim, heads, hidden = (4, 512, 1024, 16, 2816) if GPU else (1, 16, 32, 2, 48)
    torch.manual_seed(0)
    p = parameters(dim, hidden, dtype, device)
    x = torch.randn(batch, seq, dim, device=device).to(dtype)
    eager_ours = ours(x, p, heads)  # registers the custom ops
    expected = plain(x, p, heads)
    explanation = torch._dynamo.explain(ours)(x, p, heads)
    backend = "inductor" if GPU else "eager"
    compiled_ours = torch.compile(ours, backend=backend, fullgraph=True)
    compiled_plain = torch.compile(plain, backend=backend, fullgraph=True)
    got = compiled_ours(x, p, heads)
    tol = 3e-2 if dtype == torch.float16 else 1e-4
    result = {
        "device": torch.cuda.get_device_name() if GPU else "cpu (Triton interpreter)",
        "shape": {"batch": batch, "seq": seq, "dim": dim, "heads": heads, "hidden": hidden},
        "dtype": str(dtype),
        "graph_breaks": explanation.graph_break_count,
        "graphs": explanation.graph_count,
        "max_error_compiled_vs_eager_torch": (got.float() - expected.float()).abs().max().item(),
        "max_error_eager_ours_vs_eager_torch": (eager_ours.float() - expected.float())
        .abs()
        .max()
        .item(),
        "matches": bool(torch.allclose(got.float(), expected.float(), atol=tol, rtol=tol)),
        "ms_compiled_ours": milliseconds(lambda: compiled_ours(x, p, heads)),
        "ms_compiled_torch": milliseconds(lambda: compiled_plain(x, p, heads)),
        "ms_eager_torch": milliseconds(lambda: plain(x, p, heads)),
    }
    if GPU:
        graph = torch.cuda.CUDAGraph()
        static_x = x.clone()
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            ours(static_x, p, heads)  # warm up outside the capture
        torch.cuda.current_stream().wait_stream(stream)
        with torch.cuda.graph(graph):
            static_out = ours(static_x, p, heads)
        static_x.copy_(torch.randn_like(static_x))
        graph.replay()
        torch.cuda.synchronize()
        replay_error = (static_out.float() - plain(static_x, p, heads).float()).abs().max().item()
        result["cuda_graph_replay_max_error"] = replay_error
        result["cuda_graph_replay_ok"] = replay_error <= tol * 10
        result["ms_cuda_graph_ours"] = milliseconds(graph.replay)
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "transformer_block.json").write_text(json.dumps(result, indent=1))
    return 0 if result["graph_breaks"] == 0 and result["matches"] else 1


if __name__ == "__main__":
    sys.exit(main())
