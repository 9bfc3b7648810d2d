"""Generated module size against its kernel's source: lines, the ratio, where the kernel starts.

Issue 16's two targets, each counted per module: the module at most 4x its kernel's source
(the set's median too), and its first @triton.jit function within the first 15 lines.

Over the golden kernels (tests/golden/*.py, each its own module) and every kernel of
tests/kernels/*.py (each as its own module: the file's imports, then the kernel). Source lines
and generated lines both count every line, blank ones included.

Run: PYTHONPATH=. .venv/bin/python benchmarks/module_size.py [--rows] [--parts]
(--parts: where each module's lines go, the median and mean of each part.)
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
from transpiler.compile.lower.shared_memory import SHARED_MEMORY_HELPERS

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
    names = {*HOST_HELPERS, *ARGUMENT_HELPERS, *SHARED_MEMORY_HELPERS}
    return sum(
        node.end_lineno - node.lineno + 3
        for node in ast.parse(code).body
        if isinstance(node, ast.FunctionDef) and node.name in names
    )


# the parts of a module, in the order --parts prints them
PARTS = (
    "header",  # the docstring, the imports
    "kernels",  # @triton.jit kernels (decorator, signature, comments, body)
    "device helpers",  # @triton.jit helpers (upcast_half, ...)
    "launcher",  # the launcher, less its checks
    "launcher checks",  # check_tensors(...) calls and `if ...: raise` blocks in launchers
    "launcher helpers",  # check_tensors, require, ...
    "blank",
)


def parts(code: str) -> dict[str, int]:
    """How many of the module's lines each part takes (PARTS)."""
    lines = code.rstrip("\n").splitlines()
    part = ["blank" if not line.strip() else "header" for line in lines]
    helpers = {*HOST_HELPERS, *ARGUMENT_HELPERS, *SHARED_MEMORY_HELPERS}

    def mark(first: int, last: int, name: str) -> None:
        for index in range(first - 1, last):
            if part[index] != "blank":
                part[index] = name

    for node in ast.parse(code).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        jit = any("jit" in ast.unparse(d) for d in node.decorator_list)
        if node.name in helpers:
            mark(first, node.end_lineno, "launcher helpers")
        elif jit:
            mark(
                first,
                node.end_lineno,
                "kernels" if node.name.endswith("_kernel") else "device helpers",
            )
        else:
            mark(first, node.end_lineno, "launcher")
            for inner in ast.walk(node):
                raises = isinstance(inner, ast.If) and isinstance(inner.body[0], ast.Raise)
                checks = (
                    isinstance(inner, (ast.Expr, ast.Assign))
                    and isinstance(inner.value, ast.Call)
                    and isinstance(inner.value.func, ast.Name)
                    and inner.value.func.id in helpers
                )
                if raises or checks:
                    mark(inner.lineno, inner.end_lineno, "launcher checks")
    return {name: part.count(name) for name in PARTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", action="store_true", help="print every kernel's row")
    parser.add_argument("--parts", action="store_true", help="where the modules' lines go")
    args = parser.parse_args()
    rows = []
    without_helpers = []  # each module's ratio, less its launcher helpers' lines
    split = {name: [] for name in PARTS}  # each part's lines, per module
    long_lines = 0  # code lines over 100 characters (a `# line N:` comment cites its source whole)
    for name, text in sources().items():
        code = generate(text)
        if code is None:  # a kernel the tests expect to be refused
            continue
        source_lines = len(text.rstrip("\n").splitlines())
        generated = len(code.rstrip("\n").splitlines())
        rows.append((name, source_lines, generated, generated / source_lines, kernel_line(code)))
        for name, count in parts(code).items():
            split[name].append(count)
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
    if args.parts:
        print(f"{'part'.ljust(16)}  median lines  mean lines  (all {len(rows)} modules)")
        for name, counts in split.items():
            print(
                f"{name.ljust(16)}  {statistics.median(counts):12g}  {statistics.mean(counts):10.1f}"
            )
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
