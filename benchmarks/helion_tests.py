"""Helion's own test suite, run on the transpiler: a corpus of kernels nobody here wrote.

    python benchmarks/helion_examples_fetch.py --tests /work/.mirror/pytorch+helion/repo  # once
    python benchmarks/helion_tests.py [--tests DIR] [--timeout S] [--file-timeout S]
        [--json OUT] [--gpu-target sm_90|none] [-k EXPR] [FILE_STEM ...]

Each test file runs under pytest in its own process on the Triton interpreter, with `helion`
mapped to the transpiler (benchmarks/helion_tests_shim.py; the plugin helion_tests_plugin.py
classifies each test). `code_and_output(kernel, args, **config)` honours the config (our Config
check refuses a field it does not know) and compiles the kernel for a GPU target too. Outcomes:

    pass     the test's own checks held (checks reading Helion's generated code are skipped)
    refused  a TranspileError of ours (a construct or config we refuse, at the user's line)
    wrong    one of the test's result comparisons failed on our output
    crash    any other exception out of our code: InternalTranspilerError, a GPU-target compile
             or interpreter error in generated code, a Python error inside transpiler/
    check    another assertion failed after a kernel ran (counts, an error Helion raises and we
             did not): to read by hand
    harness  the test reads Helion internals (config_spec, _compat, journals, GPU-only APIs)
    skip     a decorator skips it here (GPU-only, another backend, reference mode only)
    timeout  it ran past --timeout seconds (the interpreter is slow)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("pass", "refused", "wrong", "crash", "check", "harness", "skip", "timeout")


def run_file(path: Path, args: argparse.Namespace) -> list[dict]:
    """One test file's records (one per test), from a pytest worker process."""
    with tempfile.TemporaryDirectory(prefix="helion-tests-") as scratch:
        out = Path(scratch) / "results.jsonl"
        # ours first, then the caller's (a GPU machine's wheels live on its PYTHONPATH)
        paths = [str(ROOT / "benchmarks"), str(ROOT), os.environ.get("PYTHONPATH", "")]
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(p for p in paths if p),
            TRITON_INTERPRET="1",
            TRANSPILER_CACHE_DIR=str(Path(scratch) / "cache"),
            HELION_TESTS_OUT=str(out),
            HELION_TESTS_TIMEOUT=str(args.timeout),
            HELION_TESTS_GPU_TARGET=args.gpu_target,
        )
        command = [sys.executable, "-m", "pytest", "-q", "-p", "helion_tests_plugin",
                   "-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", str(path.parent),
                   "-o", "addopts=", str(path)]  # fmt: skip
        if args.k:
            command += ["-k", args.k]
        try:
            subprocess.run(
                command, env=env, cwd=scratch, capture_output=True, timeout=args.file_timeout
            )
            died = ""
        except subprocess.TimeoutExpired:
            died = f"file over {args.file_timeout:.0f} s"
        records = (
            [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        )
    if died:
        records.append({"test": f"{path.name}::(rest)", "outcome": "timeout", "why": died})
    elif not records:
        records.append(
            {"test": f"{path.name}::(file)", "outcome": "harness", "why": "no tests ran"}
        )
    for record in records:
        record["file"] = path.stem
    return records


def table(results: list[dict]) -> str:
    """Counts per file and outcome, then the totals."""
    files = sorted({r["file"] for r in results})
    width = max([len(f) for f in files] + [5])
    lines = [f"{'file':<{width}}  " + "  ".join(f"{o:>7}" for o in OUTCOMES)]
    totals = dict.fromkeys(OUTCOMES, 0)
    for name in files:
        counts = dict.fromkeys(OUTCOMES, 0)
        for r in results:
            if r["file"] == name:
                counts[r["outcome"]] += 1
                totals[r["outcome"]] += 1
        lines.append(f"{name:<{width}}  " + "  ".join(f"{counts[o]:>7}" for o in OUTCOMES))
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{totals[o]:>7}" for o in OUTCOMES))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these test files (stems: test_loops)")
    parser.add_argument("--tests", type=Path, default=ROOT / ".helion_tests")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument("--file-timeout", type=float, default=1800.0, help="seconds per file")
    parser.add_argument("--gpu-target", default="sm_90", help="compile kernels for it (none: not)")
    parser.add_argument("-k", help="pytest's -k expression, for every file")
    parser.add_argument("--json", type=Path, help="write every test's record here")
    parser.add_argument("--failures", action="store_true", help="list wrong, crash, check tests")
    args = parser.parse_args(argv)
    files = sorted(args.tests.resolve().glob("test_*.py"))
    if args.names:
        files = [p for p in files if p.stem in args.names or p.stem[5:] in args.names]
    if not files:
        parser.error(f"no test files in {args.tests} (benchmarks/helion_examples_fetch.py --tests)")
    results: list[dict] = []
    for path in files:
        started = time.perf_counter()
        records = run_file(path, args)
        results.extend(records)
        print(f"{path.stem}: {len(records)} tests in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)  # fmt: skip
        if args.json:  # as it grows: a long run stopped early keeps what it did
            commit = (
                (args.tests / "COMMIT").read_text().strip()
                if (args.tests / "COMMIT").exists()
                else ""
            )
            args.json.write_text(
                json.dumps({"commit": commit, "results": results}, indent=1) + "\n"
            )
    print(table(results))
    if args.failures:
        for r in results:
            if r["outcome"] in ("wrong", "crash", "check"):
                print(f"{r['test']}  {r['outcome']}  {r['why']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
