"""Triton functions of our own that kernels may call by their Helion names (hl.triton_kernel)."""

from __future__ import annotations

import inspect
import textwrap
from functools import cache

from . import dist_utils

# qualified name (as frontend.Aliases spells it: `transpiler.` reads `helion.`) → the function
FUNCTIONS = {
    "helion.runtime.triton.dist_utils.symm_mem_sync": dist_utils.symm_mem_sync,
    "helion.distributed.dist_utils.symm_mem_sync": dist_utils.symm_mem_sync,
}

# functions that give each program a signal slot per rank when their block id is None:
# name → (position of the block id, position of the world size) among their arguments
SIGNAL_SLOTS = {"symm_mem_sync": (1, 3)}


@cache
def library_source(qualified: str) -> tuple[str, str] | None:
    """(name, source with its @triton.jit) of a library function the generated module defines,
    or None when `qualified` names none."""
    function = FUNCTIONS.get(qualified)
    if function is None:
        return None
    python = getattr(function, "fn", function)  # the JITFunction's Python function
    return python.__name__, textwrap.dedent(inspect.getsource(python)).strip("\n") + "\n"
