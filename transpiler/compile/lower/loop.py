"""One device loop lowered: its plan completed by the shape analysis, then one lowering run."""

from __future__ import annotations

import libcst as cst

from ..emit.codegen import Names
from ..emit.lines import LoweredKernel
from ..frontend.host import HostInfo
from ..frontend.kernels import Aliases
from ..frontend.source import Source
from .config_literals import config_value
from .kernel import KernelBuilder
from .plan import LoopFindings, LoopPlan, planned, refine
from .shapes import shape_facts
from .values import NotSqueezable

MAX_RUNS = 10  # a plan gains a fact per refinement; more than this is a bug of ours


def lower_loop(
    source: Source,
    aliases: Aliases,
    host: HostInfo,
    name: str,
    host_names: Names,
    settings: dict[str, object],
    loop: cst.For,
    plan: LoopPlan,
) -> LoweredKernel:
    """The loop's @triton.jit kernel and launch lines. The shape analysis (shapes.py) adds to
    the plan what lowering's shapes will show (whole dimensions only the launcher shows equal,
    a view's None standing for a squeezed tile, tiles that need their dimension): so
    `weight[None, :]` reuses `offs_n` and `mask_n` in the one run. A run that still finds what
    its plan did not say (a construct the analysis does not follow: docs/architecture.md) is
    followed by one with the refined plan."""
    sizes = config_value(settings, "block_sizes")
    left = list(sizes)[plan.block_offset :] if isinstance(sizes, (list, tuple)) else []
    facts = shape_facts(source, host, aliases, loop, left, plan.callables)
    plan = planned(plan, facts, host.name_for_key)
    taken = set(host_names.taken)
    for _ in range(MAX_RUNS):
        host_names.taken = set(taken)
        if plan.tail is not None:
            plan.tail.total = plan.tail.flag = ""  # each run fuses it anew
        builder = KernelBuilder(source, aliases, host, name, host_names, settings, plan)
        try:
            lowered = builder.build(loop)
            found = LoopFindings(unified=frozenset(builder.unified))
        except NotSqueezable as reason:
            lowered, found = None, LoopFindings(not_squeezable=reason)
        following = refine(plan, found, host.name_for_key)
        if following is None and lowered is not None:
            return lowered
        if following is None or following == plan:
            break
        plan = following
    raise RuntimeError(f"the plan of {name} did not settle in {MAX_RUNS} lowering runs")
