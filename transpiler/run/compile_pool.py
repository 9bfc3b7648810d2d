"""Compiling many launches at once in worker processes, each compile under a timeout.

A compile cannot be interrupted inside Triton (a 3-D dot that spills can take minutes in
ptxas), so each runs in its own process (targets/worker.py); one that runs over its time is
abandoned and its process killed, and a fresh process takes the next request."""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from typing import Any

from ..analysis.targets import worker

TIMED_OUT = "timeout"  # the compile ran past its own limit: the configuration's fault
OUT_OF_BUDGET = "budget"  # the search's budget ended first: not the configuration's fault
STARTUP_SECONDS = 60.0  # the most a new process may take to import torch and Triton


class _Process:
    """One compiling subprocess (Triton's interpreter off), ready once it has said so."""

    def __init__(self) -> None:
        environment = dict(os.environ, TRITON_INTERPRET="0")
        environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.popen = subprocess.Popen(
            [sys.executable, worker.__file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
            start_new_session=True,  # its own process group: ptxas goes with it
        )

    def ask(self, request: Any, limit: float) -> Any:
        """The reply to `request`, or None if none came within `limit` seconds."""
        try:
            worker.write_frame(self.popen.stdin, request)
        except OSError:
            return {"error": "the compiling process ended", "error_kind": "worker"}
        readable, _, _ = select.select([self.popen.stdout], [], [], max(limit, 0.0))
        if not readable:
            return None
        try:
            reply = worker.read_frame(self.popen.stdout)
        except (OSError, EOFError):
            reply = None
        return reply or {"error": "the compiling process ended", "error_kind": "worker"}

    def kill(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except OSError:
            pass  # already gone
        self.popen.wait()


class CompilePool:
    """Up to `size` compiling processes, kept between searches (their imports are paid once)."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._idle: list[_Process] = []
        self._lock = threading.Lock()
        self.killed = 0  # processes killed for running over (tests read it)
        atexit.register(self.close)

    def run(self, requests: list[Any], timeout: float, deadline: float) -> list[dict]:
        """One reply per request, in order: the worker's, or {"error_kind": TIMED_OUT} when the
        compile ran past `timeout` seconds, or OUT_OF_BUDGET when `deadline` (a time.monotonic()
        value) came first. Returns by the deadline plus the time to kill what still runs."""
        replies: list[dict | None] = [None] * len(requests)
        waiting = deque(enumerate(requests))
        slots = min(self.size, len(requests))
        threads = [
            threading.Thread(target=self._serve, args=(waiting, replies, timeout, deadline))
            for _ in range(slots)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [r or {"error_kind": OUT_OF_BUDGET, "error": "not compiled"} for r in replies]

    def _serve(self, waiting: deque, replies: list, timeout: float, deadline: float) -> None:
        process = None
        while True:
            with self._lock:
                if not waiting:
                    break
                index, request = waiting.popleft()
            remaining = deadline - time.monotonic()
            if process is None and remaining > 0:
                process = self._process(min(STARTUP_SECONDS, remaining))
            remaining = deadline - time.monotonic()
            if process is None or remaining <= 0:
                replies[index] = {"error_kind": OUT_OF_BUDGET, "error": "the budget ended"}
                continue
            limit = min(timeout, remaining)
            reply = process.ask(request, limit)
            if reply is None or reply.get("error_kind") == "worker":
                process.kill()  # abandoned mid-compile, or gone: a fresh one for the next
                process = None
                self.killed += reply is None
            if reply is None:
                kind = TIMED_OUT if limit >= timeout else OUT_OF_BUDGET
                reply = {"error_kind": kind, "error": f"no result within {limit:.1f} s"}
            replies[index] = reply
        if process is not None:
            with self._lock:
                self._idle.append(process)

    def _process(self, limit: float) -> _Process | None:
        """An idle process, or a new one once it has imported Triton (None if not in time)."""
        with self._lock:
            while self._idle:
                process = self._idle.pop()
                if process.popen.poll() is None:
                    return process
        process = _Process()
        if process.ask("ready?", limit) != "ready":
            process.kill()
            return None
        return process

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for process in idle:
            process.kill()


_POOLS: dict[int, CompilePool] = {}


def compile_pool(size: int) -> CompilePool:
    """The pool of `size` processes, made on first use."""
    if size not in _POOLS:
        _POOLS[size] = CompilePool(size)
    return _POOLS[size]
