"""A loop's variable read after its loop has ended (`for j in range(n): ...`, then `j`): Python
keeps the last value, the kernel keeps none. Found here so that the error names the loop, where
before it said the name was not defined at all."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..frontend.targets import target_names


def ended_loop_of(device_loop: cst.For | None, name: str) -> cst.For | None:
    """The loop inside `device_loop` whose target binds `name`, if any."""
    if device_loop is None:
        return None
    for loop in m.findall(device_loop.body, m.For()):
        if isinstance(loop, cst.For) and name in target_names(loop.target):
            return loop
    return None
