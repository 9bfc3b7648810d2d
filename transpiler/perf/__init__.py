"""Performance: cost model, device peaks, roofline arithmetic and timing (figures: perf.plot)."""

from .cost import Cost, KernelWork
from .host_eval import CostModelError
from .walk import analyse, cost_of, kernel_cost

__all__ = ["Cost", "CostModelError", "KernelWork", "analyse", "cost_of", "kernel_cost"]
