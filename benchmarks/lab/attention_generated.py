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
from turns import in_turns

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import transpiler  # noqa: E402
from transpiler.run.runtime import load_module  # noqa: E402
from transpiler.run.tile_configs import WARP_SPECIALIZED_CONFIGS  # noqa: E402

HOPPER = {"indexing": "tensor_descriptor", "range_warp_specializes": [True]}
CONFIGS = [
    *(
        {"block_sizes": [bm, bn], "num_warps": w, "num_stages": s, **HOPPER}
        for bm, bn, w, s in WARP_SPECIALIZED_CONFIGS
    ),
    {"block_sizes": [128, 128], "num_warps": 4, "num_stages": 2, "indexing": "tensor_descriptor"},
    {"block_sizes": [128, 128], "num_warps": 8, "num_stages": 3},
]


LOG2E = "1.4426950408889634"
EXP = "probabilities = tl.exp(scores - new_max[:, None])"
EXP_FMA = f"probabilities = tl.exp2(scores * {LOG2E} - new_max[:, None] * {LOG2E})"
SCALED = "scores = tl.dot(queries, tl.trans(k_tile)) * scale"
MAX = 'tl.max(tl.where(mask_n[None, :], scores, float("-inf")), axis=1)'
NAN = "propagate_nan=tl.PropagateNan.ALL,"


def text_variants(code: str) -> dict[str, str]:
    """The first config's code, patched: `fma` writes exp(s - m) as exp2(s * L - m * L) (one
    FMA, where exp's own `* L` is a second multiply); `fold` also multiplies the raw product
    by scale * L inside that FMA and the row max by scale (the hand-written kernels' form);
    `fold+nomask` also drops the masks of the key tiles (whole tiles here: EVEN_N)."""
    assert EXP in code and SCALED in code and MAX in code and NAN in code, "code changed"
    fma = code.replace(EXP, EXP_FMA)
    fold = (
        code.replace(SCALED, SCALED.removesuffix(" * scale"))
        .replace(MAX, f"{MAX} * scale")
        .replace(
            EXP, f"probabilities = tl.exp2(scores * (scale * {LOG2E}) - new_max[:, None] * {LOG2E})"
        )
    )
    nomask = (
        fold.replace(MAX, "tl.max(scores, axis=1)")
        .replace(
            "tl.sum(tl.where(mask_n[None, :], probabilities, 0), axis=1)",
            "tl.sum(probabilities, axis=1)",
        )
        .replace(
            "tl.where(mask_n[None, :], probabilities.to(v_ptr.dtype.element_ty), 0)",
            "probabilities.to(v_ptr.dtype.element_ty)",
        )
    )
    assert "tl.where(mask_n" not in nomask, "masks left"
    return {"fma": fma, "fold": fold, "fold+nomask": nomask}


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
            texts = {label: code}
            if index == 0:
                texts.update({f"0 {name}": text for name, text in text_variants(code).items()})
            for name, text in texts.items():
                stem = f"attention_lab_{index}_{len(functions)}"
                kernel = load_module(text, stem=stem).attention_batched
                out = kernel(q, k, v)
                error = ((out[:4].double() - exact).norm() / exact.norm()).item()
                notes[name] = f"rel err {error:.1e}"
                functions[name] = lambda kernel=kernel: kernel(q, k, v)
                print(name, notes[name], flush=True)
        except Exception as failure:  # noqa: BLE001 - a config Triton refuses: say why
            text = "".join(traceback.format_exception_only(failure)).strip()
            notes[label] = f"{type(failure).__name__}: {text[-600:]}"
            print(label, notes[label], flush=True)
    samples = in_turns(functions, rounds=5, rep=100)
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
