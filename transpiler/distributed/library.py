"""Triton functions of our own that kernels call or import by their Helion names."""

from __future__ import annotations

import inspect
import textwrap
from functools import cache

import libcst as cst

from ..compile.frontend.aliases import Aliases

# qualified name (as frontend.Aliases spells it: `transpiler.` reads `helion.`) → the function's
# name in dist_utils (imported when asked for: it imports triton, which must come after
# transpiler.run.runtime has chosen the interpreter on a machine without a GPU)
FUNCTIONS = {
    "helion.runtime.triton.dist_utils.symm_mem_sync": "symm_mem_sync",
    "helion.distributed.dist_utils.symm_mem_sync": "symm_mem_sync",
    "helion.runtime.triton.helpers.triton_wait_signal": "triton_wait_signal",
    "helion.distributed.dist_utils.triton_wait_signal": "triton_wait_signal",
}

# functions that give each program a signal slot per rank when their block id is None:
# name → (position of the block id, position of the world size) among their arguments
SIGNAL_SLOTS = {"symm_mem_sync": (1, 3)}


@cache
def library_source(qualified: str) -> tuple[str, str] | None:
    """(name, source with its @triton.jit) of a library function the generated module defines,
    or None when `qualified` names none."""
    name = FUNCTIONS.get(qualified)
    if name is None:
        return None
    from . import dist_utils  # @triton.jit code: imports triton, which transpiling does not need

    function = getattr(dist_utils, name)
    python = getattr(function, "fn", function)  # the JITFunction's Python function
    return python.__name__, textwrap.dedent(inspect.getsource(python)).strip("\n") + "\n"


def imported_library(statement: cst.CSTNode, aliases: Aliases) -> dict[str, list[str]]:
    """The library functions a (dropped) `from helion... import f` statement names, by name:
    each one's source, and `g = f` for `import f as g` (a @triton.jit function of the user's
    module passed through unchanged may call them)."""
    found: dict[str, list[str]] = {}
    if not isinstance(statement, cst.SimpleStatementLine):
        return found
    for small in statement.body:
        if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
            continue
        for alias in small.names:
            local = alias.evaluated_alias or alias.evaluated_name
            library = library_source(aliases.qualified(cst.Name(local)) or "")
            if library is not None:
                name, text = library
                found[name] = [text.rstrip("\n")] + ([f"{local} = {name}"] if local != name else [])
    return found
