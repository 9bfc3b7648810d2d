"""GPU soak: fuzzer kernels compiled on the GPU, the interpreter soak on the spare cores, and the
eager / compiled tests, side by side; a summary table last, every log under --out.

    python3 benchmarks/gpu_soak.py --out $OUT [--minutes 3.2] [--gpu-workers 6] [--cpu-workers 7]

Each part is a process of its own: `tests/fuzz/soak.py` compiled (kernels run on the GPU
against reference mode and float64), `tests/fuzz/soak.py --interpret` (Triton's interpreter
on CPU tensors), and pytest over tests/test_eager_and_compiled.py (on a GPU its ops trace
through Inductor's wrap_triton and CUDA graphs). Their full outputs are written to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOAK = ROOT / "tests" / "fuzz" / "soak.py"


def start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """`command` in the repository root, its stdout and stderr into `log`."""
    handle = log.open("w")
    return subprocess.Popen(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env)


def soak_row(name: str, path: Path, code: int | None) -> list[str]:
    if not path.exists():
        return [name, "-", "-", "-", "-", "-", "-", f"no summary (exit {code})"]
    summary = json.loads(path.read_text())
    failures = summary["failures"]
    others = sum(v for k, v in failures.items() if k not in ("mismatch", "internal-error"))
    return [
        name,
        str(summary["kernels"]),
        str(summary["inputs"]),
        str(failures.get("mismatch", 0)),
        str(failures.get("internal-error", 0)),
        str(others),
        str(summary["workers_lost"]),
        f"{summary['wall_s']:.0f} s, {summary['device']}",
    ]


def pytest_row(log: Path, code: int | None) -> list[str]:
    lines = [line for line in log.read_text().splitlines() if line.strip()] if log.exists() else []
    words = ("passed", "failed", "error", "skipped")
    outcome = next((x for x in reversed(lines) if " in " in x and any(w in x for w in words)), "")
    return [
        "eager/compiled tests",
        "-",
        "-",
        "-",
        "-",
        "-",
        "-",
        f"{outcome.strip('= ')} (exit {code})",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for logs and summaries")
    parser.add_argument("--minutes", type=float, default=3.2, help="each soak's budget")
    parser.add_argument("--gpu-workers", type=int, default=6)
    parser.add_argument("--cpu-workers", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1_000_000)
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    common = ["--minutes", str(options.minutes), "--grace", "45", "--show", "3"]
    out = options.out
    parts = {
        "gpu": start(
            [
                sys.executable,
                str(SOAK),
                "--workers",
                str(options.gpu_workers),
                "--seed",
                str(options.seed),
                "--json",
                str(out / "soak-gpu.json"),
                *common,
            ],
            out / "soak-gpu.log",
            env,
        ),
        "interpret": start(
            [
                sys.executable,
                str(SOAK),
                "--interpret",
                "--workers",
                str(options.cpu_workers),
                "--seed",
                str(options.seed + 500_000),
                "--json",
                str(out / "soak-interpret.json"),
                *common,
            ],
            out / "soak-interpret.log",
            env,
        ),
        "pytest": start(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:logging",
                "tests/test_eager_and_compiled.py",
            ],
            out / "pytest.log",
            env,
        ),
    }
    started = time.monotonic()
    codes = {name: process.wait() for name, process in parts.items()}
    rows = [
        ["part", "kernels", "inputs", "mismatch", "internal", "other", "lost", "wall, device"],
        soak_row("soak, compiled (GPU)", out / "soak-gpu.json", codes["gpu"]),
        soak_row("soak, interpreter (CPU)", out / "soak-interpret.json", codes["interpret"]),
        pytest_row(out / "pytest.log", codes["pytest"]),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows)
    text = f"gpu_soak: {time.monotonic() - started:.0f} s\n{table}\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return 0 if all(code == 0 for code in codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
