"""Lab (2026-12-06): two product kernels the whole suite found wrong on an H100 (14:2x), right
in the interpreter: tests/test_corpus_small_products.py's `outer_sum` (K of one into an
accumulator, float16 / float32; float64 right) and tests/test_corpus_squeezed_products.py's
`nibbles_times`. Prints each module, then what the GPU's result matches (the product, the bias,
a multiple) on the first elements.

    python3 benchmarks/lab/gpu_wrong_products.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_corpus_small_products import outer_sum  # noqa: E402
from test_corpus_squeezed_products import _pack, nibbles_times  # noqa: E402


def show(name, kernel, args, expected, parts):
    bound = kernel.bind(args)
    out = Path(os.environ.get("OUT", "/tmp/out"))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name.replace(' ', '_')}.py").write_text(bound.triton_source)
    got = kernel(*[a.cuda() for a in args]).double().cpu()
    error = (got - expected).abs().max().item()
    print(f"===== {name}: max error {error:.3g} (its module: $OUT/{name.replace(' ', '_')}.py)")
    print("got", got[:3, :4], "\nexpected", expected[:3, :4], sep="\n")
    for label, part in parts.items():
        print(f"  equal to {label}: {torch.allclose(got, part.double(), atol=1e-2, rtol=1e-2)}")


for dtype in (torch.float16, torch.float32, torch.float64):
    x, y, bias = torch.randn(37, dtype=dtype), torch.randn(21, dtype=dtype), torch.randn(37, 21)
    product = x.double()[:, None] * y.double()[None, :]
    show(f"outer_sum {dtype}", outer_sum, (x, y, bias), product + bias.double(),
         {"product": product, "bias": bias, "bias + 16 x product": bias + 16 * product})  # fmt: skip
a = torch.randn(5, 24, dtype=torch.float16)
nibbles = torch.randint(-8, 8, (24, 7), dtype=torch.int8)
packed = _pack(nibbles)
low_only = a.double()[:, 0::2] @ nibbles.double()[0::2]
show("nibbles_times", nibbles_times, (a, packed), a.double() @ nibbles.double(),
     {"even rows only": low_only})  # fmt: skip
