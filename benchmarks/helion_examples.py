"""Helion's published examples, run unmodified on the transpiler (issue 3's yardstick).

    python benchmarks/helion_examples.py --examples DIR [--transpile-only] [--json OUT]
        [--timeout S] [--jobs N] [--threads N] [--budget S] [--time] [--tune | --real-helion]
        [NAME ...]

Each example file in DIR runs in its own process with `helion` mapped to `transpiler`
(benchmarks/helion_shim.py) and its `if __name__ == "__main__":` block executed. Kernels take
their default configs unless `--tune` (each kernel's first call autotunes, the decorator's own
default). `--real-helion` runs the same files on the installed Helion instead (no shim; its own
`run_example`; `HELION_AUTOTUNE_EFFORT=none` unless the environment sets it: default configs),
a "helion error" being an exception from Helion's own modules. The outcome:

    ok              every kernel call ran and matched the example's own checks
    transpiled      (--transpile-only) every kernel the example called transpiled and loaded;
                    nothing launched, results came from the eager reference
    wrong result    a kernel's output differed from the example's baseline
    transpile error a named TranspileError (its class and the construct it names)
    api gap         Helion API the aliases lack (a module, attribute or argument)
    internal error  InternalTranspilerError, or the generated code failed to compile or run
    needs GPU       the example needs CUDA (run it on the GPU machine)
    not applicable  distributed, Blackwell- or TPU-only, or needs another package
    reference error (--transpile-only) the kernels called so far transpiled, but running one
                    eagerly in reference mode, to let the example go on, failed
    example error   the example's own host code failed for another reason
    timeout         it ran past --timeout seconds
    not run         --budget seconds had passed before its turn

Helion's example files are not in this repository: fetch them into .cache/helion-examples/.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import tokenize
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MARKER = "@@helion-example-result@@ "
STARTED = time.perf_counter()

# Source markers of examples that cannot run on one GPU of this kind (checked before running).
NOT_APPLICABLE = [
    (re.compile(r"torch\.distributed|symm_mem|dist\.init_process_group"), "distributed"),
    (re.compile(r"tcgen05|blackwell|sm_?100", re.IGNORECASE), "Blackwell-only"),
    (re.compile(r"^\s*(import|from)\s+(jax|torch_xla)\b", re.MULTILINE), "TPU / Pallas"),
]


# Errors naming our stand-ins for Helion's modules and objects: a gap in the aliases.
API_NAMES = re.compile(r"helion|transpiler|'Kernel'|'BoundKernel'|'Config'")


def not_applicable(source: str, name: str) -> str | None:
    code = code_only(source)
    for pattern, why in NOT_APPLICABLE:
        if pattern.search(code) or pattern.search(name):
            if why == "Blackwell-only" and _is_blackwell():
                continue
            return why
    return None


def code_only(source: str) -> str:
    """The source without docstrings and comments: prose may name a GPU the code never needs
    ("epilogue subtiling pays off on Blackwell")."""
    try:
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            body = getattr(node, "body", None)
            if (
                isinstance(body, list)
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                for index in range(body[0].lineno - 1, body[0].end_lineno or body[0].lineno):
                    lines[index] = ""
        tokens = tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
        return tokenize.untokenize(t for t in tokens if t.type != tokenize.COMMENT)
    except (SyntaxError, tokenize.TokenError, IndentationError):
        return source


def _is_blackwell() -> bool:
    import torch

    return torch.cuda.is_available() and torch.cuda.get_device_capability()[0] >= 10


# --- one example, in a worker process --------------------------------------------------------


def classify(error: BaseException) -> tuple[str, str]:
    """(outcome, detail) for an exception raised while running an example."""
    from helion_shim import ReferenceModeError, WrongResult

    from transpiler.compile.frontend.errors import InternalTranspilerError, TranspileError
    from transpiler.run.runtime import DeviceError

    first = (str(error).strip().splitlines() or [""])[0]
    kind = type(error).__name__
    if isinstance(error, InternalTranspilerError):
        return "internal error", f"{kind}: {first}"
    if isinstance(error, TranspileError):
        return "transpile error", f"{kind}: {error.message.splitlines()[0]}"
    if isinstance(error, WrongResult):
        return "wrong result", first
    if isinstance(error, ReferenceModeError):
        return "reference error", first
    if isinstance(error, ModuleNotFoundError):
        module = error.name or ""
        if module.split(".")[0] == "helion":
            return "api gap", f"no module {module}"
        return "not applicable", f"needs package {module.split('.')[0]}"
    if isinstance(error, (ImportError, AttributeError)) and API_NAMES.search(first):
        return "api gap", f"{kind}: {first}"
    if isinstance(error, DeviceError) or re.search(
        r"CUDA|cuda|NVIDIA driver|compiled with CUDA", first
    ):
        return "needs GPU", f"{kind}: {first}"
    if _raised_in_generated_code(error):
        return "internal error", f"generated code: {kind}: {first}"
    if isinstance(error, AssertionError):
        return "wrong result", f"{kind}: {first}"
    return "example error", f"{kind}: {first} ({_where(error)})"


def _frames(error: BaseException) -> list[traceback.FrameSummary]:
    return traceback.extract_tb(error.__traceback__)


def _raised_in_generated_code(error: BaseException) -> bool:
    return any(
        "transpiler_generated" in f.filename or "/transpiler/" in f.filename
        for f in _frames(error)[-3:]
    ) or type(error).__module__.startswith("triton")


def _where(error: BaseException) -> str:
    frames = _frames(error)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno}"


# Outcomes a transpile-only pass on the meta device settles; others are run again on the CPU.
SETTLED_ON_META = {"transpiled", "transpile error", "api gap", "not applicable"}
# (a reference error on the meta device may be the meta device's: the CPU decides)


def run_real(path: Path) -> dict:
    """Run one example on the installed Helion (the worker process): no shim, no aliases."""
    import runpy

    import torch

    started = time.perf_counter()
    result = {"example": path.stem, "outcome": "ok", "seconds": 0.0, "error": "", "kernels": []}
    why = not_applicable(path.read_text(), path.stem)
    if why:
        result.update(outcome="not applicable", error=why)
        return result
    os.environ.setdefault("HELION_AUTOTUNE_EFFORT", "none")
    torch.manual_seed(0)
    sys.argv = [str(path)]
    try:
        runpy.run_path(str(path), run_name="__main__")
    except BaseException as error:  # noqa: BLE001 - every failure is classified
        if isinstance(error, KeyboardInterrupt):
            raise
        if not (isinstance(error, SystemExit) and not error.code):
            first = (str(error).strip().splitlines() or [""])[0]
            kind = type(error).__name__
            if re.search(r"CUDA|cuda", first) and not torch.cuda.is_available():
                result.update(outcome="needs GPU", error=f"{kind}: {first}")
            elif type(error).__module__.startswith("helion"):
                result.update(outcome="helion error", error=f"{kind}: {first}")
            elif isinstance(error, AssertionError):
                result.update(outcome="wrong result", error=f"{kind}: {first}")
            elif isinstance(error, ModuleNotFoundError):
                result.update(outcome="not applicable", error=f"needs package {error.name}")
            else:
                result.update(outcome="example error", error=f"{kind}: {first} ({_where(error)})")
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def run_one(path: Path, *, transpile_only: bool, timing: bool) -> dict:
    """Run one example here (the worker process) and describe what happened.

    Without a GPU, transpile-only runs the example on the meta device first (shapes only: the
    examples' full-size baselines cost nothing, and each device loop of a kernel's reference
    runs its first iteration only, helion_shim.py); an example that needs real data there (say
    `int(offsets[-1])`) runs again on the CPU."""
    import torch

    started = time.perf_counter()
    result = {"example": path.stem, "outcome": "", "seconds": 0.0, "error": "", "kernels": []}
    why = not_applicable(path.read_text(), path.stem)
    if why:
        result.update(outcome="not applicable", error=why)
        return result
    targets = ["meta", "cpu"] if transpile_only and not torch.cuda.is_available() else ["cpu"]
    for target in targets:
        result.update(_run_example(path, transpile_only, timing, target))
        if result["outcome"] in SETTLED_ON_META:
            break
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def _run_example(path: Path, transpile_only: bool, timing: bool, target: str) -> dict:
    import runpy

    import torch
    from helion_shim import Settings, installed

    result = {"outcome": "", "error": ""}
    torch.manual_seed(0)
    sys.argv = [str(path)]  # as `python example.py`: its own argparse sees no harness flags
    try:
        with installed(transpile_only=transpile_only, timing=timing, target=target):
            runpy.run_path(str(path), run_name="__main__")
        if transpile_only:
            ran = bool(Settings.kernels_transpiled)
            result["outcome"] = "transpiled" if ran else "example error"
            result["error"] = "" if ran else "the example called no kernel"
        else:
            result["outcome"] = "ok"
    except BaseException as error:  # noqa: BLE001 - every failure is classified
        if isinstance(error, KeyboardInterrupt):
            raise
        if isinstance(error, SystemExit) and not error.code:
            result["outcome"] = "ok"
        else:
            result["outcome"], result["error"] = classify(error)
    result["kernels"] = sorted(set(Settings.kernels_transpiled))
    return result


# --- the driver ------------------------------------------------------------------------------


def run_in_worker(path: Path, args: argparse.Namespace) -> dict:
    if args.budget and time.perf_counter() - STARTED > args.budget:
        return {"example": path.stem, "outcome": "not run", "seconds": 0.0,
                "error": f"past the {args.budget:.0f} s budget", "kernels": []}  # fmt: skip
    command = [sys.executable, __file__, "--worker", str(path)]
    command += ["--transpile-only"] * args.transpile_only + ["--time"] * args.time
    command += ["--tune"] * args.tune + ["--real-helion"] * args.real_helion
    started = time.perf_counter()
    paths = [str(ROOT / "benchmarks"), str(ROOT)] * (not args.real_helion)
    paths.append(os.environ.get("PYTHONPATH", ""))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout, env=env, cwd=path.parent
        )
    except subprocess.TimeoutExpired as expired:
        seconds = round(time.perf_counter() - started, 2)
        tunes = _keep_log(args.logs, path.stem, expired.stdout, expired.stderr)
        return {"example": path.stem, "outcome": "timeout", "seconds": seconds,
                "error": f"over {args.timeout} s", "kernels": [], "tunes": tunes}  # fmt: skip
    tunes = _keep_log(args.logs, path.stem, done.stdout, done.stderr)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            return dict(json.loads(line[len(MARKER) :]), tunes=tunes)
    tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
    if done.returncode == -signal.SIGKILL:  # no Python error: the kernel's OOM killer, mostly
        tail = f"SIGKILL, most likely out of memory (no swap here); {tail}"
    seconds = round(time.perf_counter() - started, 2)
    return {"example": path.stem, "outcome": "internal error", "seconds": seconds,
            "error": f"worker died (exit {done.returncode}): {tail}", "kernels": []}  # fmt: skip


TUNED = re.compile(r"picked .* of \d+ timed in ([0-9.]+) s")


def _keep_log(folder: Path | None, name: str, stdout: Any, stderr: Any) -> list[float]:
    """Write the worker's output to FOLDER/NAME.log (with --logs); the seconds of each search
    its autotuner logged (first calls on new shapes), in order."""
    text = [
        t.decode(errors="replace") if isinstance(t, bytes) else (t or "") for t in (stdout, stderr)
    ]
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.log").write_text("\n".join(text))
    return [float(seconds) for seconds in TUNED.findall(text[1])]


def table(results: list[dict]) -> str:
    width = max([len(r["example"]) for r in results] + [7])
    head = f"{'example':<{width}}  {'outcome':<15}  {'seconds':>7}  {'tunes':>5}  {'longest':>7}"
    lines = [head + "  first line of the error"]
    for r in results:
        error = r["error"].replace("\n", " ")[:100]
        tunes = r.get("tunes", [])
        longest = f"{max(tunes):7.1f}" if tunes else f"{'-':>7}"
        lines.append(
            f"{r['example']:<{width}}  {r['outcome']:<15}  {r['seconds']:>7.1f}  {len(tunes):>5}  "
            f"{longest}  {error}"
        )
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    lines.append("")
    lines.append(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these examples (file stems)")
    parser.add_argument("--examples", type=Path, default=ROOT / ".cache/helion-examples")
    parser.add_argument("--transpile-only", action="store_true")
    parser.add_argument("--time", action="store_true", help="time kernels and baselines")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per example")
    parser.add_argument("--jobs", type=int, default=1, help="examples run at once")
    # On a CPU shared with other work, OpenMP's threads wait on each other: an eager gather of
    # 16,384 elements took 17 ms at torch's 2 threads and 0.08 ms at 1 (2 cores, load 6).
    parser.add_argument("--threads", type=int, help="torch's CPU threads per example")
    parser.add_argument("--budget", type=float, help="start no example after this many seconds")
    parser.add_argument("--tune", action="store_true", help="autotune on each first call")
    parser.add_argument("--real-helion", action="store_true", help="run the installed Helion")
    parser.add_argument("--logs", type=Path, help="keep each example's output in LOGS/NAME.log")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker and args.real_helion:
        print(MARKER + json.dumps(run_real(args.worker)), flush=True)
        return 0
    if args.worker:
        sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]
        if args.tune:
            os.environ["HELION_EXAMPLES_TUNE"] = "1"  # read by the shim
            logging.basicConfig(format="%(asctime)s %(name)s: %(message)s")
            logging.getLogger("transpiler.autotune").setLevel(logging.INFO)  # each search's pick
        result = run_one(args.worker, transpile_only=args.transpile_only, timing=args.time)
        print(MARKER + json.dumps(result), flush=True)
        return 0
    files = sorted(p for p in args.examples.resolve().glob("*.py") if not p.name.startswith("_"))
    if args.names:
        files = [p for p in files if p.stem in args.names]
    if not files:
        parser.error(f"no example files in {args.examples}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda p: run_in_worker(p, args), files))
    print(table(results))
    if args.json:
        mode = "transpile-only" if args.transpile_only else "run"
        args.json.write_text(json.dumps({"mode": mode, "results": results}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
