"""Compiling recorded launches in the worker subprocess, once per distinct specialisation."""

from __future__ import annotations

import atexit
import linecache
import os
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path

from . import worker
from .capture import Launch
from .errors import GPUCompileError, MissingBackendError, TargetError
from .mix import instruction_mix
from .result import TargetResult, estimate_occupancy, limits_exceeded
from .small_products import small_products
from .table import Target

_RESULTS: dict[tuple, Future] = {}  # (target, launch key) → its compile, done or under way
_LOCK = threading.Lock()


class _Worker:
    """The compiling subprocess: requests go in order, a thread reads the replies in order."""

    def __init__(self) -> None:
        environment = dict(os.environ, TRITON_INTERPRET="0")
        environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.process = subprocess.Popen(
            [sys.executable, worker.__file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
        )
        self.waiting: deque[tuple[Launch, Target, str, Future]] = deque()
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self.stop)

    def submit(self, launch: Launch, target: Target, future: Future) -> None:
        code = module_code(launch.path)
        request = compile_request(launch, code, target)
        self.waiting.append((launch, target, code, future))
        try:
            worker.write_frame(self.process.stdin, request)
        except OSError:
            pass  # the reader fails what is waiting

    def _read(self) -> None:
        while (reply := _read_reply(self.process)) is not None:
            launch, target, code, future = self.waiting.popleft()
            outcome = reply_outcome(launch, target, code, reply)
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        while self.waiting:
            launch, target, _, future = self.waiting.popleft()
            ended = TargetError(f"the compiling subprocess for {target.name} ended (see stderr)")
            future.set_exception(ended)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _read_reply(process: subprocess.Popen) -> dict | None:
    try:
        return worker.read_frame(process.stdout)
    except (OSError, EOFError):
        return None


_WORKERS: list[_Worker] = []
WORKERS = 1  # compiling subprocesses; more compile side by side (tests/test_all_targets.py: 2)


def _worker() -> _Worker:
    """The compiling subprocess with the least work waiting, started on first use (again if
    it ended), up to WORKERS of them."""
    _WORKERS[:] = [w for w in _WORKERS if w.process.poll() is None]
    idle = [w for w in _WORKERS if not w.waiting]
    if not idle and len(_WORKERS) < WORKERS:
        _WORKERS.append(_Worker())
    return min(_WORKERS, key=lambda w: len(w.waiting))


def module_code(path: str) -> str:
    """The generated module's text: what Triton reads (linecache first, as load_module puts
    it there), else the file."""
    lines = linecache.getlines(path)
    return "".join(lines) if lines else Path(path).read_text()


def submit(launch: Launch, target: Target) -> Future:
    """The launch's compile for `target`, started now unless one for the same specialisation
    is done or under way; its result is a TargetResult, or it raises GPUCompileError."""
    key = (target, *launch.key())
    with _LOCK:
        if key not in _RESULTS:
            _RESULTS[key] = Future()
            _worker().submit(launch, target, _RESULTS[key])
        return _RESULTS[key]


def compile_launch(launch: Launch, target: Target) -> TargetResult:
    """The launch compiled for `target` (cached per specialisation); a compiler error raises
    GPUCompileError at the user's source line, a block over the target's limits does not."""
    return submit(launch, target).result()


def compile_request(launch: Launch, code: str, target: Target) -> dict:
    """What the worker is sent to compile one launch of the module `code` for `target`."""
    return {
        "path": launch.path,
        "code": code,
        "kernel": launch.kernel,
        "args": launch.args,
        "kwargs": launch.kwargs,
        "target": (target.backend, target.arch, target.warp_size),
        "sys_path": [p for p in sys.path if p],  # the module may import the user's modules
    }


def reply_outcome(
    launch: Launch, target: Target, code: str, reply: dict
) -> TargetResult | Exception:
    """The worker's reply to compile_request: the result, or the error it stands for."""
    if "missing_backend" in reply:
        return MissingBackendError(
            f"this Triton has no {target.backend!r} backend to compile for {target.name} "
            f"({reply['missing_backend']})"
        )
    if "error" in reply:
        if reply["error_kind"] == "worker":  # not the compiler: the module or the arguments
            return TargetError(
                f"{target.name}: could not prepare {launch.kernel} for Triton's compiler:\n"
                f"{reply['error']}"
            )
        if reply["error_kind"] == "OutOfResources":
            return _over_limits(launch, target, reply["error"])
        return GPUCompileError.from_triton(
            target.name, launch.kernel, reply["error"], code, reply.get("generated_line")
        )
    if found := small_products(reply["asm"].get("ttir", "")):
        m, k, n, line = found[0]
        return GPUCompileError.small_product(target.name, launch.kernel, (m, k, n), code, line)
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
