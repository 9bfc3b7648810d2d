"""The main job for now: transpile a bundled kernel, show source and Triton side by side, run it."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from importlib import resources

import torch

from ..compile.pipeline import Transpiled, transpile_module
from ..reference.mode import reference_function
from ..run.runtime import interpreting, load_module

_PALETTE = [33, 208, 41, 170, 39, 214, 77, 135, 203, 45, 178, 99]


def side_by_side(source: str, transpiled: Transpiled, width: int, color: bool) -> str:
    """Generated lines on the right; on the left, each source line beside the first line it made."""
    source_lines = source.splitlines()
    column = max(20, min(60, width // 2 - 4))
    shown: set[int] = set()
    colours: dict[int, int] = {}
    rows = []
    for number, generated in enumerate(transpiled.code.splitlines(), start=1):
        origin = transpiled.source_line(number)
        left = ""
        if origin is not None and origin not in shown and 0 < origin <= len(source_lines):
            shown.add(origin)
            left = f"{origin:>3} {source_lines[origin - 1]}"
        left = left[:column].ljust(column)
        right = generated[: max(10, width - column - 3)]
        if color and origin is not None:
            code = colours.setdefault(origin, _PALETTE[len(colours) % len(_PALETTE)])
            left = f"\033[38;5;{code}m{left}\033[0m" if left.strip() else left
            right = f"\033[38;5;{code}m{right}\033[0m"
        rows.append(f"{left} │ {right}")
    header = f"{'Helion source'.ljust(column)} │ generated Triton"
    return "\n".join([header, "─" * column + "─┼─" + "─" * (width - column - 3), *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev demo", description=__doc__)
    parser.add_argument("--rows", type=int, default=37, help="rows of the input (default 37)")
    parser.add_argument("--cols", type=int, default=129, help="columns of the input (default 129)")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    args = parser.parse_args(argv)
    source = resources.files("transpiler.examples").joinpath("softmax.py").read_text()
    started = time.perf_counter()
    transpiled = transpile_module(source, filename="transpiler/examples/softmax.py")
    elapsed = (time.perf_counter() - started) * 1000
    width = shutil.get_terminal_size((160, 40)).columns
    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    print(side_by_side(source, transpiled, width, color))
    print(f"\ntranspiled in {elapsed:.1f} ms")
    device = "cpu" if interpreting() else "cuda"
    where = "Triton's CPU interpreter (no GPU)" if interpreting() else torch.cuda.get_device_name()
    x = torch.randn(args.rows, args.cols, device=device)
    module = load_module(transpiled.code, stem="demo_softmax")
    ours = module.softmax(x)
    eager = reference_function(source, "softmax")(x)
    exact = torch.softmax(x.double(), dim=1)
    error_reference = (ours.double() - eager.double()).abs().max().item()
    error_exact = (ours.double() - exact).abs().max().item()
    ok = error_exact < 1e-5 and error_reference < 1e-5
    print(f"ran softmax on a {args.rows}x{args.cols} float32 input in {where}")
    print(f"max |ours - reference mode| = {error_reference:.2e}")
    print(f"max |ours - float64 torch|  = {error_exact:.2e}  -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
