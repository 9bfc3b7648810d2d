"""`hl.register_block_size(...)` in host code: its arguments checked at the user's line."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .aliases import LANGUAGE, Aliases
from .errors import TileArgumentError
from .host_sizes import literal_int
from .source import Source

_NAME = f"{LANGUAGE}.register_block_size"
_FORMS = "hl.register_block_size(n) (at most n) or hl.register_block_size(16, n) (from 16 to n)"


def check_block_size_calls(
    statement: cst.CSTNode, source: Source, aliases: Aliases, tensors: set[str]
) -> None:
    """Each register_block_size call of a host statement takes one or two sizes: integers, the
    least no larger than the most; a tensor there is a size forgotten (`x` for `x.size(0)`)."""
    for call in m.findall(statement, m.Call()):
        if aliases.qualified(call.func) != _NAME:  # type: ignore[union-attr]
            continue
        _check_call(call, source, tensors)  # type: ignore[arg-type]


def _check_call(call: cst.Call, source: Source, tensors: set[str]) -> None:
    keyword = next((a for a in call.args if a.keyword is not None or a.star), None)
    if keyword is not None:
        raise source.error(
            TileArgumentError, keyword, "hl.register_block_size takes its sizes by position",
            hint=f"write {_FORMS}",
        )  # fmt: skip
    if not 1 <= len(call.args) <= 2:
        raise source.error(
            TileArgumentError, call,
            f"hl.register_block_size takes one or two sizes, not {len(call.args)}",
            hint=f"write {_FORMS}",
        )  # fmt: skip
    for argument in call.args:
        value = argument.value
        if isinstance(value, cst.Name) and value.value in tensors:
            raise source.error(
                TileArgumentError, value,
                f"hl.register_block_size takes a size, not the tensor {value.value}",
                hint=f"pass one of its sizes: hl.register_block_size({value.value}.size(0))",
            )  # fmt: skip
        if isinstance(value, (cst.Float, cst.SimpleString)):
            raise source.error(
                TileArgumentError, value, "hl.register_block_size takes integer sizes",
                hint=f"write {_FORMS}",
            )  # fmt: skip
    bounds = [literal_int(a.value) for a in call.args]
    if any(b is not None and b < 1 for b in bounds):
        least = next(a.value for a, b in zip(call.args, bounds) if b is not None and b < 1)
        raise source.error(
            TileArgumentError, least, "a block size is at least 1",
            hint=f"write {_FORMS}",
        )  # fmt: skip
    if len(bounds) == 2 and None not in bounds and bounds[0] > bounds[1]:  # type: ignore[operator]
        raise source.error(
            TileArgumentError, call.args[0].value,
            f"hl.register_block_size({bounds[0]}, {bounds[1]}): the least block size is larger "
            "than the most",
            hint=f"the least comes first: hl.register_block_size({bounds[1]}, {bounds[0]})",
        )  # fmt: skip
