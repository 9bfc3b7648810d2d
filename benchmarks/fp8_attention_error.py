"""Helion's fp8_attention example: ours and its torch._scaled_mm baseline against float64.

    python benchmarks/fp8_attention_error.py [--examples DIR] [B H S D ...]

Both start from the same float8 inputs; the float64 reference is softmax(q kᵀ / √d) v of those
inputs, unrounded. Prints each one's largest and mean error (CPU interpreter or GPU).
"""

from __future__ import annotations

import argparse
import math
import runpy
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from helion_shim import installed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", default=str(ROOT / ".helion_examples"))
    parser.add_argument("sizes", nargs="*", type=int, default=[1, 2, 128, 64, 2, 4, 256, 64])
    options = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with installed(transpile_only=False, target=device):
        example = runpy.run_path(f"{options.examples}/fp8_attention.py", run_name="example")
        sizes = options.sizes
        for b, h, s, d in zip(sizes[::4], sizes[1::4], sizes[2::4], sizes[3::4]):
            torch.manual_seed(42)
            q, k, v = (torch.randn(b, h, s, d, dtype=torch.bfloat16, device=device) for _ in "qkv")
            q8, k8, v8 = example["preprocess_fp8_attention_inputs"](q, k, v)
            ours = example["fp8_attention_kernel"](q8, k8, v8, b, h).double()
            baseline = example["_fp8_attention_pytorch_impl"](q8, k8, v8, b, h, s, d).double()
            keys, values = k8.double(), v8.double().transpose(1, 2)
            p = torch.softmax(q8.double() @ keys.transpose(1, 2) / math.sqrt(d), dim=-1)
            exact = (p @ values).reshape(b, h, s, d)
            for label, result in (("ours", ours), ("baseline", baseline)):
                error = (result - exact).abs()
                print(
                    f"{b}x{h}x{s}x{d} {label:8} max err {error.max().item():.4f}"
                    f"  mean err {error.mean().item():.5f}"
                )


if __name__ == "__main__":
    main()
