#!/usr/bin/env bash
# On a GPU machine: the %%helion magic on transpiler.Kernel (issue 16, move 5). The magic's
# GPU tests (a real search drawn as the roofline cloud, --bench, the compiled stages), the
# cell/decorator parity tests with a real search, and notebook 01 at real sizes. Logs under
# $OUT; the pytest summaries and the notebook's autotune/check lines come last.
#   bash benchmarks/gpu_magic_kernels.sh      (OUT defaults to /tmp/out)
set -uo pipefail
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
export TRANSPILER_CACHE_DIR=/tmp/tcache
timeout 300 python3 -m pytest -q -p no:cacheprovider -m gpu tests/test_magics.py \
    tests/test_magics_tuning.py tests/test_magics_kernels.py tests/test_roofline_cloud.py \
    >"$OUT/pytest_gpu.log" 2>&1
echo "pytest -m gpu rc=$?" >>"$OUT/pytest_gpu.log"
timeout 240 python3 -m pytest -q -p no:cacheprovider tests/test_magics_kernels.py \
    tests/test_source_kernels.py tests/test_magics_public_api.py >"$OUT/pytest_parity.log" 2>&1
echo "pytest parity rc=$?" >>"$OUT/pytest_parity.log"
timeout 300 python3 notebooks/execute.py --in-process notebooks/01-vector-add.ipynb \
    >"$OUT/notebook01.log" 2>&1
echo "notebook rc=$?" >>"$OUT/notebook01.log"
tar czf "$OUT/logs.tar.gz" -C "$OUT" pytest_gpu.log pytest_parity.log notebook01.log
echo "===== pytest -m gpu"
tail -n 12 "$OUT/pytest_gpu.log"
echo "===== parity (CPU-faked GPU tests, on the GPU)"
tail -n 8 "$OUT/pytest_parity.log"
echo "===== notebook 01 (autotune, check and bench lines)"
grep -E '^(autotune|  PASS|  FAIL|bench|check|notebook rc)' "$OUT/notebook01.log" | tail -n 40
