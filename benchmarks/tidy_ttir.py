"""The tidy steps leave the compiled kernels alone: each golden kernel's Triton IR (ttir) and
PTX for sm_90, from the golden module at a git revision and from the current one, compared with
source locations stripped. No GPU needed (Triton compiles for the target on CPU).

Run: PYTHONPATH=. .venv/bin/python benchmarks/tidy_ttir.py [--before REV]
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import torch

from transpiler.analysis.targets import compile_launcher

ROOT = Path(__file__).parents[1]
_COUNT: list[int] = []

# (golden, launcher, arguments): the golden tests' own cases, in float32 and in float16
CASES = [
    ("add", "add", lambda t: (torch.randn(1000, dtype=t), torch.randn(1000, dtype=t))),
    ("softmax", "softmax", lambda t: (torch.randn(9, 70, dtype=t),)),
    (
        "layer_norm",
        "layer_norm",
        lambda t: (torch.randn(9, 70, dtype=t), torch.randn(70, dtype=t), torch.randn(70, dtype=t)),
    ),
    ("online_softmax", "softmax_two_pass", lambda t: (torch.randn(5, 200, dtype=t),)),
    (
        "outer_grid",
        "outer_scaled",
        lambda t: (torch.randn(13, dtype=t), torch.randn(17, dtype=t), 0.5),
    ),
    ("outer_grid", "row_cumsum", lambda t: (torch.randn(4, 33, dtype=t),)),
]


def _without_locations(ir: str) -> str:
    """The IR without what only names or places it: source locations, debug sections, and the
    SSA names Triton takes from variables (renumbered in order of first use)."""
    ir = ir.split("\t.section\t.debug", 1)[0]  # PTX: the DWARF sections name the file
    skipped = ("#loc", "\t.file", "\t.loc", "$L__tmp")  # and the line markers of PTX
    lines = [line for line in ir.splitlines() if not line.startswith(skipped)]
    text = re.sub(r"\s*loc\([^()]*(\([^()]*\)[^()]*)*\)", "", "\n".join(lines))
    names: dict[str, str] = {}
    return re.sub(r"%[\w.]+", lambda v: names.setdefault(v[0], f"%v{len(names)}"), text)


def _stages(code: str, launcher: str, args: tuple) -> list[tuple[str, str]]:
    namespace: dict = {}
    _COUNT.append(len(_COUNT))  # a file of its own each time: the compiler's worker loads it
    path = ROOT / f".tidy_ttir_{len(_COUNT)}.py"
    path.write_text(code)
    try:
        exec(compile(code, str(path), "exec"), namespace)
        results = compile_launcher(namespace[launcher], args, {}, "sm_90")
    finally:
        path.unlink()
    return [(_without_locations(r.asm["ttir"]), _without_locations(r.asm["ptx"])) for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", default="45fc06d", help="the revision before the tidy steps")
    args = parser.parse_args()
    print(f"{'golden kernel'.ljust(34)}  dtype     ttir       ptx")
    for golden, launcher, make in CASES:
        path = f"tests/golden/{golden}.triton.py"
        before = subprocess.run(
            ["git", "show", f"{args.before}:{path}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        after = (ROOT / path).read_text()
        for dtype in (torch.float32, torch.float16):
            inputs = make(dtype)
            old, new = _stages(before, launcher, inputs), _stages(after, launcher, inputs)
            ttir = "identical" if [o[0] for o in old] == [n[0] for n in new] else "DIFFERENT"
            ptx = "identical" if [o[1] for o in old] == [n[1] for n in new] else "DIFFERENT"
            name = f"{golden}.{launcher}"
            print(f"{name.ljust(34)}  {str(dtype)[6:]:8}  {ttir:9}  {ptx}")


if __name__ == "__main__":
    main()
