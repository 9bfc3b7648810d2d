python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
o=$OUT
(TRANSPILER_CACHE_DIR=/tmp/tc_first TRITON_CACHE_DIR=/tmp/tr_first timeout 330 python3 benchmarks/gpu_time_to_tuned.py --out $o/first --no-workloads --start 27 --kernels-seconds 250 --sweep '' > $o/first.log 2>&1; echo rc=$? >> $o/first.log) &
(python3 benchmarks/lab/alias_probe.py > $o/alias.log 2>&1; echo rc=$? >> $o/alias.log
TRANSPILER_CACHE_DIR=/tmp/tc_t TRANSPILER_COMPILE_CHECK=0 timeout 250 python3 -m pytest -q -rfE -p no:cacheprovider tests/test_probes_block_sizes.py tests/test_plan.py::test_the_representative_of_unified_sizes_does_not_depend_on_string_hashing tests/test_one_load.py tests/test_host_flags.py tests/test_module_statements.py tests/test_several_dims.py tests/test_tile_attributes.py tests/test_grid_steps.py tests/test_loop_forms.py tests/test_cache.py tests/test_index_reach.py > $o/tests.log 2>&1; echo rc=$? >> $o/tests.log) &
wait
echo ===== alias; cat $o/alias.log
echo ===== tests; grep -E "^(FAILED|ERROR)" $o/tests.log | head -20; tail -3 $o/tests.log
echo ===== first; grep -v "^ *$" $o/first.log | tail -70
