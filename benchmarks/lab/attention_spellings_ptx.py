"""Lab: the three attention spellings' sm_90 device code side by side, compiled on the CPU
(issue 17: why the plain spelling and Helion's example run slower than ours at one config).

    PYTHONPATH=. python benchmarks/lab/attention_spellings_ptx.py [--configs ws,tma]

One table, a row per spelling and configuration (benchmarks/gpu_attention.py's VARIANTS, and
two pointer configs): wgmma instructions and how many read their first factor from registers
(`RS`: ldmatrix feeds them), TMA copies, ex2 (flush-to-zero / not), f32 multiplies and fused
multiply-adds, registers, spills, shared memory, and a digest of the PTX's instructions (equal
digests: the same device code). Static counts of the code, not executions. bf16 inputs, 2 x 2
heads of 256 queries and keys, head dimension 128 (the sizes reach the code only as whole-tile
flags, true at the timed 4 x 32 x 4096 x 128 too). Rows marked `what-if` are the generated
module edited as text (EDITS), to see what a change to the transpiler would give.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import re
import sys
from pathlib import Path

import torch

os.environ.setdefault("TRITON_INTERPRET", "1")  # --errors runs the kernels on the CPU
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "benchmarks" / "lab")]

import gpu_attention  # noqa: E402
from ptx_digests import code_lines  # noqa: E402

from transpiler.analysis.targets import compile_launcher  # noqa: E402
from transpiler.run.cache import load_module  # noqa: E402

POINTERS = {  # name: (BLOCK_M, BLOCK_N, warps, stages, extra): no descriptors
    "ptr 128x64 w4 s3": (128, 64, 4, 3, {}),
    "ptr 128x128 w8 s2": (128, 128, 8, 2, {}),
}
CONFIGS = {**gpu_attention.VARIANTS, **POINTERS}
LOG2E = "1.4426950408889634"
# what-if rows: (spelling, label): [(pattern, replacement)] applied to the generated module
EDITS = {
    ("plain", "exp2 row correction"): [
        (r"alpha = tl\.exp\(m_i - m_new\)", f"alpha = tl.exp2(m_i * {LOG2E} - m_new * {LOG2E})")
    ],
}
PATTERNS = {  # column: regex over the PTX's instruction lines
    "wgmma": r"^wgmma\.mma_async",
    "RS": r"^wgmma\.mma_async.*\{[^}]*\},\s*\{",  # accumulators, then A's registers
    "ldmatrix": r"^ldmatrix",
    "TMA": r"^cp\.async\.bulk\.tensor",
    "cp.async": r"^cp\.async\.(ca|cg)",
    "ld.global": r"^ld\.global",
    "ex2.ftz": r"^ex2\.approx\.ftz",
    "ex2": r"^ex2\.approx\.f32",
    "mul.f32": r"^mul\.(rn\.)?f32",
    "fma.f32": r"^fma\.rn\.f32",
}


def spelling_args(kind: str) -> tuple[torch.Tensor, ...]:
    torch.manual_seed(0)
    shape = (2, 2, 256, 128) if kind == "4d" else (4, 256, 128)
    return tuple(torch.randn(shape, dtype=torch.bfloat16) for _ in range(3))


def edited_launcher(source: str, kernel: str, edits: list[tuple[str, str]]):
    """The module's launcher after the edits (none: the module as generated)."""
    for pattern, replacement in edits:
        source, count = re.subn(pattern, replacement, source)
        if count == 0:
            raise LookupError(f"not in the generated module: {pattern[:60]}")
    return getattr(load_module(source, stem=f"whatif_{kernel}"), kernel)


def row(label: str, config: str, result) -> str:
    lines = code_lines(result.asm["ptx"])
    bare = [re.sub(r"^@!?%\w+\s+", "", line) for line in lines]  # no predicate
    counts = [sum(bool(re.search(p, line)) for line in bare) for p in PATTERNS.values()]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
    fits = "" if result.fits else " (exceeds: " + ", ".join(result.exceeded) + ")"
    cells = [label, config, *map(str, counts), str(result.registers), str(result.spills)]
    return "| " + " | ".join([*cells, f"{result.shared_bytes}{fits}", digest]) + " |"


def error_rows() -> None:
    """Each spelling and what-if run by Triton's interpreter at small odd shapes (float16 and
    float32: its bfloat16 arithmetic is wrong), the largest error against float64 over the
    largest |exact| value: the rounding an edit would change."""
    print("| spelling | dtype | shape | max error / max abs | log-sum-exp max error |")
    print("|---|---|---|---|---|")
    for spelling, (file, kernel, kind) in gpu_attention.SPELLINGS.items():
        function = getattr(gpu_attention.user_module(file), kernel)
        config = gpu_attention.with_batch((32, 16, 4, 2, gpu_attention.WS), spelling)
        for dtype in (torch.float16, torch.float32):
            for m, n, d in ((64, 48, 32), (50, 37, 24)):
                torch.manual_seed(m + n)
                shape = (2, 2) if kind == "4d" else (4,)
                q, k, v = (torch.randn(*shape, s, d, dtype=dtype) for s in (m, n, n))
                scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(d)
                exact = torch.softmax(scores, -1) @ v.double()
                exact_lse = torch.logsumexp(scores, -1) / math.log(2)
                source = function.bind((q, k, v), config).triton_source
                modules = {spelling: []}
                for (edited, what), edits in EDITS.items():
                    if edited == spelling:
                        modules[f"{spelling}, what-if: {what}"] = edits
                for label, edits in modules.items():
                    result = edited_launcher(source, kernel, edits)(q, k, v)
                    out = result[0] if isinstance(result, tuple) else result
                    error = (out.double() - exact).abs().max() / exact.abs().max()
                    lse = ""
                    if isinstance(result, tuple):
                        lse = f"{(result[1].double() - exact_lse).abs().max().item():.3e}"
                    print(f"| {label} | {str(dtype)[6:]} | {m}x{n}x{d} | {error.item():.3e} "
                          f"| {lse} |", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configs", default="", help="comma-separated prefixes: ws,tma,ptr")
    parser.add_argument("--errors", action="store_true", help="errors against float64 only")
    options = parser.parse_args()
    if options.errors:
        error_rows()
        return
    prefixes = tuple(p for p in options.configs.split(",") if p)
    header = ["spelling", "config", *PATTERNS, "regs", "spills", "smem", "PTX digest"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, variant in CONFIGS.items():
        if prefixes and not name.startswith(prefixes):
            continue
        for spelling, (file, kernel, kind) in gpu_attention.SPELLINGS.items():
            args = spelling_args(kind)
            function = getattr(gpu_attention.user_module(file), kernel)
            config = gpu_attention.with_batch(variant, spelling)
            source = function.bind(args, config).triton_source
            modules = {spelling: []}  # label: the edits of the generated module
            for (edited, what), edits in EDITS.items():
                if edited == spelling:
                    modules[f"{spelling}, what-if: {what}"] = edits
            for label, edits in modules.items():
                try:
                    launcher = edited_launcher(source, kernel, edits)
                    (result,) = compile_launcher(launcher, args, {}, "sm_90")
                except Exception as error:  # noqa: BLE001 - a config a spelling cannot take
                    why = str(error).strip().splitlines()
                    print(f"| {label} | {name} | {type(error).__name__}: {why[:1]} |", flush=True)
                    continue
                print(row(label, name, result), flush=True)


if __name__ == "__main__":
    main()
