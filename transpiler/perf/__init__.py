"""Performance: cost model, device peaks, roofline arithmetic and timing (figures: perf.plot)."""

from .call import CallRoofline, call_roofline, roofline_figure
from .cost import Cost, KernelWork
from .host_eval import CostModelError
from .walk import analyse, cost_of, kernel_cost

__all__ = [
    "CallRoofline",
    "Cost",
    "CostModelError",
    "KernelWork",
    "analyse",
    "call_roofline",
    "cost_of",
    "kernel_cost",
    "roofline_figure",
]
