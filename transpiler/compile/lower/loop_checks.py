"""The launcher's checks of a device loop's tensors: ranks, overlap, reach, slices, sizes."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.tidy.launcher import BROADCAST
from ..frontend.overlapping_reads import misaligned_tensors
from .argument_checks import argument_value_checks
from .bool_arithmetic import launch_fact, unimplied
from .integer_promotion import launch_facts
from .shared_memory import apart_check
from .size_checks import equal_checks, reach_check

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_SIZE_KEY = re.compile(r"(\w+)\.size\((\d+)\)")


def rank_checks(builder: KernelBuilder, loop: cst.For) -> list[str]:
    """The launcher's lines before the launch that check the tensors and sizes it is given."""
    checks = (
        builder.tensor_tuples.tuple_bindings()
        + builder.specialisations.checks()
        + argument_value_checks(builder)
    )
    checks.append(f"INDEX_DTYPE = {tensor_check(builder)}")
    launched = [p.launch for p in builder.params.values() if p.kind == "tensor"]
    # an argument, or a view the host code made (`out = x.expand(n)`: was silent), not new memory
    for tensor in sorted(builder.stored_tensors & set(launched) - builder.host.fresh):
        message = f"{tensor} has overlapping elements (sharing memory): writes to them would race"
        checks.append(
            f'require(torch._debug_has_internal_overlap({tensor}) != 1, lambda: "{message}")'
        )
    # a host name for an argument's memory (`out = x[:, 1:]`, `x.view(-1)`: not new memory)
    # too; a tensor read at elements others store must not share even one view with them
    misread = builder.source.once(misaligned_tensors, loop, loop, builder.aliases) & set(launched)
    shared = set(builder.host.params) | (set(launched) - builder.host.fresh)
    written = sorted(builder.stored_tensors & set(launched) & shared)
    if apart := apart_check(written, launched, misread):
        checks.append(apart)
        builder.host_helpers.add("check_apart")
    seen = set()
    short: dict[str, list[str]] = {}  # a reach → the sizes the tiles need to be that long
    for tensor, dim, axis in builder.coverage:  # every tile must lie inside the tensors it reads
        end = ast.unparse(axis.end)
        reach = builder.params[end].launch if end in builder.params else None
        own = builder.host.size_key(tensor, dim)
        if reach is None or (tensor, dim) in seen or reach in (own, builder.host.name_for_key(own)):
            continue
        if builder.host.key_of(cst.parse_expression(reach)) == own or (own, reach) in seen:
            continue  # (or checked already: `out = torch.empty_like(x)`'s size is x's)
        seen |= {(tensor, dim), (own, reach)}
        short.setdefault(reach, []).append(f"{tensor}.size({dim})")
    checks.extend(
        reach_check(s, reach, builder.ranged_ends.get(reach)) for reach, s in short.items()
    )
    checks.extend(dict.fromkeys(builder.index_reaches))
    for tensor, dim, end in sorted(builder.slice_ends):  # torch would clip: refuse instead
        message = f"{tensor}.size({dim}) must be at least {end}: the slice reaches that far"
        checks.append(f'require({tensor}.size({dim}) >= {end}, lambda: "{message}")')
    for what, start, end in sorted(builder.slice_starts):  # torch would count from the end
        message = f"{what} must start at 0 or more: torch counts a negative start from the end"
        if not start.isdigit():
            checks.append(f'require({start} >= 0, lambda: "{message}")')
        if end:
            message = f"{what} must end at or after its start: torch would make it empty"
            checks.append(f'require({end} >= {start}, lambda: "{message}")')
    for key in sorted(builder.unpadded):  # a padded block would move lanes across rows
        size = builder.params[builder.size_param(key)].launch
        message = f"{size} must be a power of two: the kernel reshapes that whole dimension"
        checks.append(f'require(triton.next_power_of_2({size}) == {size}, lambda: "{message}")')
    expanded: set[str] = set()
    broadcasts = []
    for first, second in sorted(builder.unified):
        broadcasts.extend(broadcast_lines(builder, first, second, expanded))
    if broadcasts:
        checks.append(BROADCAST)
        checks.extend(broadcasts)
    equal = []  # sizes the kernel combines, by their host names
    for first, second in sorted(builder.unified):
        a, b = (_host_name(builder, key) for key in (first, second))
        if a.isdigit() or b.isdigit():  # e.g. a dimension hl.split takes two lanes from
            size, other = (a, b) if a.isdigit() else (b, a)
            message = f"{other} must be {size}: the kernel gives that dimension {size} lanes"
            checks.append(f'require({other} == {size}, lambda: "{message}")')
        elif a != b and (line := _product_line(builder, first, second)):  # was: "element-wise"
            message = f"{a} and {b} must be equal: line {line} multiplies them (a matrix product's inner dimension)"
            checks.append(f'require({a} == {b}, lambda: "{message}")')
        elif a != b:
            equal.append((a, b))
    checks.extend(equal_checks(equal))
    if any(check.startswith("require(") for check in checks):
        builder.host_helpers.add("require")
    return checks


def _product_line(builder: KernelBuilder, first: str, second: str) -> int | None:
    """The line of the matrix product whose K the two sizes are: one is its K's, the other its
    K's too or a size of one of its factors (a K size met elsewhere, `acc[..., d]` beside
    `p @ v[..., d]`, is no product's inner pair)."""
    for key, other in ((first, second), (second, first)):
        line = builder.product_sizes.get(key)
        tensor = other.split(".size(", 1)[0]
        if line and (
            builder.product_sizes.get(other) == line or tensor in builder.product_operands[line]
        ):
            return line
    return None


def _host_name(builder: KernelBuilder, key: str) -> str:
    """A size's host name (`m` for x.size(0)), or the size itself where that name is `_`."""
    name = builder.host.name_for_key(key)
    return name if name and name != "_" else key


def tensor_check(builder: KernelBuilder) -> str:
    """`check_tensors(...)`: the launched tensors by name, the ranks the kernel assumes of
    those whose rank the host code does not fix, the first line computing with each loaded
    one (a bool there is refused); it returns the offsets' dtype."""
    ranks = {}
    for tensor, rank in builder.checked_ranks.items():
        like = builder.host.like.get(tensor)
        if builder.host.rank(tensor) is None and builder.checked_ranks.get(like) != rank:
            ranks[tensor] = rank
    for tensor, rank in builder.host.example_ranks.items():  # the code was made for these
        ranks.setdefault(tensor, rank)
    launched = [p.launch for p in builder.params.values() if p.kind == "tensor"]
    beside = {p for _, partners in builder.arithmetic_on.values() for p in partners or ()}
    noted = sorted(
        {*builder.arithmetic_on, *beside, *builder.factors_on, *builder.numbers_on}
        | {t for ops in builder.integers_on.values() for op in ops for side in op for t in side}
        | set(builder.floats_on)
        | {t for tensors in builder.float_math_on for t in tensors}
    )
    order = list(dict.fromkeys([*launched, *ranks, *noted]))  # the refusals' order
    named = _named(order)
    for p in builder.params.values():  # a tuple's tensors, each named by its place
        if p.kind == "tensors":
            each = f'**{{f"{p.name}[{{i}}]": t for i, t in enumerate({p.name})}}'
            named = f"{named[:-1]}, {each}}}" if named != "{}" else f"{{{each}}}"
    facts = [named]
    if ranks:
        facts.append(f"ranks={_named(ranks)}")
    # a bool tensor is refused by other checks already: a float product's factor by
    # `factors=` (floats and int8 only), the one tensor of a float function by `float_math=`
    floats_only = {names[0] for names in builder.float_math_on if len(names) == 1}
    unique = unimplied(builder.arithmetic_on, order, frozenset({*builder.factors_on, *floats_only}))
    if unique:
        noted_facts = {t: launch_fact(n) for t, n in unique.items()}
        facts.append(f"arithmetic={_named(noted_facts)}")
    if builder.factors_on:
        facts.append(f"factors={_named(dict(sorted(builder.factors_on.items())))}")
    facts += launch_facts(builder, _named)
    return f"check_tensors({', '.join(facts)})"


def broadcast_lines(
    builder: KernelBuilder, first: str, second: str, expanded: set[str]
) -> list[str]:
    """torch broadcasts a dimension of 1 against any size: a tensor the kernel only reads
    whose whole dimension meets another is expanded (stride 0) when that dimension is 1,
    so the launcher's size check holds and every lane reads the one element."""
    lines: list[str] = []
    written = stored_size_keys(builder)
    if written is None:
        return lines
    for own, other in ((first, second), (second, first)):
        match = _SIZE_KEY.fullmatch(own)
        if match is None or own in expanded or builder.host.name_for_key(own) or other.isdigit():
            continue
        tensor, dim = match.group(1), int(match.group(2))
        rank = builder.checked_ranks.get(tensor) or builder.host.rank(tensor)
        if (
            rank is None
            or tensor not in builder.tensor_names
            or tensor in builder.stored_tensors
            or tensor in builder.later_host_names
            or own in written  # an output's size: a store there would run past it
        ):
            continue
        size = builder.host.name_for_key(other) or other
        shape = ", ".join(size if d == dim else "-1" for d in range(rank))
        expanded.add(own)
        lines.append(f"{tensor} = {tensor}.expand({shape}) if {own} == 1 else {tensor}")
    return lines


def stored_size_keys(builder: KernelBuilder) -> set[str] | None:
    """The size keys of every dimension the kernel writes (None: a rank is unknown)."""
    keys = set()
    for tensor in builder.stored_tensors:
        rank = builder.checked_ranks.get(tensor) or builder.host.rank(tensor)
        if rank is None:
            return None
        keys |= {builder.host.size_key(tensor, dim) for dim in range(rank)}
    return keys


def _named(entries: list[str] | dict[str, object]) -> str:
    """`{"x": x, "y": y}` (or with values given: `{"x": 1}`)."""
    pairs = entries.items() if isinstance(entries, dict) else [(e, e) for e in entries]
    return "{" + ", ".join(f'"{name}": {value}' for name, value in pairs) + "}"
