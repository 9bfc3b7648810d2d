"""Lab: the last percent between our float32 add and torch.compile's (issue 5).

`tests/kernels/elementwise.py::add` over 2**27 float32 elements, transpiled at several (block,
warps) points and timed against torch.compile in turns (five rounds, median of the round
medians) through its launcher; with `--bare` also as a bare kernel launch (what the launcher's
Python costs when the GPU waits for it) and the launcher under a CUDA graph. It prints the
config torch.compile's own tuning chose. Run on the GPU machine:

    python benchmarks/lab/add_variants.py [--json OUT.json] [--inductor-code] [--bare]

`--inductor-code` logs the code torch.compile generated (to stderr), to compare configurations.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import torch
import triton
from turns import in_turns

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import transpiler  # noqa: E402
from transpiler.run.runtime import load_module  # noqa: E402

POINTS = [(256, 2), (256, 4), (512, 4), (512, 8), (1024, 8), (1024, 16), (2048, 8)]


def inductor_configs() -> list[str]:
    """The launch configs of the Triton kernels torch.compile has loaded (after its tuning)."""
    from torch._inductor.codecache import PyCodeCache

    found = []
    for module in list(PyCodeCache.modules):
        for name in dir(module):
            kernel = getattr(module, name)
            for launcher in getattr(kernel, "launchers", None) or []:
                config = launcher.config
                found.append(f"{name}: {config.kwargs} warps {config.num_warps}")
    return found


def graphed(function, *args):
    """`function(*args)` captured in a CUDA graph: launched without Python in between."""
    function(*args)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        function(*args)
    return graph.replay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    parser.add_argument("--inductor-code", action="store_true")
    parser.add_argument("--bare", action="store_true", help="also bare launches, CUDA graphs")
    args = parser.parse_args()
    if args.inductor_code:
        torch._logging.set_logs(output_code=True)
    torch.manual_seed(0)
    n = 2**27
    x = torch.randn(n, device="cuda")
    y = torch.randn(n, device="cuda")
    exact = x.double() + y.double()
    source = (ROOT / "tests/kernels/elementwise.py").read_text()
    compiled = torch.compile(lambda a, b: a + b)
    functions = {"compile": lambda: compiled(x, y), "compile/graph": graphed(compiled, x, y)}
    for block, warps in POINTS:
        code = transpiler.transpile_module(
            source,
            example_args={"add": (x, y)},
            only=("add",),
            config={"block_sizes": [block], "num_warps": warps},
        ).code
        module = load_module(code, stem=f"add_lab_{block}_{warps}")
        out = torch.empty_like(x)
        grid = (triton.cdiv(n, block),)

        def bare(module=module, out=out, grid=grid, block=block, warps=warps):
            module.add_kernel[grid](
                x, y, out, n, 1, 1, 1, INDEX_DTYPE=triton.language.int32,
                BLOCK_SIZE=block, EVEN_OFFSETS=n % block == 0, num_warps=warps,
            )  # fmt: skip
            return out

        functions[f"launcher {block}/{warps}"] = lambda module=module: module.add(x, y)
        if args.bare:
            functions[f"bare {block}/{warps}"] = bare
            functions[f"graph {block}/{warps}"] = graphed(module.add, x, y)
    print("torch.compile's kernel:", *inductor_configs(), sep="\n  ", flush=True)
    errors = {}
    for name, function in functions.items():
        result = function()
        if result is not None:
            errors[name] = ((result.double() - exact).norm() / exact.norm()).item()
    samples = in_turns(functions, rounds=5, rep=100)
    compile_ms = statistics.median(samples["compile"])
    rows = []
    print("\n| variant | ms | vs torch.compile | rel err |\n|---|---|---|---|")
    for name, found in samples.items():
        ms = statistics.median(found)
        rows.append({"variant": name, "ms": ms, "rounds": found, "error": errors.get(name)})
        error = f"{errors[name]:.1e}" if name in errors else "-"
        print(f"| {name} | {ms:.4f} | {compile_ms / ms:.4f} | {error} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
