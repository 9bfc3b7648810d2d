"""What the launcher's index-tensor check costs on the GPU (`x[idx[tile], :]`, check_indices on
and off), and whether torch.argmax of a row holding NaN agrees with torch there (open: Triton's
tl.argmax compares with `>`, the interpreter's numpy picks the NaN). Prints one table last.

    python3 benchmarks/gpu_index_check.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
import triton

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[64]))
def rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([idx.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        out[tile, :] = x[idx[tile], :]
    return out


@helion.kernel(config=helion.Config(block_sizes=[64]), check_indices=False)
def rows_unchecked(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([idx.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        out[tile, :] = x[idx[tile], :]
    return out


@helion.kernel()
def row_argmax(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=torch.int64, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, :].argmax(dim=1)
    return out
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/out")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    kernels = transpiler.kernels_from_source(SOURCE, filename="gpu_index_check.py")
    rows = []
    for count in (4096, 262144, 4194304):
        x = torch.randn(8192, 128, device="cuda")
        idx = torch.randint(-8192, 8192, (count,), device="cuda")
        expected = x[idx]
        timings = {}
        for name in ("rows", "rows_unchecked"):
            got = kernels[name](x, idx)
            assert torch.equal(got, expected), name
            timings[name] = triton.testing.do_bench(lambda n=name, x=x, i=idx: kernels[n](x, i))
        aminmax = triton.testing.do_bench(lambda i=idx: bool(torch.aminmax(i)[0] >= -8192))
        rows.append((count, timings["rows"], timings["rows_unchecked"], aminmax))
    x = torch.randn(64, 1000, device="cuda")
    x[::3, 17] = float("nan")
    argmax_agrees = bool(torch.equal(kernels["row_argmax"](x), x.argmax(1)))
    (out / "index_check.json").write_text(
        json.dumps({"rows": rows, "argmax_nan_agrees": argmax_agrees})
    )
    print(f"device: {torch.cuda.get_device_name()}")
    print(f"argmax of rows holding NaN agrees with torch: {argmax_agrees}")
    print("| indices | checked ms | unchecked ms | check's share | aminmax + sync ms |")
    print("|---:|---:|---:|---:|---:|")
    for count, checked, unchecked, alone in rows:
        share = (checked - unchecked) / checked
        print(f"| {count} | {checked:.4f} | {unchecked:.4f} | {share:.0%} | {alone:.4f} |")


if __name__ == "__main__":
    main()
