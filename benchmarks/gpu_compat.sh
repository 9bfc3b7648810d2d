#!/usr/bin/env bash
# The Helion spellings accepted on 2026-12-05 run compiled on the GPU (H200): tile attributes
# (tile.count, ids from a begin), reductions over several dims and with no dim (argmax / var of
# a flattened block), hl.grid steps and a loop's tiles as a sequence; each test compares the
# generated kernel with reference mode and with torch in float64. Under 300 s.
#   bash benchmarks/gpu_compat.sh   (carry .whl)
# Logs under $OUT (tarred); the table last.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
files="tests/test_several_dims.py tests/test_tile_attributes.py tests/test_grid_steps.py"
files="$files tests/test_loop_forms.py tests/test_hl_rows.py"
TRANSPILER_CACHE_DIR=/tmp/tcache_compat TRANSPILER_COMPILE_CHECK=0 timeout 260 \
  python3 -m pytest -q -rfE -p no:cacheprovider $files >"$out/pytest_compat.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_compat.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== pytest compat ($files)"
grep -E "^(FAILED|ERROR)" "$out/pytest_compat.log" | head -n 20
tail -n 2 "$out/pytest_compat.log"
