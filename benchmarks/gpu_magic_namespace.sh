#!/usr/bin/env bash
# On a GPU machine: the 2026-12-05 magic fixes where kernels really launch (no interpreter):
# a cell kernel's host code reading the notebook's current names (a redefined helper, the
# notebook's own `max`), the view of the ranks --run ran, the magic line's refusals, and the
# magic's own tests; then notebooks 01 and 04 (export) in one shell. Under 420 s.
#   bash benchmarks/gpu_magic_namespace.sh      (carry .whl; OUT defaults to /tmp/out)
# Logs tarred under $OUT; the pytest summaries and the notebooks' check lines come last.
set -uo pipefail
out=${OUT:-/tmp/out}; mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD:${PYTHONPATH:-} PYTHONUNBUFFERED=1 TRANSPILER_CACHE_DIR=/tmp/tcache
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
timeout 240 python3 -m pytest -q -rfE -p no:cacheprovider tests/test_magics_namespace.py \
  tests/test_magics_shown_code.py tests/test_magics_options.py tests/test_magics.py \
  >"$out/pytest_magic.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_magic.log"
timeout 150 python3 notebooks/execute.py --in-process notebooks/01-vector-add.ipynb \
  notebooks/04-exporting.ipynb >"$out/notebooks.log" 2>&1
echo "notebooks rc=$?" >>"$out/notebooks.log"
tar czf "$out/logs.tar.gz" -C "$out" pytest_magic.log notebooks.log
echo "===== pytest (magic namespace, shown code, options, test_magics)"
grep -E "^(FAILED|ERROR)" "$out/pytest_magic.log" | head -n 12
tail -n 3 "$out/pytest_magic.log"
echo "===== notebooks 01 and 04 (check and export lines)"
grep -E '^(  PASS|  FAIL|check|exported|export|FAILED|notebooks rc)' "$out/notebooks.log" | tail -n 20
