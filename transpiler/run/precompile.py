"""A search's candidates compiled for the device in parallel before any is launched: those over
the device's limits, spilling or compiling to a binary already seen are dropped, and compile
failures are remembered on disk so that a later search does not pay for them again."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.targets.capture import Launch, record_launches
from ..analysis.targets.client import compile_request, module_code, reply_outcome
from ..analysis.targets.result import TargetResult
from ..analysis.targets.table import Target
from .cache import write_atomically
from .compile_pool import OUT_OF_BUDGET, TIMED_OUT, CompilePool

Config = dict[str, Any] | None  # None: the kernel's default configuration


@dataclass
class Precompiled:
    """What a search may launch (`fitting`, in the order given) and why the rest may not."""

    fitting: list[Config] = field(default_factory=list)
    dropped: list[tuple[Config, str]] = field(default_factory=list)
    results: dict[int, list[TargetResult]] = field(default_factory=dict)  # by id(config)
    seconds: float = 0.0  # building the launchers and compiling them, together
    built_seconds: float = 0.0  # building the launchers (transpiling each configuration)

    def reason(self, config: Config) -> str | None:
        return next((why for c, why in self.dropped if c is config), None)


class FailureCache:
    """Compiles that failed or ran over their time, by launch and target, in one JSON file
    (beside the tuning cache); a later search skips them without compiling."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = self._load()

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.path.read_text()))
        except (OSError, ValueError, TypeError):
            return {}  # missing or corrupt: compiling again is safe

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, failures: dict[str, str]) -> None:
        if not failures:
            return
        self.entries = {**self._load(), **failures}
        write_atomically(self.path, json.dumps(self.entries, indent=1, sort_keys=True))


def failure_key(launch: Launch, target: Target, code: str) -> str:
    """The compile a launch asks for: its module's text, its specialisation, the target."""
    text = repr((hashlib.sha256(code.encode()).hexdigest(), launch.key()[1:], target.name))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def precompile(
    bind: Callable[[Config], Callable],
    configs: list[Config],
    args: tuple,
    target: Target,
    pool: CompilePool,
    *,
    timeout: float,
    deadline: float,
    failures: FailureCache | None = None,
) -> Precompiled:
    """Compile every launch of every configuration for `target` (a configuration whose launcher
    cannot be built is dropped), then keep those that fit, in order, one per distinct binary."""
    started = time.monotonic()
    outcome = Precompiled()
    launches: dict[int, list[tuple[Launch, str, str]]] = {}  # id(config) → (launch, code, key)
    known: dict[str, str] = {}  # failure key → why, from the cache

    def requests() -> Iterator[tuple[str, dict]]:
        """Each configuration's launches built in turn (the pool compiles the first while the
        next are built), one compile per distinct launch, none once the deadline has passed."""
        asked: set[str] = set()
        for config in configs:
            if time.monotonic() >= deadline:
                outcome.dropped.append((config, f"{OUT_OF_BUDGET}: not built in time"))
                continue
            try:
                recorded = record_launches(bind(config), args, {}, target)
            except Exception as error:  # noqa: BLE001 - a configuration this kernel cannot take
                outcome.dropped.append((config, f"not built: {_first_line(error)}"))
                continue
            own = []
            for launch in recorded:
                code = module_code(launch.path)
                own.append((launch, code, failure_key(launch, target, code)))
            launches[id(config)] = own
            for launch, code, key in own:
                cached = failures.get(key) if failures else None
                if cached:
                    known[key] = cached
                elif key not in asked:
                    asked.add(key)
                    yield key, compile_request(launch, code, target)
        outcome.built_seconds = time.monotonic() - started

    replies = pool.run(requests(), timeout, deadline)
    new_failures: dict[str, str] = {}
    seen: dict[tuple, Config] = {}  # binaries and grids → the first configuration with them
    spilling: list[Config] = []
    for config in configs:
        if id(config) not in launches:
            continue
        results, why = [], None
        for launch, code, key in launches[id(config)]:
            if key in known:
                why = f"failed before: {known[key]}"
                break
            reply = replies[key]
            if reply.get("error_kind") in (TIMED_OUT, OUT_OF_BUDGET):
                why = f"{reply['error_kind']}: {reply['error']}"
                if reply["error_kind"] == TIMED_OUT:
                    new_failures[key] = f"compile ran over {timeout:g} s"
                break
            result = reply_outcome(launch, target, code, reply)
            if isinstance(result, Exception):
                why = f"compile failed: {_first_line(result)}"
                new_failures[key] = why
                break
            if result.exceeded:
                why = f"over {target.name}'s limits: {'; '.join(result.exceeded)}"
                break
            results.append(result)
        if why is None:
            signature = tuple(
                (hashlib.sha256(r.binary).hexdigest(), r.grid, r.num_warps, r.shared_bytes)
                for r in results
            )
            if signature in seen:
                why = f"the same binary as {seen[signature]}"
            else:
                seen[signature] = config
        if why is not None:
            outcome.dropped.append((config, why))
            continue
        outcome.results[id(config)] = results
        if any(r.spills for r in results):
            spilling.append(config)
        outcome.fitting.append(config)
    if len(spilling) < len(outcome.fitting):  # some do not spill: the spilling ones go
        outcome.fitting = [c for c in outcome.fitting if not any(c is s for s in spilling)]
        outcome.dropped += [(c, "spills registers") for c in spilling]
    if failures is not None:
        failures.put(new_failures)
    outcome.seconds = time.monotonic() - started
    return outcome


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]
