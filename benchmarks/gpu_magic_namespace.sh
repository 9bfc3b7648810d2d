#!/usr/bin/env bash
# On a GPU machine: the 2026-12-05 magic fixes where kernels really launch (no interpreter):
# a cell kernel's host code reading the notebook's current names (a redefined helper, the
# notebook's own `max`), the view of the ranks --run ran, the magic line's refusals, --check's
# TF32 bound for a float32 matmul; then the magic's own GPU tests. Under 420 s.
#   bash benchmarks/gpu_magic_namespace.sh      (carry .whl; OUT defaults to /tmp/out)
# Logs tarred under $OUT; the pytest summaries come last.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
# the new files with no search (each first call would tune for up to 20 s), then the magic's
# own GPU tests as they are (a search drawn as the roofline cloud)
HELION_AUTOTUNE_EFFORT=none timeout 260 python3 -m pytest -q -rfE -p no:cacheprovider \
  tests/test_magics_namespace.py tests/test_magics_shown_code.py tests/test_magics_options.py \
  tests/test_magics_check_tolerance.py >"$out/pytest_magic.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_magic.log"
timeout 120 python3 -m pytest -q -rfE -p no:cacheprovider -m gpu tests/test_magics.py \
  >"$out/pytest_magic_gpu.log" 2>&1
echo "pytest -m gpu rc=$?" >>"$out/pytest_magic_gpu.log"
tar czf "$out/logs.tar.gz" -C "$out" pytest_magic.log pytest_magic_gpu.log
echo "===== pytest (magic namespace, shown code, options, check tolerance; no search)"
grep -E "^(FAILED|ERROR)" "$out/pytest_magic.log" | head -n 12
tail -n 3 "$out/pytest_magic.log"
echo "===== pytest -m gpu tests/test_magics.py"
tail -n 3 "$out/pytest_magic_gpu.log"
