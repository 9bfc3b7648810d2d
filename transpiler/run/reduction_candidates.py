"""Looped-reduction candidates (config reduction_loops) for the autotuner and the default."""

from __future__ import annotations

# a row up to this many lanes is one block by default; wider rows are walked in chunks
WHOLE_ROW_LIMIT = 16384
# ... and the autotuner still times one block up to this many lanes
WHOLE_ROW_CANDIDATE_LIMIT = 32768
# chunk sizes tried for wide rows: 16-byte loads per thread at 4-16 warps (bf16 / fp32)
CHUNKS = (1024, 2048, 4096)
DEFAULT_CHUNK = 4096


def reduction_loop_candidates(widths: list[int]) -> list[list[int | None]]:
    """`reduction_loops` values worth timing for a kernel whose whole dimensions (in the order
    lowering meets them) are `widths` long: one block where the row fits, chunks where it is
    wider than a few thousand lanes. The first is the default."""
    if not widths:
        return []
    options: list[list[int | None]] = [[]]
    for width in widths:
        choices: list[int | None] = [None] if width <= WHOLE_ROW_CANDIDATE_LIMIT else []
        if width > 2048:
            choices += [c for c in CHUNKS if c < width]
        options = [[*option, choice] for option in options for choice in choices]
    # a device loop walks one whole dimension in chunks: candidates loop at most one (and
    # the default)
    kept = [o for o in options if sum(c is not None for c in o) <= 1]
    default = default_loops(widths)
    return kept if default in kept else [default, *kept]


def default_loops(widths: list[int]) -> list[int | None]:
    """The default: whole rows, each row too wide for one block in chunks (a device loop walks
    one dimension in chunks: two wide rows in one loop are a ReductionLoopError)."""
    return [DEFAULT_CHUNK if width > WHOLE_ROW_LIMIT else None for width in widths]


def whole_widths(sizes: tuple[str, ...], names: list[str], args: tuple) -> list[int] | None:
    """The lengths of a kernel's whole dimensions (`x.size(1)`) for these arguments (None
    where one cannot be read from them)."""
    scope = dict(zip(names, args))
    widths = []
    for size in sizes:
        tensor, _, rest = size.partition(".size(")
        dim = rest.rstrip(")")
        value = scope.get(tensor)
        if not rest or value is None or not hasattr(value, "size") or not dim.lstrip("-").isdigit():
            return None
        widths.append(int(value.size(int(dim))))
    return widths


def with_reduction_loops(space: list[dict], widths: list[int]) -> list[dict]:
    """Each configuration of `space` once per `reduction_loops` candidate for these widths, the
    default's first (for the autotuner: Transpiled.whole_sizes and whole_widths give widths)."""
    options = reduction_loop_candidates(widths)
    if not options:
        return list(space)
    first = default_loops(widths)
    options.sort(key=lambda option: option != first)
    return [{**config, "reduction_loops": option} for option in options for config in space]
