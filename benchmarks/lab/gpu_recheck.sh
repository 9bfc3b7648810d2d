#!/usr/bin/env bash
# One short device call: the GPU autotune test alone (it saw one timed candidate under six
# processes' compile contention), then, side by side, the test files fixed after the 2026-12-05
# 15:1x H100 run and the two new probe rounds. Carry .whl (`wheels.sh notebook`). Each group is
# stopped by SIGINT so pytest prints its failures. Logs under $OUT; failures last.
#   bash benchmarks/lab/gpu_recheck.sh [SECONDS]
set -uo pipefail
s=${1:-160}
source "$(dirname "$0")/gpu_pytest_groups.sh"
t autotune_alone tests/test_autotune.py -m gpu -o log_cli=true --log-cli-level=INFO
t probes5 tests/test_probes_evaluator5_*.py &
t probes6 tests/test_probes_evaluator6_*.py &
HELION_AUTOTUNE_EFFORT=none t fixed tests/test_index_reach.py tests/test_magics_namespace.py \
  tests/test_magics_options.py tests/test_probes_host_code.py tests/test_probes_parameters.py \
  tests/test_probes_shared_memory.py tests/test_probes_nan_indices.py &
t compiles tests/test_probes_evaluator_right.py tests/test_probes_evaluator2_atomics.py \
  tests/test_probes_evaluator_reduce.py tests/test_targets.py tests/test_gpu_compile.py \
  tests/test_magics_targets.py tests/test_reference_compiled.py &
t gpu_magics -m gpu tests/test_magics_kernels.py tests/test_magics_tuning.py &
wait
summary
