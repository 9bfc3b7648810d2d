#!/usr/bin/env bash
# One device call: the test groups that gpu_session.sh cut off or could not import (IPython: carry
# .whl from `wheels.sh notebook`), six pytest processes side by side, each stopped by SIGINT so
# pytest still prints its failures. Logs under $OUT; failures last.
#   bash benchmarks/lab/gpu_tests_again.sh [SECONDS]
set -uo pipefail
s=${1:-330}
source "$(dirname "$0")/gpu_pytest_groups.sh"
rest=$(ls tests/test_probes_*.py | awk '$0 >= "tests/test_probes_device_views.py"')
t f64 tests/test_float64_products.py tests/test_one_load.py tests/test_host_flags.py &
t probes_a $(echo "$rest" | awk 'NR % 3 == 0') &
t probes_b $(echo "$rest" | awk 'NR % 3 == 1') &
t probes_c $(echo "$rest" | awk 'NR % 3 == 2') &
t gpu_marked -m gpu $(grep -l "mark.gpu" tests/*.py) &
HELION_AUTOTUNE_EFFORT=none t newer tests/test_module_statements.py tests/test_several_dims.py \
  tests/test_tile_attributes.py tests/test_grid_steps.py tests/test_loop_forms.py \
  tests/test_index_reach.py tests/test_magics_namespace.py tests/test_magics_options.py \
  tests/test_magics_shown_code.py tests/test_magics_check_tolerance.py &
wait
summary
