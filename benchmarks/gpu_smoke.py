"""First GPU look: generated kernels at realistic sizes, checked, timed against torch.

Run on a CUDA machine: python benchmarks/gpu_smoke.py [--json OUT.json]
Prints a table: median ms (triton.testing.do_bench), GB/s of the minimum bytes, % of the
measured copy bandwidth, and the ratio to torch eager and torch.compile.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
import torch.nn.functional as F
import triton.testing

import transpiler
from transpiler.run.runtime import load_module

ROOT = Path(__file__).parents[1]


def kernels(file: str, name: str, *args):
    source = (ROOT / "tests/kernels" / file).read_text()
    code = transpiler.transpile_module(source, example_args={name: args}, only=(name,)).code
    return getattr(load_module(code, stem=f"bench_{name}"), name)


def bench(function, *args) -> float:
    return triton.testing.do_bench(
        lambda: function(*args), warmup=25, rep=200, return_mode="median"
    )


def copy_bandwidth() -> float:
    source = torch.randn(2**28, device="cuda")  # 1 GiB
    target = torch.empty_like(source)
    ms = bench(target.copy_, source)
    return 2 * source.numel() * 4 / ms / 1e6  # GB/s


def workloads(dtype: torch.dtype):
    m, n = 16384, 8192  # 512 MiB in fp32: several times the 50 MB L2
    x = torch.randn(m, n, device="cuda", dtype=dtype)
    y = torch.randn(m, n, device="cuda", dtype=dtype)
    w = torch.randn(n, device="cuda", dtype=dtype)
    b = torch.randn(n, device="cuda", dtype=dtype)
    size = x.element_size()
    logits = torch.randn(16384, 32000, device="cuda", dtype=dtype)
    labels = torch.randint(0, 32000, (16384,), device="cuda")
    yield ("add", "elementwise.py", "add", (x, y), lambda a, c: a + c, 3 * x.numel() * size)
    yield (
        "softmax",
        "reductions.py",
        "softmax",
        (x,),
        lambda a: torch.softmax(a, -1),
        2 * x.numel() * size,
    )
    yield (
        "layer_norm",
        "reductions.py",
        "layer_norm",
        (x, w, b),
        lambda a, ww, bb: F.layer_norm(a, (n,), ww, bb),
        2 * x.numel() * size,
    )
    yield (
        "rms_norm",
        "reductions.py",
        "rms_norm",
        (x, w),
        lambda a, ww: (
            a.float() * torch.rsqrt(a.float().pow(2).mean(-1, keepdim=True) + 1e-6) * ww.float()
        ).to(a.dtype),
        2 * x.numel() * size,
    )
    yield (
        "cross_entropy",
        "reductions.py",
        "cross_entropy",
        (logits, labels),
        lambda lg, lb: F.cross_entropy(lg.float(), lb, reduction="none"),
        logits.numel() * size,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    peak = copy_bandwidth()
    rows = []
    for dtype in (torch.float32, torch.bfloat16):
        for label, file, name, inputs, eager, minimum_bytes in workloads(dtype):
            ours = kernels(file, name, *inputs)
            result = ours(*inputs)
            exact = eager(*[t.double() if t.is_floating_point() else t for t in inputs])
            error = ((result.double() - exact.double()).norm() / exact.double().norm()).item()
            compiled = torch.compile(eager)
            times = {
                "ours": bench(ours, *inputs),
                "eager": bench(eager, *inputs),
                "compile": bench(compiled, *inputs),
            }
            gbps = minimum_bytes / times["ours"] / 1e6
            rows.append(
                {
                    "workload": label,
                    "dtype": str(dtype).removeprefix("torch."),
                    "rel_error": error,
                    **{f"{k}_ms": v for k, v in times.items()},
                    "GB/s": gbps,
                    "roofline_%": 100 * gbps / peak,
                }
            )
            print(rows[-1], flush=True)
    if args.json:
        args.json.write_text(json.dumps({"copy_GBps": peak, "rows": rows}, indent=2))
    print(f"\nmeasured copy bandwidth: {peak:.0f} GB/s ({torch.cuda.get_device_name()})")
    print(
        f"{'workload':14} {'dtype':9} {'rel err':>8} {'ours ms':>8} {'GB/s':>6} {'%roof':>6} {'eager ms':>9} {'compile ms':>10} {'vs eager':>8} {'vs compile':>10}"
    )
    for r in rows:
        print(
            f"{r['workload']:14} {r['dtype']:9} {r['rel_error']:8.1e} {r['ours_ms']:8.3f} {r['GB/s']:6.0f} "
            f"{r['roofline_%']:6.1f} {r['eager_ms']:9.3f} {r['compile_ms']:10.3f} "
            f"{r['eager_ms'] / r['ours_ms']:8.2f}x {r['compile_ms'] / r['ours_ms']:9.2f}x"
        )


if __name__ == "__main__":
    main()
