"""Performance: cost model, device peaks, roofline arithmetic and timing (figures: perf.plot)."""

from .cost import Cost, KernelWork
from .host_eval import CostModelError
from .kernel_call import CallRoofline, call_roofline, roofline_figure
from .walk import analyse, analyse_kernel, cost_of, kernel_cost

__all__ = [
    "CallRoofline",
    "Cost",
    "CostModelError",
    "KernelWork",
    "analyse",
    "analyse_kernel",
    "call_roofline",
    "cost_of",
    "kernel_cost",
    "roofline_figure",
]
