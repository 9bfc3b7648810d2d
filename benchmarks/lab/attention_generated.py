"""Lab: our generated attention (tests/kernels/matrix.py::attention_batched) at chosen configs.

Each config is transpiled, checked against SDPA and timed against it in turns (five rounds,
median of the round medians); a config that fails to compile prints Triton's message. Run on
the GPU machine:

    python benchmarks/lab/attention_generated.py [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import traceback
from pathlib import Path

import torch
import torch.nn.functional as F
import triton.testing

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import transpiler  # noqa: E402
from transpiler.autotune import WARP_SPECIALIZED_CONFIGS  # noqa: E402
from transpiler.runtime import load_module  # noqa: E402

HOPPER = {"indexing": "tensor_descriptor", "range_warp_specializes": [True]}
CONFIGS = [
    *(
        {"block_sizes": [bm, bn], "num_warps": w, "num_stages": s, **HOPPER}
        for bm, bn, w, s in WARP_SPECIALIZED_CONFIGS
    ),
    {"block_sizes": [128, 128], "num_warps": 4, "num_stages": 2, "indexing": "tensor_descriptor"},
    {"block_sizes": [128, 128], "num_warps": 8, "num_stages": 3},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.manual_seed(0)
    q, k, v = (torch.randn(128, 4096, 128, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    exact = F.scaled_dot_product_attention(q[:4].double(), k[:4].double(), v[:4].double())
    source = (ROOT / "tests/kernels/matrix.py").read_text()
    functions = {"sdpa": lambda: F.scaled_dot_product_attention(q[None], k[None], v[None])}
    notes = {}
    for index, config in enumerate(CONFIGS):
        label = f"{index}: {config}"
        try:
            code = transpiler.transpile_module(
                source,
                example_args={"attention_batched": (q, k, v)},
                only=("attention_batched",),
                config=config,
            ).code
            kernel = load_module(code, stem=f"attention_lab_{index}").attention_batched
            out = kernel(q, k, v)
            error = ((out[:4].double() - exact).norm() / exact.norm()).item()
            notes[label] = f"rel err {error:.1e}"
            functions[label] = lambda kernel=kernel: kernel(q, k, v)
        except Exception as failure:  # noqa: BLE001 - a config Triton refuses: say why
            text = "".join(traceback.format_exception_only(failure)).strip()
            notes[label] = f"{type(failure).__name__}: {text[-600:]}"
        print(label, notes[label], flush=True)
    samples = {name: [] for name in functions}
    for _ in range(5):
        for name, function in functions.items():
            samples[name].append(triton.testing.do_bench(function, rep=100, return_mode="median"))
    sdpa = statistics.median(samples["sdpa"])
    rows = []
    print("\n| config | ms | vs SDPA | note |\n|---|---|---|---|")
    for name, found in samples.items():
        ms = statistics.median(found)
        rows.append({"config": name, "ms": ms, "rounds": found, "note": notes.get(name, "")})
        print(f"| {name} | {ms:.3f} | {sdpa / ms:.3f} | {notes.get(name, '')} |")
    for name, note in notes.items():
        if name not in samples:
            print(f"| {name} | - | - | {note[:200]} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
