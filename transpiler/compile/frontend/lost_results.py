"""A kernel that fills a tensor it allocated and returns nothing: the work is lost."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .errors import UnsupportedConstructError
from .source import Source


def check_lost_results(
    source: Source, node: cst.FunctionDef, loops: list[cst.For], fresh: set[str]
) -> None:
    """A kernel without `return` whose device loop stores into a tensor the kernel allocated
    (`out = torch.empty_like(x)`): nothing outside the kernel can see it (a forgotten
    `return out`). Kernels that write into their arguments return nothing, rightly."""
    if m.findall(node.body, m.Return()) or m.findall(node.body, m.Yield()):
        return
    for loop in loops:
        for store in m.findall(loop, m.Assign() | m.AugAssign()):
            targets = (
                [t.target for t in store.targets]  # type: ignore[union-attr]
                if isinstance(store, cst.Assign)
                else [store.target]  # type: ignore[union-attr]
            )
            for target in targets:
                if (
                    isinstance(target, cst.Subscript)
                    and isinstance(target.value, cst.Name)
                    and target.value.value in fresh
                ):
                    name = target.value.value
                    raise source.error(
                        UnsupportedConstructError,
                        target,
                        f"the kernel stores into {name}, which it allocated, and returns "
                        "nothing: the result is lost",
                        hint=f"end the kernel with `return {name}`",
                    )
