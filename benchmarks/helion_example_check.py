"""One Helion example's own `check(...)` at sizes you choose, on the transpiler (CPU or GPU).

    python benchmarks/helion_example_check.py fused_linear_jsd 4 16 128256

Runs `.helion_examples/NAME.py` (benchmarks/helion_examples_fetch.py extracts it) under our
stand-ins for `helion._testing` and friends (benchmarks/helion_shim.py), then calls its `check`
with the integer arguments given; prints "ok" and the seconds, or the example's own error.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from helion_shim import installed  # noqa: E402


def main(argv: list[str]) -> None:
    name, sizes = argv[0], [int(a) for a in argv[1:]]
    torch.manual_seed(0)
    started = time.perf_counter()
    with installed(transpile_only=False, target="cpu"):
        example = runpy.run_path(str(ROOT / ".helion_examples" / f"{name}.py"), run_name="example")
        if "check" not in example:
            raise SystemExit(f"{name} has no check(...): run it whole with helion_examples.py")
        example["check"](*sizes)
    print("ok", round(time.perf_counter() - started, 1), "s")


if __name__ == "__main__":
    main(sys.argv[1:])
