#!/usr/bin/env bash
# On a GPU machine: the --targets / -a view, every test kernel on three targets and notebook 08,
# where kernels run on the GPU and compile_for runs beside them (issue 19). Logs under $OUT;
# the pytest summaries and the notebook's printed tables come last.
#   bash benchmarks/gpu_targets_magic.sh      (OUT defaults to /tmp/out)
set -uo pipefail
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
export TRANSPILER_CACHE_DIR=/tmp/tcache
python3 -m pytest -q -p no:cacheprovider tests/test_magics_targets.py tests/test_all_targets.py \
    tests/test_targets.py >"$OUT/pytest.log" 2>&1
echo "pytest rc=$?" >>"$OUT/pytest.log"
python3 notebooks/execute.py --in-process notebooks/08-one-kernel-many-gpus.ipynb \
    >"$OUT/notebook08.log" 2>&1
echo "notebook rc=$?" >>"$OUT/notebook08.log"
echo "===== pytest"
tail -n 15 "$OUT/pytest.log"
echo "===== notebook 08 (tables)"
grep -v '^<\|data-' "$OUT/notebook08.log" | tail -n 40
