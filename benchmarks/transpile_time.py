"""Transpile time per kernel (median of repeats), for the kernels the tests check numerically.

Run: .venv/bin/python benchmarks/transpile_time.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import ast
import statistics
import time
from pathlib import Path

import torch

import transpiler

ROOT = Path(__file__).parents[1]
FILES = [ROOT / "tests/kernels/elementwise.py", ROOT / "tests/kernels/reductions.py"]


def kernel_modules(text: str) -> dict[str, str]:
    """Each kernel as its own module: the file's imports, then the kernel."""
    tree = ast.parse(text)
    lines = text.splitlines()
    imports = [
        ast.get_source_segment(text, n)
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom))
    ]
    modules = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            first = node.decorator_list[0].lineno
            body = "\n".join(lines[first - 1 : node.end_lineno])
            modules[node.name] = "\n".join(imports) + "\n\n\n" + body + "\n"
    return modules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rows = []
    for path in FILES:
        for name, text in kernel_modules(path.read_text()).items():
            example = None
            try:
                transpiler.transpile_module(text)
            except (
                transpiler.compile.frontend.errors.RankUnknownError
            ):  # hl.tile(x.size()): rank from arguments
                example = {name: (torch.empty(2, 2), torch.empty(2, 2))}
            transpiler.transpile_module(text, example_args=example)  # warm up
            times = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                transpiler.transpile_module(text, example_args=example)
                times.append((time.perf_counter() - started) * 1000)
            rows.append((f"{path.stem}.{name}", statistics.median(times), max(times)))
    width = max(len(r[0]) for r in rows)
    print(f"{'kernel'.ljust(width)}  median ms  max ms")
    for name, median, worst in rows:
        print(f"{name.ljust(width)}  {median:9.1f}  {worst:6.1f}")
    medians = [r[1] for r in rows]
    print(
        f"\n{len(rows)} kernels: median of medians {statistics.median(medians):.1f} ms, "
        f"slowest median {max(medians):.1f} ms (target: under 50 ms per kernel)"
    )


if __name__ == "__main__":
    main()
