#!/usr/bin/env bash
# One device call for the user-style probes (2026-12-04, probe): every tests/test_probes_*.py
# on the GPU (compiled Triton, not the interpreter): negative literal indices, atomics whose
# lanes meet, int8 products into int32 (Hopper's integer MMA), block sizes from outer tiles,
# paired index blocks.
#   bash benchmarks/gpu_probes.sh        (carry .whl)
# Logs under $OUT (tarred); the per-file pass/fail table last. Under 420 s.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
TRANSPILER_COMPILE_CHECK=0 timeout 380 python3 -m pytest -q -rA -p no:cacheprovider \
  tests/test_probes_*.py >"$out/pytest_probes.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_probes.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== tests/test_probes_*.py on the GPU: file, passed, failed, errors, skipped"
awk '/^(PASSED|FAILED|ERROR|SKIPPED)/ { split($2, p, "::"); n[p[1] " " $1]++; f[p[1]] = 1 }
  END { for (k in f) printf "%-40s %4d %4d %4d %4d\n", k, n[k " PASSED"], n[k " FAILED"],
        n[k " ERROR"], n[k " SKIPPED"] }' "$out/pytest_probes.log" | sort
tail -n 2 "$out/pytest_probes.log"
