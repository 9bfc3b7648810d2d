"""Looking at generated kernels: the cost model and roofline (perf), compiles for GPU targets and their resources (targets)."""
