"""Named tidy steps over generated code: each a rewrite of statement trees, run in this order."""

from __future__ import annotations

from collections.abc import Callable

from ..lines import Line
from .casts import cancel_store_casts, repeated_casts, upcast_then_cast
from .flags import joined_blocks, joined_flags
from .launcher import self_assignments, trailing_broadcast_comment
from .masks import name_shared_masks
from .pointers import inline_pointers
from .program_ids import inline_program_ids
from .raises import checks_as_raises, repeated_raises
from .reductions import name_nested_reductions
from .unpacking import joined_unpacking_checks

Step = Callable[[list[Line]], list[Line]]

# (name, step, where it runs): "kernel" lines of a @triton.jit function, "launcher" lines
STEPS: tuple[tuple[str, Step, str], ...] = (
    ("cancel_store_casts", cancel_store_casts, "kernel"),
    ("repeated_casts", repeated_casts, "kernel"),
    ("upcast_then_cast", upcast_then_cast, "kernel"),
    ("name_shared_masks", name_shared_masks, "kernel"),
    ("inline_pointers", inline_pointers, "kernel"),
    ("inline_program_ids", inline_program_ids, "kernel"),
    ("name_nested_reductions", name_nested_reductions, "kernel"),
    ("self_assignments", self_assignments, "launcher"),
    ("checks_as_raises", checks_as_raises, "launcher"),
    ("repeated_raises", repeated_raises, "launcher"),
    ("joined_unpacking_checks", joined_unpacking_checks, "launcher"),
    ("joined_blocks", joined_blocks, "launcher"),
    ("joined_flags", joined_flags, "launcher"),
    ("trailing_broadcast_comment", trailing_broadcast_comment, "launcher"),
)


def tidy(lines: list[Line], where: str) -> list[Line]:
    """`lines` (a kernel's or a launcher's) after every step that runs there."""
    for _, step, runs_in in STEPS:
        if runs_in == where:
            lines = step(lines)
    return lines
