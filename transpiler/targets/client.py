"""Compiling recorded launches in the worker subprocess, once per distinct specialisation."""

from __future__ import annotations

import atexit
import linecache
import os
import subprocess
import sys
import threading
from pathlib import Path

from . import worker
from .capture import Launch
from .errors import GPUCompileError, MissingBackendError, TargetError
from .mix import instruction_mix
from .result import TargetResult, estimate_occupancy, limits_exceeded
from .table import Target

_RESULTS: dict[tuple, TargetResult | Exception] = {}
_LOCK = threading.Lock()
_WORKER: subprocess.Popen | None = None


def _worker() -> subprocess.Popen:
    """The compiling subprocess, started on first use and ended with this process."""
    global _WORKER
    if _WORKER is None or _WORKER.poll() is not None:
        environment = dict(os.environ, TRITON_INTERPRET="0")
        environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        _WORKER = subprocess.Popen(
            [sys.executable, worker.__file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
        )
        atexit.register(_stop, _WORKER)
    return _WORKER


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def module_code(path: str) -> str:
    """The generated module's text: what Triton reads (linecache first, as load_module puts
    it there), else the file."""
    lines = linecache.getlines(path)
    return "".join(lines) if lines else Path(path).read_text()


def compile_launch(launch: Launch, target: Target) -> TargetResult:
    """The launch compiled for `target` (cached per specialisation); a compiler error raises
    GPUCompileError at the user's source line, a block over the target's limits does not."""
    key = (target, *launch.key())
    with _LOCK:
        if key not in _RESULTS:
            _RESULTS[key] = _compiled(launch, target)
        result = _RESULTS[key]
    if isinstance(result, Exception):
        raise result
    return result


def _compiled(launch: Launch, target: Target) -> TargetResult | Exception:
    code = module_code(launch.path)
    request = {
        "path": launch.path,
        "code": code,
        "kernel": launch.kernel,
        "args": launch.args,
        "kwargs": launch.kwargs,
        "target": (target.backend, target.arch, target.warp_size),
    }
    process = _worker()
    try:
        worker.write_frame(process.stdin, request)
        reply = worker.read_frame(process.stdout)
    except (BrokenPipeError, OSError):
        reply = None
    if reply is None:
        return TargetError(f"the compiling subprocess for {target.name} ended (see stderr)")
    if "missing_backend" in reply:
        return MissingBackendError(
            f"this Triton has no {target.backend!r} backend to compile for {target.name} "
            f"({reply['missing_backend']})"
        )
    if "error" in reply:
        if reply["error_kind"] == "OutOfResources":
            return _over_limits(launch, target, reply["error"])
        return GPUCompileError.from_triton(
            target.name, launch.kernel, reply["error"], code, reply.get("generated_line")
        )
    return _result(launch, target, reply)


def _result(launch: Launch, target: Target, reply: dict) -> TargetResult:
    resources = reply["resources"]
    registers, shared = resources["registers"], reply["shared"]
    return TargetResult(
        kernel=launch.kernel,
        target=target,
        signature=reply["signature"],
        constexprs=reply["constexprs"],
        grid=launch.grid,
        num_warps=reply["num_warps"],
        num_stages=reply["num_stages"],
        registers=registers,
        spills=resources["spills"],
        shared_bytes=shared,
        occupancy=estimate_occupancy(target, reply["num_warps"], registers, shared),
        mix=instruction_mix(reply["asm"]),
        asm=reply["asm"],
        binary=reply["binary"],
        compile_seconds=reply["seconds"],
        exceeded=limits_exceeded(target, reply["num_warps"], registers, shared),
    )


def _over_limits(launch: Launch, target: Target, message: str) -> TargetResult:
    """Triton itself refused the block's resources: a result that says so."""
    num_warps = int(launch.kwargs.get("num_warps", 4))
    return TargetResult(
        kernel=launch.kernel, target=target, signature={}, constexprs={}, grid=launch.grid,
        num_warps=num_warps, num_stages=int(launch.kwargs.get("num_stages", 0)), registers=0,
        spills=0, shared_bytes=0, occupancy=estimate_occupancy(target, num_warps, 0, 0),
        mix={}, asm={}, binary=b"", compile_seconds=0.0,
        exceeded=(message.strip().splitlines()[0],),
    )  # fmt: skip
