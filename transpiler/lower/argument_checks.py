"""What the launcher checks of argument values before a launch, in the user's words: a block
size argument that is no power of two, a tensor passed for a number, a float tensor whose
values index another tensor. Each is a `require(...)` line naming the argument."""

from __future__ import annotations

import libcst as cst

from ..errors import IndexDtypeError
from .values import BLOCK, CONST, Value


def power_of_two_check(name: str) -> str:
    """`hl.tile(n, block_size=name)` with `name` an argument: a power of two, 1 or more."""
    message = (
        f"{name}={{{name}!r}} is used as a block size: it must be a power of two "
        "(1, 2, 4, ..., 1024)"
    )
    return (
        f"require(isinstance({name}, int) and {name} >= 1 and {name} & ({name} - 1) == 0, "
        f'lambda: f"{message}", ValueError)'
    )


def argument_value_checks(builder) -> list[str]:
    """The checks a lowered loop asks of its arguments (block sizes, numbers, index tensors)."""
    checks = list(dict.fromkeys(builder.argument_checks))
    for name in sorted(builder.host.scalar_params):
        message = (
            f"{name} is a number parameter: pass a Python number ({name}.item()), not a tensor"
        )
        checks.append(
            f'require(not isinstance({name}, torch.Tensor), lambda: "{message}", TypeError)'
        )
    for tensor in sorted(builder.index_tensors):
        message = (
            f"{tensor}'s values index another tensor: it must hold integers, got {{{tensor}.dtype}}"
        )
        checks.append(
            f"require(not ({tensor}.is_floating_point() or {tensor}.is_complex()), "
            f'lambda: f"{message}", TypeError)'
        )
    if checks:
        builder.host_helpers.add("require")
    return checks


def note_index_value(builder, value: Value, node: cst.CSTNode) -> None:
    """A device value used as an index: a float one is refused here, a load's tensor is checked
    by the launcher to hold integers."""
    if value.kind == CONST:
        return
    if value.kind == BLOCK and value.dtype == "float":
        raise builder.source.error(
            IndexDtypeError,
            node,
            "a float value used as an index",
            hint="index with integers: convert with .to(torch.int64) (or .long()) first",
        )
    builder.index_tensors.update(value.loaded_from)
