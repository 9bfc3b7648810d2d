"""One device loop lowered: its plan completed by the shape analysis, then one lowering run."""

from __future__ import annotations

import libcst as cst

from ..emit.codegen import Names
from ..emit.lines import LoweredKernel
from ..frontend.aliases import Aliases
from ..frontend.errors import InternalTranspilerError
from ..frontend.host import HostInfo
from ..frontend.source import Source
from .config_literals import config_value
from .kernel import KernelBuilder
from .plan import LoopPlan, Unplanned, planned
from .shapes import shape_facts
from .values import NotSqueezable


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
    `weight[None, :]` reuses `offs_n` and `mask_n` in the one run. Lowering that finds a fact
    its plan lacks (a size pair it did not group, a squeezed tile that needs its dimension)
    is a bug of ours: an InternalTranspilerError at the statement, naming the construct."""
    sizes = config_value(settings, "block_sizes")
    left = list(sizes)[plan.block_offset :] if isinstance(sizes, (list, tuple)) else []
    facts = shape_facts(source, host, aliases, loop, left, plan.callables)
    plan = planned(plan, facts, host.name_for_key)
    if plan.tail is not None:
        plan.tail.total = plan.tail.flag = ""  # the lowering fuses it anew
    builder = KernelBuilder(source, aliases, host, name, host_names, settings, plan)
    try:
        return builder.build(loop)
    except (NotSqueezable, Unplanned) as missed:
        raise source.error(
            InternalTranspilerError,
            source.current or loop,
            f"lowering {name} found what its plan lacks: {missed} (the shape analysis, "
            "lower/shapes.py, does not follow this construct)",
        ) from missed
