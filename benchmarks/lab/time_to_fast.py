"""Lab: time to a fast kernel, our autotuner against Helion's (issue 5's headline claim).

For each workload, in a fresh process each (no tuning cache, Triton's kernel cache emptied):
- ours: `transpiler.kernel`'s first call on the workload's inputs (its search, compiles
  included), then the tuned kernel timed;
- helion: the same source with the real `helion`, `HELION_AUTOTUNE_EFFORT=quick` (or
  `--effort`), its first call (its autotuner, compiles included), then the tuned kernel timed.
- ours again at the config Helion's search chose (its own message at the end of the search),
  when it printed one (fields we do not read are ignored, as for any Helion config).
The cuBLAS / SDPA reference (the workload's eager function) is timed in the same processes.
Every result is checked against float64. A peer that runs past `--timeout` seconds is
reported as such. Run on the GPU machine:

    python benchmarks/lab/time_to_fast.py [--only matmul,attention] [--effort quick]
        [--timeout 280] [--json OUT.json]
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

ROOT = Path(__file__).resolve().parents[2]


def run_one(peer: str, name: str, option: str) -> dict:
    """In this (child) process: tune `peer`'s kernel for workload `name`, time it. `option`:
    Helion's autotune effort ("helion"), or the config Helion chose, as JSON
    ("ours-with-helions-config")."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import importlib.util

    import torch
    import triton.testing
    from workloads import reference, relative_error, workloads

    workload = next(w for w in workloads(small=False) if w.name == name)
    args = workload.make(torch.bfloat16, "cuda")
    exact = reference(workload, args)
    if peer == "ours-with-helions-config":  # our kernel at the config Helion's search chose
        from gpu_autotune import user_module

        config = json.loads(option)
        source = (
            (ROOT / workload.file)
            .read_text()
            .replace("@helion.kernel()", f"@helion.kernel(config=helion.Config(**{config!r}))")
        )
        path = Path(tempfile.mkdtemp()) / "helions_config.py"
        path.write_text(source)
        kernel = getattr(user_module(str(path)), workload.kernel)
    elif peer == "helion":
        os.environ["HELION_AUTOTUNE_EFFORT"] = option
        spec = importlib.util.spec_from_file_location("helion_lab", ROOT / workload.file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        kernel = getattr(module, workload.kernel)
    elif peer == "ours":
        from gpu_autotune import user_module

        kernel = getattr(user_module(workload.file), workload.kernel)
    started = time.perf_counter()
    result = kernel(*args)
    torch.cuda.synchronize()
    first_call_s = time.perf_counter() - started
    error = relative_error(result, exact)
    ms = triton.testing.do_bench(lambda: kernel(*args), rep=200, return_mode="median")
    eager_ms = triton.testing.do_bench(lambda: workload.eager(*args), rep=200, return_mode="median")
    return {"first_call_s": first_call_s, "ms": ms, "eager_ms": eager_ms, "rel_error": error}


def chosen_config(text: str) -> dict | None:
    """The last `helion.Config(...)` Helion printed (`@helion.kernel(config=helion.Config(
    block_sizes=[...], ...), static_shapes=True)`), as a dict; None when there is none."""
    start = text.rfind("helion.Config(")
    if start < 0:
        return None
    start += len("helion.Config(")
    depth, end = 1, start
    while end < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    return eval(f"dict({text[start : end - 1]})")  # noqa: S307 - Helion's own printed text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="matmul,attention")
    parser.add_argument("--effort", default="quick", help="Helion's autotune effort")
    parser.add_argument("--timeout", type=float, default=280.0, help="seconds per peer")
    parser.add_argument("--json")
    parser.add_argument("--child", nargs=3, metavar=("PEER", "WORKLOAD", "OPTION"))
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(run_one(*args.child)), flush=True)
        return
    rows = []
    for name in args.only.split(","):
        for peer in ("ours", "helion", "ours-with-helions-config"):
            option = args.effort
            if peer == "ours-with-helions-config":
                config = rows[-1].get("config")
                if not config:
                    continue
                option = json.dumps(config)
            environment = dict(os.environ)
            environment["TRANSPILER_CACHE_DIR"] = tempfile.mkdtemp(prefix="ttf-cache-")
            environment["TRITON_CACHE_DIR"] = tempfile.mkdtemp(prefix="ttf-triton-")
            command = [sys.executable, __file__, "--child", peer, name, option]
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    command, env=environment, capture_output=True, text=True, timeout=args.timeout
                )
            except subprocess.TimeoutExpired:
                row = {"note": f"still tuning after {args.timeout:.0f} s"}
            else:
                found = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
                if found:
                    row = json.loads(found[-1].removeprefix("RESULT "))
                else:
                    row = {"note": (done.stderr.strip().splitlines() or ["no output"])[-1][:200]}
                # Helion ends its search by printing the config it chose
                chosen = chosen_config(done.stderr)
                if peer == "helion" and chosen:
                    row["config"] = chosen
            row.update(workload=name, peer=peer, process_s=time.perf_counter() - started)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(
        "\n| workload | peer | first call s (tuning) | tuned ms | reference ms | ref / tuned | rel err |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        if "ms" not in row:
            print(f"| {row['workload']} | {row['peer']} | - | - | - | - | {row['note']} |")
            continue
        print(
            f"| {row['workload']} | {row['peer']} | {row['first_call_s']:.1f} | {row['ms']:.3f} "
            f"| {row['eager_ms']:.3f} | {row['eager_ms'] / row['ms']:.3f} | {row['rel_error']:.1e} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
