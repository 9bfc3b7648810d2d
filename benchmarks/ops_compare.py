"""125 common torch ops, each in a tiny device loop, against eager torch (issue 21's yardstick).

    python benchmarks/ops_compare.py [--real-helion] [--json OUT] [NAME ...]

Each op is one line, `out[tile, :] = OP(a, ...)` with `a = x[tile, :]` (and `b`, `c` from y,
z), in its own kernel, on float32 rows of odd length; `out` has the shape and dtype of the
eager result. Ours transpiles and runs it (Triton's CPU interpreter without a GPU);
`--real-helion` runs the same source through the installed Helion instead (it needs a GPU).
An outcome is `ok` (matches eager torch: rtol = atol = 1e-4, NaN equal to NaN; exact for bool
and integer results), `wrong`, `refused` (ours: a TranspileError naming the op) or `error`.
The summary line is last: `ours: N/125 ok`.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import sys
import tempfile
import time
import traceback
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n"
KERNEL = """@helion.kernel()
def op(x: torch.Tensor, y: torch.Tensor, z: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        a = x[tile, :]
        b = y[tile, :]
        c = z[tile, :]
        out[STORE] = EXPR
    return out
"""
F = "torch.nn.functional"
# Input ranges: (low, high) of x; y and z are drawn the same way. Default: standard normal.
UNIT, POSITIVE, ABOVE_ONE = (0.05, 0.95), (0.5, 3.0), (1.1, 4.0)

# (name, expression over a, b, c, the range of the inputs or None)
OPS: list[tuple[str, str, tuple[float, float] | None]] = [
    *[
        (name, f"torch.{name}(a)", domain)
        for name, domain in [
            ("abs", None), ("neg", None), ("exp", None), ("exp2", None), ("expm1", None),
            ("log", POSITIVE), ("log2", POSITIVE), ("log10", POSITIVE), ("log1p", POSITIVE),
            ("sqrt", POSITIVE), ("rsqrt", POSITIVE), ("sin", None), ("cos", None),
            ("tan", UNIT), ("asin", UNIT), ("acos", UNIT), ("atan", None), ("sinh", None),
            ("cosh", None), ("tanh", None), ("asinh", None), ("acosh", ABOVE_ONE),
            ("atanh", UNIT), ("erf", None), ("erfc", None), ("erfinv", UNIT),
            ("lgamma", POSITIVE), ("digamma", POSITIVE), ("sigmoid", None), ("relu", None),
            ("floor", None), ("ceil", None), ("round", None), ("trunc", None), ("frac", None),
            ("sign", None), ("reciprocal", POSITIVE), ("square", None), ("isnan", None),
            ("isinf", None), ("isfinite", None), ("nan_to_num", None), ("logit", UNIT),
        ]
    ],
    *[
        (name, f"torch.{name}(a, b)", domain)
        for name, domain in [
            ("add", None), ("sub", None), ("mul", None), ("div", POSITIVE), ("pow", POSITIVE),
            ("maximum", None), ("minimum", None),
            ("remainder", POSITIVE), ("fmod", POSITIVE), ("floor_divide", POSITIVE),
            ("atan2", None), ("hypot", None), ("copysign", None), ("logaddexp", None),
            ("xlogy", POSITIVE), ("eq", None), ("ne", None), ("lt", None), ("le", None),
            ("gt", None), ("ge", None),
        ]
    ],
    ("logical_and", "torch.logical_and(a > 0, b > 0)", None),
    ("logical_or", "torch.logical_or(a > 0, b > 0)", None),
    ("logical_xor", "torch.logical_xor(a > 0, b > 0)", None),
    ("logical_not", "torch.logical_not(a > 0)", None),
    ("bitwise_not", "torch.bitwise_not(a > 0)", None),
    ("where", "torch.where(a > 0, b, c)", None),
    ("lerp", "torch.lerp(a, b, 0.3)", None),
    ("addcmul", "torch.addcmul(a, b, c, value=0.5)", None),
    ("addcdiv", "torch.addcdiv(a, b, c, value=0.5)", POSITIVE),
    ("clamp", "torch.clamp(a, -0.5, 0.5)", None),
    ("clamp_min", "torch.clamp_min(a, 0.1)", None),
    ("clamp_max", "torch.clamp_max(a, 0.1)", None),
    ("masked_fill", "a.masked_fill(b > 0, 0.25)", None),
    ("F.glu", f"{F}.glu(torch.cat([a, b], dim=-1), dim=-1)", None),  # halves of an even row
    *[
        (f"F.{name}", f"{F}.{name}(a{extra})", None)
        for name, extra in [
            ("softplus", ""), ("elu", ""), ("selu", ""), ("celu", ""), ("leaky_relu", ""),
            ("hardswish", ""), ("hardsigmoid", ""), ("hardtanh", ""), ("relu6", ""),
            ("logsigmoid", ""), ("mish", ""), ("softsign", ""), ("threshold", ", 0.1, 20.0"),
            ("silu", ""), ("gelu", ""),
            ("softmax", ", dim=-1"), ("log_softmax", ", dim=-1"),
            ("softmin", ", dim=-1"), ("normalize", ", dim=-1"),
        ]
    ],
    *[
        (name, f"{call}", None)
        for name, call in [
            ("sum", "torch.sum(a, -1)"), ("mean", "torch.mean(a, -1)"),
            ("amax", "torch.amax(a, -1)"), ("amin", "torch.amin(a, -1)"),
            ("max", "torch.max(a, -1).values"), ("min", "torch.min(a, -1).values"),
            ("argmax", "torch.argmax(a, -1)"), ("argmin", "torch.argmin(a, -1)"),
            ("prod", "torch.prod(a, -1)"), ("std", "torch.std(a, -1)"),
            ("var", "torch.var(a, -1)"), ("any", "torch.any(a > 1, -1)"),
            ("all", "torch.all(a > -3, -1)"), ("logsumexp", "torch.logsumexp(a, -1)"),
            ("vector_norm", "torch.linalg.vector_norm(a, dim=-1)"),
            ("norm", "torch.norm(a, dim=-1)"), ("nansum", "torch.nansum(a, -1)"),
            ("count_nonzero", "torch.count_nonzero(a > 0, -1)"),
            ("cumsum", "torch.cumsum(a, -1)"), ("cumprod", "torch.cumprod(a, -1)"),
            ("cummax", "torch.cummax(a, -1).values"), ("cummin", "torch.cummin(a, -1).values"),
            ("logcumsumexp", "torch.logcumsumexp(a, -1)"),
            ("sort", "torch.sort(a, -1).values"), ("topk", "torch.topk(a, 4, -1).values"),
            ("flip", "torch.flip(a, [-1])"), ("argsort", "torch.argsort(a, -1)"),
            ("roll", "torch.roll(a, 1, -1)"),
        ]
    ],
]  # fmt: skip


def inputs(domain, rows: int = 37, columns: int = 101, seed: int = 0) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    tensors = []
    for _ in range(3):
        if domain is None:
            tensors.append(torch.randn(rows, columns, generator=generator))
        else:
            low, high = domain
            tensors.append(low + (high - low) * torch.rand(rows, columns, generator=generator))
    return tensors


def source_of(expression: str, rank: int) -> str:
    store = "tile, :" if rank == 2 else "tile"
    return HEADER + KERNEL.replace("STORE", store).replace("EXPR", expression)


def eager(expression: str, x, y, z) -> torch.Tensor:
    return eval(expression, {"torch": torch}, {"a": x, "b": y, "c": z})  # noqa: S307


def ours(source: str):
    import transpiler
    from transpiler.run.runtime import load_module

    def run(*args):
        transpiled = transpiler.transpile_module(source, example_args={"op": args})
        return load_module(transpiled.code, stem="op").op(*args)

    return run


def real_helion(source: str):
    """The kernel imported from a file of its own: Helion reads a kernel's source with inspect,
    which finds no source for code made by exec."""
    stem = "ops_compare_" + hashlib.sha1(source.encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"{stem}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[stem] = module
    spec.loader.exec_module(module)
    return module.op


def outcome(name: str, expression: str, domain, backend: str, device: str) -> tuple[str, str]:
    x, y, z = (t.to(device) for t in inputs(domain))
    expected = eager(expression, x, y, z)
    source = source_of(expression, expected.dim())
    out = torch.empty_like(expected)
    try:
        function = real_helion(source) if backend == "helion" else ours(source)
        result = function(x, y, z, out)
    except Exception as error:  # each op's failure is its outcome
        refused = backend == "ours" and type(error).__module__.startswith("transpiler.")
        kind = "refused" if refused else "error"
        return kind, f"{type(error).__name__}: {str(error).strip().splitlines()[0][:160]}"
    exact = not expected.is_floating_point()
    same = (
        torch.equal(result.cpu(), expected.cpu())
        if exact
        else torch.allclose(result.cpu(), expected.cpu(), rtol=1e-4, atol=1e-4, equal_nan=True)
    )
    if same:
        return "ok", ""
    difference = (result.double() - expected.double()).abs().nan_to_num(math.inf).max().item()
    return "wrong", f"max |difference| {difference:.3g}"


def compare(ours_path: Path, helion_path: Path) -> None:
    """The ops where ours and real Helion differ, then both totals on one line."""
    ours_results = json.loads(ours_path.read_text())
    helion_results = json.loads(helion_path.read_text())
    print("| op | ours | Helion 1.5.0 |\n|---|---|---|")
    for name, _, _ in OPS:
        mine = ours_results.get(name, {}).get("outcome", "not run")
        theirs = helion_results.get(name, {}).get("outcome", "not run")
        if mine != theirs:
            print(f"| {name} | {mine} | {theirs} |")
    counts = [sum(r["outcome"] == "ok" for r in results.values()) for results in
              (ours_results, helion_results)]  # fmt: skip
    print(f"ours {counts[0]}/{len(OPS)} ok, real Helion {counts[1]}/{len(OPS)} ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these ops")
    parser.add_argument("--real-helion", action="store_true", help="run the installed Helion")
    parser.add_argument("--json", type=Path, help="write each op's outcome here")
    parser.add_argument(
        "--compare", nargs=2, type=Path, metavar=("OURS", "HELION"), help="two --json files"
    )
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    if not args.real_helion:
        sys.path.insert(0, str(ROOT))
    backend = "helion" if args.real_helion else "ours"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    chosen = [op for op in OPS if not args.names or op[0] in args.names]
    results = {}
    started = time.perf_counter()
    for name, expression, domain in chosen:
        try:
            kind, detail = outcome(name, expression, domain, backend, device)
        except Exception:  # the harness itself: report, go on
            kind, detail = "error", traceback.format_exc().strip().splitlines()[-1][:160]
        results[name] = {"outcome": kind, "detail": detail, "expression": expression}
        print(f"{name:16} {kind:8} {detail}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    passed = sum(r["outcome"] == "ok" for r in results.values())
    seconds = time.perf_counter() - started
    print(f"{backend}: {passed}/{len(chosen)} ok on {device} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
