"""Every candidate a first call's search would compile, compiled for H200, B200 and MI300X on any
machine (issue 17): compile failures, compile seconds, spills and shared memory over the limit.

    python benchmarks/candidate_compiles.py [--shapes issue|tests] [--only SUBSTRING ...]
        [--targets sm_90,sm_100,gfx942] [--workers 2] [--timeout 60] [--most 0] [--json OUT]

For each kernel (`--shapes issue`: the issue's workloads at the H200 sizes, on meta tensors, in
our spelling and the plain one; `--shapes tests`: every kernel of tests/kernels and the goldens
at the largest shapes their tests call them with) and each target, the space is the one the
search derives for that device (run.tuning.tuning_space at effort "full", the target table's SM
count and limits), and every candidate plus the default is compiled as the search compiles it
(run.compile_pool: worker processes, each compile under --timeout, Triton's cache empty). The
tables: per kernel and target, the candidates, how many compile and fit, what fails or runs over
its time, what is over the device's limits or spills, duplicate binaries, the slowest and the
total compile seconds and the wall time a 16-worker pool would take (FIFO, as the pool runs);
then each failing, over-limit or spilling candidate. Seconds are this machine's (a loaded
2-core CPU here): read them against one another, and against the 20 s budget as an upper bound.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# every compile counts: the worker processes (started with this environment) skip Triton's cache
os.environ["TRITON_CACHE_DIR"] = tempfile.mkdtemp(prefix="candidate-compiles-")
os.environ["TRITON_ALWAYS_COMPILE"] = "1"

import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from gpu_autotune import user_module  # noqa: E402
from text_tables import Column, text_table  # noqa: E402

from transpiler.analysis.targets import target_named  # noqa: E402
from transpiler.analysis.targets.capture import record_launches  # noqa: E402
from transpiler.analysis.targets.client import _outcome, module_code  # noqa: E402
from transpiler.run.compile_pool import CompilePool  # noqa: E402
from transpiler.run.precompile import _request  # noqa: E402
from transpiler.run.tune_settings import tune_settings  # noqa: E402
from transpiler.run.tuning import tuning_space  # noqa: E402

BUDGET_SECONDS = 20.0  # the first call's promise (issue 17)
DEVICE_WORKERS = 16  # the GPU machine's cores: the search's pool there
SLOW_SECONDS = 3.0  # one candidate's compile beyond this is worth a look


def issue_workloads() -> list[tuple[str, object, tuple]]:
    """(label, kernel, meta arguments): the issue's H200 rows, ours and the plain spelling."""
    ours, matrix = user_module("reductions.py"), user_module("matrix.py")
    plain = user_module("benchmarks/plain_kernels.py")
    meta = {"device": "meta", "dtype": torch.bfloat16}

    def tensor(*shape: int) -> torch.Tensor:
        return torch.empty(*shape, **meta)

    rows, weight = tensor(16384, 8192), tensor(8192)
    logits, labels = tensor(16384, 32000), torch.empty(16384, dtype=torch.int64, device="meta")
    square, qkv = (tensor(8192, 8192),) * 2, (tensor(128, 4096, 128),) * 3
    skinny = (tensor(16384, 1024), tensor(1024, 4096))
    return [
        ("matmul 8192^3", matrix.matmul, square),
        ("matmul 16384x4096x1024", matrix.matmul, skinny),
        ("bmm 64x1024x1024x1024", matrix.bmm, (tensor(64, 1024, 1024),) * 2),
        ("attention_batched 128x4096x128", matrix.attention_batched, qkv),
        ("softmax 16384x8192", ours.softmax, (rows,)),
        ("layer_norm 16384x8192", ours.layer_norm, (rows, weight, weight)),
        ("rms_norm 16384x8192", ours.rms_norm, (rows, weight)),
        ("cross_entropy 16384x32000", ours.cross_entropy, (logits, labels)),
        ("plain/matmul 16384x4096x1024", plain.matmul, skinny),
        ("plain/attention 128x4096x128", plain.attention, qkv),
        ("plain/softmax 16384x8192", plain.softmax, (rows,)),
        ("plain/layer_norm 16384x8192", plain.layer_norm, (rows, weight, weight)),
        ("plain/cross_entropy 16384x32000", plain.cross_entropy, (logits, labels)),
    ]


def test_workloads() -> list[tuple[str, object, tuple]]:
    """(label, kernel, arguments): each kernel of tests/kernels and the goldens, as
    tests/test_all_targets.py calls it."""
    from test_all_targets import CALLS

    modules: dict[Path, object] = {}
    loads = []
    for label, (path, name, arguments) in CALLS.items():
        if path not in modules:
            modules[path] = user_module(str(path.relative_to(ROOT)))
        loads.append((label, getattr(modules[path], name), arguments()))
    return loads


def requests_of(kernel, args: tuple, config, target) -> tuple[list, list]:
    """(launches, compile requests) of one configuration: what the search's precompile sends."""
    launches = record_launches(kernel.bind(args, config).launcher, args, {}, target)
    codes = [module_code(launch.path) for launch in launches]
    return launches, [_request(lx, code, target) for lx, code in zip(launches, codes)]


def sweep(label: str, kernel, args: tuple, target, pool: CompilePool, options) -> list[dict]:
    """One row per candidate (the default first) of `kernel`'s space on `target`."""
    space, _ = tuning_space(kernel, args, tune_settings({"autotune_effort": "full"}), target)
    space = space[: options.most] if options.most else space
    rows, sent = [], []
    for config in [None, *space]:
        row = {"kernel": label, "target": target.name, "config": config}
        try:
            launches, requests = requests_of(kernel, args, config, target)
        except Exception as error:  # noqa: BLE001 - the search drops it the same way
            row.update(status="not built", why=_first_line(error))
            rows.append(row)
            continue
        rows.append(row)
        sent.append((row, launches, requests))
    flat = [request for _, _, requests in sent for request in requests]
    replies = iter(pool.run(flat, options.timeout, time.monotonic() + 3600.0))
    binaries: dict[tuple, dict] = {}
    for row, launches, requests in sent:
        outcomes = [(launch, request, next(replies)) for launch, request in zip(launches, requests)]
        row.update(_measured(outcomes, target, options.timeout))
        if row["status"] == "ok":
            first = binaries.setdefault(row.pop("binary"), row)
            if first is not row:
                row["status"], row["why"] = "duplicate", f"the same binary as {first['config']}"
        row.pop("binary", None)
    return rows


def _measured(outcomes: list, target, timeout: float) -> dict:
    """A candidate's status, compile seconds and resources from its launches' replies."""
    seconds, registers, spills, shared, binary = 0.0, 0, 0, 0, []
    for launch, request, reply in outcomes:
        if reply.get("error_kind") in ("timeout", "budget"):
            return {"status": "timed out", "seconds": timeout, "why": reply["error"]}
        result = _outcome(launch, target, request["code"], reply)
        if isinstance(result, Exception):
            return {"status": "failed", "seconds": reply.get("seconds"), "why": _first_line(result)}
        seconds += result.compile_seconds
        registers, spills = max(registers, result.registers), max(spills, result.spills)
        shared = max(shared, result.shared_bytes)
        binary.append(hashlib.sha256(result.binary).hexdigest())
        if result.exceeded:
            return {"status": "over limits", "seconds": seconds, "registers": registers,
                    "spills": spills, "shared": shared, "why": "; ".join(result.exceeded)}  # fmt: skip
    status = "spills" if spills else "ok"
    return {"status": status, "seconds": seconds, "registers": registers, "spills": spills,
            "shared": shared, "binary": tuple(binary)}  # fmt: skip


def pool_wall(seconds: list[float], workers: int = DEVICE_WORKERS) -> float:
    """Wall time of compiles taken in order by `workers` processes, each the next free."""
    ends = [0.0] * min(workers, max(1, len(seconds)))
    for spent in seconds:
        heapq.heapreplace(ends, ends[0] + spent)
    return max(ends)


def summary(rows: list[dict]) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["kernel"], row["target"]), []).append(row)
    out = []
    for (kernel, target), own in groups.items():
        spent = [r["seconds"] for r in own if r.get("seconds") is not None]
        statuses = [r["status"] for r in own]
        count = statuses.count
        out.append({
            "kernel": kernel, "target": target, "candidates": len(own) - 1,
            "ok": count("ok"), "failed": count("failed") + count("not built"),
            "timed out": count("timed out"), "over": count("over limits"),
            "spills": count("spills"), "duplicate": count("duplicate"),
            "max s": max(spent, default=0.0), "total s": sum(spent),
            "wall16 s": pool_wall(spent),
        })  # fmt: skip
    return out


SUMMARY = [
    Column("kernel", 34, lambda r: r["kernel"][:34], left=True),
    Column("target", 7, lambda r: r["target"], left=True),
    *(
        Column(name, width, lambda r, name=name: str(r[name]))
        for name, width in (
            ("candidates", 10),
            ("ok", 3),
            ("failed", 6),
            ("timed out", 9),
            ("over", 4),
            ("spills", 6),
            ("duplicate", 9),
        )
    ),  # fmt: skip
    *(Column(name, 8, lambda r, name=name: f"{r[name]:.1f}") for name in ("max s", "total s")),
    Column("wall16 s", 8, lambda r: f"{r['wall16 s']:.1f}"),
    Column("note", 0, lambda r: _note(r)),
]


def _note(row: dict) -> str:
    notes = []
    if row["max s"] > SLOW_SECONDS:
        notes.append(f"a candidate over {SLOW_SECONDS:g} s")
    if row["wall16 s"] > BUDGET_SECONDS:
        notes.append(f"over the {BUDGET_SECONDS:g} s budget with {DEVICE_WORKERS} workers")
    return "; ".join(notes)


DETAIL = [
    Column("kernel", 34, lambda r: r["kernel"][:34], left=True),
    Column("target", 7, lambda r: r["target"], left=True),
    Column("status", 11, lambda r: r["status"], left=True),
    Column("s", 6, lambda r: None if r.get("seconds") is None else f"{r['seconds']:.1f}"),
    Column("regs", 4, lambda r: str(r["registers"]) if "registers" in r else None),
    Column("spill", 5, lambda r: str(r["spills"]) if "spills" in r else None),
    Column("shared", 7, lambda r: str(r["shared"]) if "shared" in r else None),
    Column("config · why", 0, lambda r: f"{_short(r['config'])}  {r.get('why', '')}"),
]


def _short(config) -> str:
    if config is None:
        return "default"
    return json.dumps(config, separators=(",", ":")).replace('"', "")


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return next((line for line in text.splitlines() if line.strip()), text)[:160]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", choices=("issue", "tests"), default="issue")
    parser.add_argument("--only", nargs="*", default=[], help="kernels whose label has one")
    parser.add_argument("--targets", default="sm_90,sm_100,gfx942")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=60.0, help="one compile's limit (s)")
    parser.add_argument("--most", type=int, default=0, help="candidates per kernel (0: all)")
    parser.add_argument("--json", type=Path, help="every row, as JSON")
    options = parser.parse_args()
    loads = issue_workloads() if options.shapes == "issue" else test_workloads()
    loads = [w for w in loads if not options.only or any(o in w[0] for o in options.only)]
    targets = [target_named(name) for name in options.targets.split(",")]
    pool = CompilePool(options.workers)
    rows: list[dict] = []
    for label, kernel, args in loads:
        for target in targets:
            started = time.perf_counter()
            try:
                own = sweep(label, kernel, args, target, pool, options)
            except Exception as error:  # noqa: BLE001 - a kernel whose space cannot be made
                own = [{"kernel": label, "target": target.name, "config": None,
                        "status": "failed", "why": f"no space: {_first_line(error)}"}]  # fmt: skip
            rows += own
            print(f"# {label} {target.name}: {len(own)} compiled in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    pool.close()
    print(text_table(SUMMARY, summary(rows)))
    flagged = [r for r in rows if r["status"] not in ("ok", "duplicate")]
    print()
    print(text_table(DETAIL, flagged))
    if options.json:
        options.json.write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
