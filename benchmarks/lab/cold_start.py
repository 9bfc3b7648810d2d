"""Lab: where the first call of a tuned kernel spends its time in a fresh process (issue 5).

    python benchmarks/lab/cold_start.py [--kernels softmax,matmul,cross_entropy]

For each kernel (`tests/kernels/reductions.py::softmax` on a 16384 x 8192 bf16 input,
`matrix.py::matmul` on 8192^3 bf16, `reductions.py::cross_entropy` on 16384 x 32000 bf16), a
first process tunes it and fills the caches (ours and Triton's); a second, fresh process times
its own first call of the same kernel on new data, and a third prints the 25 most expensive
functions of that call under cProfile.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CALL = """
import cProfile, pstats, sys, time
sys.path.insert(0, {bench!r})
import torch
import transpiler
from gpu_autotune import user_module
kernel = getattr(user_module({file!r}), {name!r})
args = {make}
torch.cuda.synchronize()
profile = cProfile.Profile() if {profile} else None
started = time.perf_counter()
if profile: profile.enable()
kernel(*args)
torch.cuda.synchronize()
if profile: profile.disable()
print(f"first call: {{time.perf_counter() - started:.3f}} s")
if profile:
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
"""


BF16 = "device='cuda', dtype=torch.bfloat16"
KERNELS = {
    "softmax": ("reductions.py", "softmax", f"(torch.randn(16384, 8192, {BF16}),)"),
    "matmul": ("matrix.py", "matmul", f"(torch.randn(8192, 8192, {BF16}),) * 2"),
    "cross_entropy": (
        "reductions.py",
        "cross_entropy",
        f"(torch.randn(16384, 32000, {BF16}), torch.randint(0, 32000, (16384,), device='cuda'))",
    ),
}


def run(kernel: str, profile: bool, env: dict) -> str:
    file, name, make = KERNELS[kernel]
    code = CALL.format(bench=str(HERE.parent), profile=profile, file=file, name=name, make=make)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return done.stdout + done.stderr[-3000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", default=",".join(KERNELS))
    for kernel in parser.parse_args().kernels.split(","):
        env = {**os.environ, "TRANSPILER_CACHE_DIR": tempfile.mkdtemp(prefix="cold-")}
        print(f"== {kernel}")
        print("tuning process:", run(kernel, False, env).splitlines()[-1])
        print("fresh process, again:", run(kernel, False, env).splitlines()[-1])
        print(run(kernel, True, env))


if __name__ == "__main__":
    main()
