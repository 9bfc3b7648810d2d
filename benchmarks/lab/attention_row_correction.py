"""Lab: why the plain attention spelling trails ours by 6% on the H200 with the same float32 work
(docs/performance.md, 20:58 UTC). Its generated kernel differs from ours in per-row work only;
the suspect is the row correction `torch.exp(m_i - m_new)`, a non-flush-to-zero ex2 with its
denormal fix-ups on the path from the row max to the accumulator's rescaling. Variants of the
plain spelling's generated module (the search's configuration), edited as text:

- generated: as the transpiler writes it;
- exp2 correction: `alpha = tl.exp2(m_i * LOG2E - m_new * LOG2E)`;
- ours: benchmarks/kernels.py::attention_3d at the same configuration (the yardstick).

Each is checked against float64 on 4 heads, then timed in turns with cuDNN's SDPA (7 rounds,
median of the round medians). On the GPU machine (carry `.whl`):

    python3 benchmarks/lab/attention_row_correction.py [--size 4x32x4096x128] [--check-only]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

from turns import in_turns

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import gpu_attention  # noqa: E402

from transpiler.run.runtime import load_module  # noqa: E402

CONFIG = gpu_attention.with_batch(gpu_attention.VARIANTS["ws 128x128 w4 s2 persistent"], "plain")
LOG2E = "1.4426950408889634"
EDITS = {  # variant: (text in the plain spelling's module, its replacement)
    "exp2 correction": (
        "alpha = tl.exp(m_i - m_new)",
        f"alpha = tl.exp2(m_i * {LOG2E} - m_new * {LOG2E})",
    ),
}


def generated(file: str, kernel: str, args: tuple) -> str:
    function = getattr(gpu_attention.user_module(file), kernel)
    return function.bind(args, CONFIG).triton_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="4x32x4096x128")
    parser.add_argument("--check-only", action="store_true", help="no timing (CPU dry runs)")
    options = parser.parse_args()
    size = tuple(int(s) for s in options.size.split("x"))
    args = gpu_attention.inputs("3d", size)
    four_d = tuple(t.view(size) for t in args)
    exact = gpu_attention.exact_first_heads(*four_d)
    plain = generated("benchmarks/plain_kernels.py", "attention", args)
    modules = {"generated": plain}
    for name, (old, new) in EDITS.items():
        if old not in plain:
            print(f"{name}: not applied ({old!r} not in the generated module)")
            continue
        modules[name] = plain.replace(old, new)
    functions = {}
    for name, text in modules.items():
        launcher = load_module(text, stem=f"plain_{name.replace(' ', '_')}").attention
        functions[name] = lambda f=launcher: f(*args)
    ours = gpu_attention.user_module("benchmarks/kernels.py").attention_3d
    ours_config = gpu_attention.with_batch(
        gpu_attention.VARIANTS["ws 128x128 w4 s2 persistent"], "ours"
    )
    ours_launcher = ours.bind(args, ours_config)
    functions["ours"] = lambda: ours_launcher(*args)
    functions["SDPA cuDNN"] = lambda: gpu_attention.peers()["SDPA cuDNN"](*four_d)
    for name, function in functions.items():
        error = gpu_attention.check(function().reshape(size), exact)
        print(f"{name}: relative error {error:.2e}")
        assert math.isfinite(error) and error < 2e-2, name
    if options.check_only:
        return
    samples = in_turns(functions, rounds=7)
    sdpa = statistics.median(samples["SDPA cuDNN"])
    print("\n| variant | ms | SDPA cuDNN / variant |\n|---|---|---|")
    for name, values in sorted(samples.items(), key=lambda item: statistics.median(item[1])):
        ms = statistics.median(values)
        print(f"| {name} | {ms:.3f} | {sdpa / ms:.3f} |")


if __name__ == "__main__":
    main()
