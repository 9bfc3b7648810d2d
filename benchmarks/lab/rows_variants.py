"""Lab: what closes the last percent between our layer norm and torch.compile's (issue 5).

The generated `layer_norm` (tests/kernels/reductions.py) is patched by text into variants, each
checked against float64 and timed against torch.compile's kernel in turns (five rounds, median
of the round medians: the GPU's clock drifts). Run on the GPU machine:

    python benchmarks/lab/rows_variants.py [--json OUT.json] [--inductor-code]

Each variant is timed at 8 and 16 warps, one row per program; `generated` and `early` also at
the other (rows per program, warps) points of ROW_POINTS. `--inductor-code` writes the Triton
code torch.compile generated for the same layer norm to stderr, to compare configurations.

Variants:
  generated  the kernel as the transpiler writes it
  evict      x loaded with eviction_policy="evict_first", weight and bias with "evict_last"
  early      weight and bias loaded before the reductions (their latency hidden behind them)
  both       evict + early
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from turns import in_turns

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import transpiler  # noqa: E402
from transpiler.run.runtime import load_module  # noqa: E402

WEIGHTS = """    weight_ptrs = weight_ptr + offs_n[None, :] * weight_stride_0
    weight_tile = upcast_half(tl.load(weight_ptrs, mask=mask_n[None, :], other=0.0))
    bias_ptrs = bias_ptr + offs_n[None, :] * bias_stride_0
    bias_tile = upcast_half(tl.load(bias_ptrs, mask=mask_n[None, :], other=0.0))
"""


def variants(code: str) -> dict[str, str]:
    found = re.search(r"    # line \d+: mean = row.mean\(dim=-1, keepdim=True\)\n", code)
    assert WEIGHTS in code and found, "the generated layer norm changed"
    FIRST_REDUCTION = found.group(0)  # noqa: N806
    evict = code.replace(
        "other=0.0))\n    row =", 'other=0.0, eviction_policy="evict_first"))\n    row ='
    )
    evict = evict.replace(
        "mask=mask_n[None, :], other=0.0))",
        'mask=mask_n[None, :], other=0.0, eviction_policy="evict_last"))',
    )
    weights_evict = WEIGHTS.replace(
        "mask=mask_n[None, :], other=0.0))",
        'mask=mask_n[None, :], other=0.0, eviction_policy="evict_last"))',
    )
    early = code.replace(WEIGHTS, "").replace(FIRST_REDUCTION, WEIGHTS + FIRST_REDUCTION)
    both = evict.replace(weights_evict, "").replace(
        FIRST_REDUCTION, weights_evict + FIRST_REDUCTION
    )
    assert evict != code and early != code and both not in (code, evict, early)
    return {"generated": code, "evict": evict, "early": early, "both": both}


# (rows per program, warps) beyond one row at 8 and 16 warps
ROW_POINTS = [(1, 4), (1, 32), (2, 8), (2, 16), (4, 16), (4, 32)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    parser.add_argument(
        "--inductor-code", action="store_true", help="log torch.compile's code (to stderr)"
    )
    args = parser.parse_args()
    if args.inductor_code:
        torch._logging.set_logs(output_code=True)
    source = (ROOT / "tests/kernels/reductions.py").read_text()
    rows = []
    for dtype in (torch.float32, torch.bfloat16):
        torch.manual_seed(0)
        x = torch.randn(16384, 8192, device="cuda", dtype=dtype) * 2 + 0.5
        weight = torch.rand(8192, device="cuda", dtype=dtype) + 0.5
        bias = torch.randn(8192, device="cuda", dtype=dtype)
        exact = F.layer_norm(x.double(), (8192,), weight.double(), bias.double())
        functions = {
            "compile": torch.compile(lambda x, w, b: F.layer_norm(x, (8192,), w, b)),
        }
        for rows_per_program, warps in [(1, 8), (1, 16), *ROW_POINTS]:
            code = transpiler.transpile_module(
                source,
                example_args={"layer_norm": (x, weight, bias)},
                only=("layer_norm",),
                config={"block_sizes": [rows_per_program], "num_warps": warps},
            ).code
            for name, text in variants(code).items():
                if (rows_per_program, warps) in ROW_POINTS and name not in ("generated", "early"):
                    continue
                suffix = f"{warps}w" if rows_per_program == 1 else f"{rows_per_program}r{warps}w"
                module = load_module(text, stem=f"ln_{name}_{suffix}")
                functions[f"{name}/{suffix}"] = module.layer_norm
        errors = {}
        for name, function in functions.items():
            result = function(x, weight, bias)
            errors[name] = ((result.double() - exact).norm() / exact.norm()).item()
        samples = in_turns(
            {name: lambda f=f, a=(x, weight, bias): f(*a) for name, f in functions.items()},
            rounds=5,
            rep=60,
        )
        for name, found in samples.items():
            ms = statistics.median(found)
            rows.append((str(dtype), name, ms, errors[name], found))
            print(str(dtype), name, f"{ms:.4f} ms", f"err {errors[name]:.1e}", flush=True)
    print("\n| dtype | variant | ms | vs torch.compile | rel err |")
    print("|---|---|---|---|---|")
    for dtype, name, ms, err, _ in rows:
        compiled = next(r[2] for r in rows if r[0] == dtype and r[1] == "compile")
        print(f"| {dtype} | {name} | {ms:.4f} | {compiled / ms:.3f} | {err:.1e} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
