"""Lab: where the first call of a tuned kernel spends its time in a fresh process (issue 5).

    python benchmarks/lab/cold_start.py

A first process tunes `tests/kernels/reductions.py::softmax` on a 16384 x 8192 bf16 input and
fills the caches (ours and Triton's); a second, fresh process times its own first call of the
same kernel on new data and prints the 25 most expensive functions under cProfile.
"""

from __future__ import annotations

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
kernel = user_module("reductions.py").softmax
x = torch.randn(16384, 8192, device="cuda", dtype=torch.bfloat16)
torch.cuda.synchronize()
profile = cProfile.Profile() if {profile} else None
started = time.perf_counter()
if profile: profile.enable()
kernel(x)
torch.cuda.synchronize()
if profile: profile.disable()
print(f"first call: {{time.perf_counter() - started:.3f}} s")
if profile:
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
"""


def run(profile: bool, env: dict) -> str:
    code = CALL.format(bench=str(HERE.parent), profile=profile)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return done.stdout + done.stderr[-3000:]


def main() -> None:
    env = {**os.environ, "TRANSPILER_CACHE_DIR": tempfile.mkdtemp(prefix="cold-")}
    print("tuning process:", run(False, env).splitlines()[-1])
    print("fresh process, again:", run(False, env).splitlines()[-1])
    print(run(True, env))


if __name__ == "__main__":
    main()
