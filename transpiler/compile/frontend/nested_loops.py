"""Device loops inside host control flow (`if`, `for`, `while`, `with`, `try`): refused at the
loop, the hint naming the fix for the statement around it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import libcst as cst

from .errors import NoDeviceLoopError
from .source import Source

_LOOP_FIX = (
    "call the kernel once per iteration from a Python loop in the caller, or put the loop "
    "inside the device loop (for tile in hl.tile(n): for i in range(k): ...)"
)

# the statement around a device loop → (what it is, how to write the kernel without it)
AROUND: dict[type, tuple[str, str]] = {
    cst.If: (
        "a host `if`",
        "move the `if` inside the device loop (for tile in hl.tile(n): if flag: ...), or choose "
        "between two kernels in the caller",
    ),
    cst.For: ("a host `for`", _LOOP_FIX),
    cst.While: ("a host `while`", _LOOP_FIX),
    cst.With: ("a `with` block", "move the device loop out of the `with` block"),
    cst.Try: ("a `try` block", "move the device loop out of the `try` block"),
}


def refuse_nested_loops(
    body: list[cst.BaseStatement],
    source: Source,
    is_device_loop: Callable[[cst.CSTNode], bool],
) -> None:
    """A device loop below a top-level statement of the kernel other than a device loop."""
    for statement in body:
        if is_device_loop(statement):
            continue
        for loop, around in _nested(statement, statement, is_device_loop):
            what, fix = AROUND.get(type(around), ("host code", "write it at the top level"))
            raise source.error(
                NoDeviceLoopError,
                loop.iter,
                f"a device loop inside host control flow ({what})",
                hint=f"device loops go at the kernel's top level: {fix}",
            )


def _nested(
    node: cst.CSTNode, around: cst.CSTNode, is_device_loop: Callable[[cst.CSTNode], bool]
) -> Iterator[tuple[cst.For, cst.CSTNode]]:
    """Each device loop under `node`, with the nearest compound statement around it."""
    for child in node.children:
        if is_device_loop(child):
            yield child, around
            continue
        inner = child if type(child) in AROUND else around
        yield from _nested(child, inner, is_device_loop)
