"""Host time of the golden launchers, their kernel launches stubbed: a git revision's goldens
against the working tree's, on the same inputs (the launcher's own checks, allocations and
arithmetic; no Triton, no GPU).

Run: PYTHONPATH=. .venv/bin/python benchmarks/launcher_time.py [--before REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import tempfile
import timeit
from pathlib import Path

import torch

ROOT = Path(__file__).parents[1]

# (golden, launcher, arguments): small float32 inputs, as the golden tests use
CASES = [
    ("add", "add", lambda: (torch.randn(1000), torch.randn(1000))),
    ("softmax", "softmax", lambda: (torch.randn(9, 70),)),
    ("layer_norm", "layer_norm", lambda: (torch.randn(9, 70), torch.randn(70), torch.randn(70))),
    ("online_softmax", "softmax_two_pass", lambda: (torch.randn(9, 70),)),
    ("outer_grid", "outer_scaled", lambda: (torch.randn(33), torch.randn(17), 0.5)),
]


class _NoLaunch:
    """`kernel[grid](...)` that launches nothing."""

    def __getitem__(self, grid: object) -> _NoLaunch:
        return self

    def __call__(self, *args: object, **kwargs: object) -> None:
        return None


def launcher(code: str, name: str, folder: Path):
    """The module's launcher `name` (imported from a file: Triton reads its kernels' source),
    each of the module's @triton.jit kernels replaced by _NoLaunch."""
    path = folder / f"{name}_{abs(hash(code))}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for key, value in list(vars(module).items()):
        if "_kernel" in key and type(value).__name__ == "JITFunction":
            setattr(module, key, _NoLaunch())
    return getattr(module, name)


def microseconds(functions: list, args: tuple, runs: int = 9) -> list[float]:
    """Each function's best of `runs` runs of 2000 calls, per call; the runs taken in turns, so
    that a busy machine slows each alike."""
    best = [float("inf")] * len(functions)
    for _ in range(runs):
        for index, function in enumerate(functions):
            seconds = timeit.timeit(lambda f=function: f(*args), number=2000)
            best[index] = min(best[index], seconds / 2000 * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", default="main", help="git revision of the goldens before")
    args = parser.parse_args()
    print(f"{'golden launcher':32}  {args.before:>12}  {'now':>8}   (µs per call, launch stubbed)")
    for golden, name, make in CASES:
        path = f"tests/golden/{golden}.triton.py"
        before = subprocess.run(
            ["git", "show", f"{args.before}:{path}"], cwd=ROOT, capture_output=True, text=True
        ).stdout
        now = (ROOT / path).read_text()
        inputs = make()
        with tempfile.TemporaryDirectory() as folder:
            launchers = [launcher(code, name, Path(folder)) for code in (before, now)]
            times = microseconds(launchers, inputs)
        print(f"{golden + '.' + name:32}  {times[0]:12.1f}  {times[1]:8.1f}")


if __name__ == "__main__":
    main()
