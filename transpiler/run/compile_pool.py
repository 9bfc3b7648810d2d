"""Compiling many launches at once in worker processes, each compile under a timeout.

A compile cannot be interrupted inside Triton (a 3-D dot that spills can take minutes in
ptxas), so each runs in its own process (targets/worker.py); one that runs over its time is
abandoned and its process killed, and a fresh process takes the next request."""

from __future__ import annotations

import atexit
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
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
        self.busy = False  # a request sent whose reply has not been read

    def ask(self, request: Any, limit: float) -> Any:
        """The reply to `request`, or None if none came within `limit` seconds."""
        try:
            worker.write_frame(self.popen.stdin, request)
        except OSError:
            return {"error": "the compiling process ended", "error_kind": "worker"}
        self.busy = True
        return self._reply(limit)

    def drained(self) -> bool:
        """Whether a late reply has come (and is dropped): the process is free again."""
        if self.busy and self.popen.poll() is None:
            self._reply(0.0)
        return not self.busy and self.popen.poll() is None

    def _reply(self, limit: float) -> Any:
        readable, _, _ = select.select([self.popen.stdout], [], [], max(limit, 0.0))
        if not readable:
            return None
        self.busy = False
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
        self._busy: list[_Process] = []  # left compiling when a search's budget ended
        self._lock = threading.Lock()
        self.killed = 0  # processes killed for running over (tests read it)
        atexit.register(self.close)

    def run(
        self, requests: Iterable[tuple[str, Any]], timeout: float, deadline: float
    ) -> dict[str, dict]:
        """A reply per (key, request), by key: the worker's, or {"error_kind": TIMED_OUT} when
        the compile ran past `timeout` seconds, or OUT_OF_BUDGET when `deadline` (a
        time.monotonic() value) came first. `requests` may be a generator that builds each
        request as it goes: the pool compiles the first ones while this thread builds the next.
        Returns by the deadline plus the time the generator takes for the request it is on."""
        replies: dict[str, dict] = {}
        waiting: queue.Queue = queue.Queue()
        threads = [
            threading.Thread(target=self._serve, args=(waiting, replies, timeout, deadline))
            for _ in range(self.size)
        ]
        for thread in threads:
            thread.start()
        try:
            for key, request in requests:
                waiting.put((key, request))
        finally:
            for _ in threads:
                waiting.put(None)  # one end mark per thread
            for thread in threads:
                thread.join()
        return replies

    def prestart(self) -> None:
        """Start the processes a search will want now, without waiting: they import torch and
        Triton while the caller transpiles its candidates (a first search's seconds)."""
        with self._lock:
            wanted = self.size - len(self._idle) - len(self._busy)
            self._idle += [_Process() for _ in range(max(0, wanted))]

    def _serve(self, waiting: queue.Queue, replies: dict, timeout: float, deadline: float) -> None:
        process = None
        while (item := waiting.get()) is not None:
            key, request = item
            remaining = deadline - time.monotonic()
            if process is None and remaining > 0:
                process = self._process(min(STARTUP_SECONDS, remaining))
            remaining = deadline - time.monotonic()
            if process is None or remaining <= 0:
                replies[key] = {"error_kind": OUT_OF_BUDGET, "error": "the budget ended"}
                continue
            limit = min(timeout, remaining)
            reply = process.ask(request, limit)
            if reply is None and limit < timeout:  # the budget ended mid-compile: kept busy,
                with self._lock:  # its imports reused once its reply has come and gone
                    self._busy.append(process)
                process = None
            elif reply is None or reply.get("error_kind") == "worker":
                process.kill()  # over its own time, or gone: a fresh one for the next
                process = None
                self.killed += reply is None
            if reply is None:
                kind = TIMED_OUT if limit >= timeout else OUT_OF_BUDGET
                reply = {"error_kind": kind, "error": f"no result within {limit:.1f} s"}
            replies[key] = reply
        if process is not None:
            with self._lock:
                self._idle.append(process)

    def _process(self, limit: float) -> _Process | None:
        """An idle process, or a new one once it has imported Triton (None if not in time)."""
        with self._lock:
            still = []
            for process in self._busy:
                if process.drained():
                    self._idle.append(process)
                elif process.busy:
                    still.append(process)
                else:
                    process.kill()  # it ended while compiling
            self._busy = still
            while self._busy and len(self._busy) >= self.size:  # too many still compiling
                self._busy.pop(0).kill()
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
            idle, self._idle, self._busy = self._idle + self._busy, [], []
        for process in idle:
            process.kill()


_POOLS: dict[int, CompilePool] = {}


def compile_pool(size: int) -> CompilePool:
    """The pool of `size` processes, made on first use."""
    if size not in _POOLS:
        _POOLS[size] = CompilePool(size)
    return _POOLS[size]
