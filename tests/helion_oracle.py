"""Real Helion (1.5.0, interpret mode) as a third truth beside our reference mode and our Triton.

    .venv/bin/python tests/helion_oracle.py --record    # rewrite tests/helion_oracle_cases.json

`helion_kernel(source, name)` runs a kernel's source through the installed `helion` package
with HELION_INTERPRET=1: Helion executes the device code eagerly in PyTorch on CPU tensors (it
cannot run `hl.dot` or `torch.addmm` there). `KNOWN` names each way Helion and we are known to
disagree, and whose bug it is; tests/test_helion_oracle.py holds one test for each.

--record runs the tests that call `helpers.both_truths` with that function replaced by one
that only notes the kernel and its arguments (shapes, dtypes, integer values, the sign of
float values), so that the oracle's cases are the test suite's own.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import linecache
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "helion_oracle_cases.json"
_NAMES = itertools.count()


def available() -> bool:
    return importlib.util.find_spec("helion") is not None


def helion_kernel(source: str, name: str) -> Any:
    """`name` from `source`, decorated by real Helion in interpret mode (its ref mode EAGER).

    Helion refuses HELION_INTERPRET beside TRITON_INTERPRET (our tests' setting), and reads
    both when a kernel is decorated: the module runs with only the first set."""
    filename = f"<helion-oracle-{next(_NAMES)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    saved = {key: os.environ.pop(key, None) for key in ("TRITON_INTERPRET", "HELION_INTERPRET")}
    os.environ["HELION_INTERPRET"] = "1"
    try:
        namespace: dict[str, Any] = {"__name__": f"helion_oracle_{filename[15:-1]}"}
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - a test kernel's source
        return namespace[name]
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


@dataclass(frozen=True)
class Disagreement:
    """A known way real Helion and we differ: whose bug, why, and how to recognise it."""

    whose: str  # "helion" or "ours"
    reason: str
    error: str  # a regular expression the Helion run's error matches
    source: Callable[[str], bool] = lambda source: True  # the kernel has what triggers it
    empty_input: bool = False  # only when a tensor argument has no elements


KNOWN: dict[str, Disagreement] = {
    "helion-interpret-partial-tile-arange": Disagreement(
        "helion",
        "HELION_INTERPRET: the last tile of a loop is cut to the tensor's end, but "
        "`hl.arange(tile.block_size)` keeps the whole block: the shapes differ; compiled Helion "
        "(and we) pad the tile to its block and mask the lanes past the end",
        r"The size of tensor a \(\d+\) must match the size of tensor b \(\d+\)",
        lambda source: "hl.arange(" in source and ".block_size" in source,
    ),
    "helion-interpret-empty-extent": Disagreement(
        "helion",
        "HELION_INTERPRET: `hl.tile` over sizes one of which is 0 yields tiles short of that "
        "dimension (a 2-D loop unpacks 1 value); compiled, Helion launches no program, as we do",
        r"not enough values to unpack \(expected \d+, got \d+\)",
        empty_input=True,
    ),
}


def known(error: BaseException, source: str, args: tuple) -> str | None:
    """The name of the KNOWN disagreement this Helion error is, or None."""
    text = f"{type(error).__name__}: {error}"
    empty = any(isinstance(a, torch.Tensor) and a.numel() == 0 for a in args)
    for name, entry in KNOWN.items():
        if entry.empty_input and not empty:
            continue
        if re.search(entry.error, text) and entry.source(source):
            return name
    return None


# -- the recorded cases -------------------------------------------------------------------


def describe(value: object) -> object:
    """An argument as JSON: tensors by shape, dtype and (integers) values; others as they are."""
    if isinstance(value, torch.Tensor):
        spec: dict[str, Any] = {"shape": list(value.shape), "dtype": str(value.dtype)[6:]}
        if value.dtype.is_floating_point:
            finite = value[torch.isfinite(value)].double()
            spec["low"] = float(finite.min()) if finite.numel() else -1.0
            spec["high"] = float(finite.max()) if finite.numel() else 1.0
        else:
            spec["values"] = value.cpu().flatten().tolist()
        return spec
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    raise TypeError(type(value).__name__)


def make(spec: dict, generator: torch.Generator) -> object:
    """Fresh arguments like a recorded one: new random floats in its range, the same integers."""
    if "value" in spec:
        return spec["value"]
    dtype = getattr(torch, spec["dtype"])
    if "values" in spec:
        return torch.tensor(spec["values"], dtype=dtype).reshape(spec["shape"])
    low, high = spec["low"], spec["high"]
    if low == high:
        low, high = low - 1.0, high + 1.0
    values = torch.rand(spec["shape"], generator=generator, dtype=torch.float64)
    return (low + values * (high - low)).to(dtype)


def load_cases() -> list[dict]:
    return json.loads(CASES.read_text()) if CASES.exists() else []


def record() -> int:
    """Run the tests that call both_truths, noting their calls instead of running kernels."""
    import pytest

    sys.path[:0] = [str(TESTS), str(TESTS.parent)]
    import helpers

    seen: dict[str, dict] = {}

    def noting(file: str, name: str, *args: object):
        try:
            spec = {"file": file, "kernel": name, "args": [describe(a) for a in args]}
        except TypeError:  # a callable argument (an epilogue): not Helion's to run
            spec = None
        if spec is not None and json.dumps(spec, sort_keys=True) not in seen:
            seen[json.dumps(spec, sort_keys=True)] = spec
            write(seen.values())  # as it goes: the run is long
        result = helpers.reference(helpers.kernel_source(file), name)(*args)
        return result, result

    def write(specs) -> None:
        cases = sorted(specs, key=lambda c: (c["file"], c["kernel"], json.dumps(c["args"])))
        CASES.write_text(json.dumps(cases, indent=1) + "\n")

    helpers.both_truths = noting
    files = sorted(p for p in TESTS.glob("test_*.py") if "both_truths(" in p.read_text())
    pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:logging", *map(str, files)])
    kernels = {(c["file"], c["kernel"]) for c in seen.values()}
    print(f"{len(seen)} cases of {len(kernels)} kernels")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    sys.exit(record())
