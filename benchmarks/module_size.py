"""Generated module size against its kernel's source: lines, the ratio, where the kernel starts.

Issue 16's two targets, each counted per module: the module at most 4x its kernel's source
(the set's median too), and its first @triton.jit function within the first 15 lines.

Over the golden kernels (tests/golden/*.py, each its own module) and every kernel of
tests/kernels/*.py (each as its own module: the file's imports, then the kernel). Source lines
and generated lines both count every line, blank ones included.

Run: PYTHONPATH=. .venv/bin/python benchmarks/module_size.py [--rows]
"""

from __future__ import annotations

import argparse
import ast
import statistics
from pathlib import Path

import torch

import transpiler
from transpiler.compile.emit.prelude import HOST_HELPERS
from transpiler.compile.frontend.errors import RankUnknownError, TranspileError
from transpiler.compile.lower.argument_checks import ARGUMENT_HELPERS

ROOT = Path(__file__).parents[1]
MAX_RATIO = 4.0  # generated lines per source line
MAX_KERNEL_LINE = 15  # where the first @triton.jit may start at the latest


def kernel_modules(text: str) -> dict[str, str]:
    """Each kernel of a file as its own module: the file's imports, then the kernel."""
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


def sources() -> dict[str, str]:
    """name → module source: the goldens whole, the test kernels one by one."""
    found = {f"golden/{p.stem}": p.read_text() for p in sorted(ROOT.glob("tests/golden/*.py"))}
    for path in sorted(ROOT.glob("tests/kernels/*.py")):
        if path.stem == "__init__":
            continue
        for name, text in kernel_modules(path.read_text()).items():
            found[f"{path.stem}.{name}"] = text
    return {k: v for k, v in found.items() if not k.endswith(".triton")}


def generate(text: str) -> str | None:
    """The generated module, specialised on 2-D arguments where only they give a rank."""
    try:
        return transpiler.transpile(text)
    except RankUnknownError:
        examples = tuple(torch.empty(2, 2) for _ in range(8))
        try:
            return transpiler.transpile(text, example_args=examples)
        except (TranspileError, TypeError):
            return None
    except TranspileError:
        return None


def kernel_line(code: str) -> int:
    """The first line of the module's first @triton.jit function (1-based)."""
    lines = code.splitlines()
    return next((i + 1 for i, line in enumerate(lines) if line.startswith("@triton")), 0)


def launcher_helper_lines(code: str) -> int:
    """Lines of the launchers' helpers the module carries (`check_tensors`, `require`, ...), with
    the two blank lines before each: what a module importing them would not hold."""
    names = {*HOST_HELPERS, *ARGUMENT_HELPERS}
    return sum(
        node.end_lineno - node.lineno + 3
        for node in ast.parse(code).body
        if isinstance(node, ast.FunctionDef) and node.name in names
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", action="store_true", help="print every kernel's row")
    args = parser.parse_args()
    rows = []
    without_helpers = []  # each module's ratio, less its launcher helpers' lines
    long_lines = 0  # code lines over 100 characters (a `# line N:` comment cites its source whole)
    for name, text in sources().items():
        code = generate(text)
        if code is None:  # a kernel the tests expect to be refused
            continue
        source_lines = len(text.rstrip("\n").splitlines())
        generated = len(code.rstrip("\n").splitlines())
        rows.append((name, source_lines, generated, generated / source_lines, kernel_line(code)))
        without_helpers.append((generated - launcher_helper_lines(code)) / source_lines)
        long_lines += sum(
            len(line) > 100 and not line.lstrip().startswith("#") for line in code.splitlines()
        )
    width = max(len(r[0]) for r in rows)
    if args.rows:
        print(f"{'kernel'.ljust(width)}  source  generated  ratio  @triton.jit at")
        for name, source_lines, generated, ratio, first in rows:
            print(f"{name.ljust(width)}  {source_lines:6}  {generated:9}  {ratio:5.1f}  {first:14}")
        print()
    goldens = [r for r in rows if r[0].startswith("golden/")]
    print(
        f"{'set'.ljust(12)}  kernels  median ratio  max ratio  median @triton.jit line  max  "
        f"ratio <= {MAX_RATIO:g}  @triton.jit by line {MAX_KERNEL_LINE}  "
        f"median lines over {MAX_RATIO:g}x"
    )
    for label, chosen in (("goldens", goldens), ("all", rows)):
        ratios = [r[3] for r in chosen]
        firsts = [r[4] for r in chosen]
        small = sum(ratio <= MAX_RATIO for ratio in ratios)
        early = sum(0 < first <= MAX_KERNEL_LINE for first in firsts)
        over = statistics.median(r[2] - MAX_RATIO * r[1] for r in chosen)  # lines to lose
        print(
            f"{label.ljust(12)}  {len(chosen):7}  {statistics.median(ratios):12.1f}  "
            f"{max(ratios):9.1f}  {statistics.median(firsts):23}  {max(firsts):3}  "
            f"{f'{small}/{len(chosen)}':>10}  {f'{early}/{len(chosen)}':>22}  {over:21g}"
        )
    print(f"code lines over 100 characters, all modules: {long_lines}")
    print(
        f"all, less the launcher helpers' lines: median ratio "
        f"{statistics.median(without_helpers):.1f}, "
        f"{sum(r <= MAX_RATIO for r in without_helpers)}/{len(rows)} <= {MAX_RATIO:g}"
    )


if __name__ == "__main__":
    main()
