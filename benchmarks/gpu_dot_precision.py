"""`@helion.kernel(dot_precision=...)` on the GPU: a float32 matmul's error against float64 and its
time for each precision (none given, 'tf32', 'tf32x3', 'ieee'); prints one table.

    python benchmarks/gpu_dot_precision.py [--size 2048]
"""

from __future__ import annotations

import argparse

import torch
import triton.testing

import transpiler

SOURCE = """
import torch
import helion
import helion.language as hl

@helion.kernel(SETTING)
def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
"""
CONFIG = "config=helion.Config(block_sizes=[64, 64, 32], num_warps=4, num_stages=3)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=2048)
    size = parser.parse_args().size
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=generator).cuda()
    b = torch.randn(size, size, generator=generator).cuda()
    exact = a.double() @ b.double()
    rows = []
    for precision in (None, "tf32", "tf32x3", "ieee"):
        setting = CONFIG if precision is None else f"{CONFIG}, dot_precision={precision!r}"
        kernels = transpiler.kernels_from_source(SOURCE.replace("SETTING", setting))
        matmul = kernels["matmul"]
        result = matmul(a, b)
        error = ((result.double() - exact).abs().max() / exact.abs().max()).item()
        ms = triton.testing.do_bench(lambda: matmul(a, b), rep=200)  # noqa: B023
        code = matmul.bind((a, b)).transpiled.code
        spelled = "input_precision" in code
        rows.append((precision or "(not given)", error, ms, 2 * size**3 / ms / 1e9, spelled))
    print(f"float32 matmul {size}x{size}x{size} on {torch.cuda.get_device_name()} (2026-12-04)")
    print("| dot_precision | max error / max |C| | ms | TFLOP/s | input_precision in code |")
    print("|---|---|---|---|---|")
    for name, error, ms, tflops, spelled in rows:
        print(f"| {name} | {error:.2e} | {ms:.3f} | {tflops:.1f} | {spelled} |")


if __name__ == "__main__":
    main()
