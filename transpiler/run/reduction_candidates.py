"""Looped-reduction candidates (config reduction_loops) for the autotuner and the default, and
the row kernels' space of forms (whole rows, rows x chunks) at the warps each form fits."""

from __future__ import annotations

from typing import Any

# a row up to this many lanes is one block by default; wider rows are walked in chunks
WHOLE_ROW_LIMIT = 16384
# ... and the autotuner still times one block up to this many lanes
WHOLE_ROW_CANDIDATE_LIMIT = 32768
# chunk sizes tried for wide rows: 16-byte loads per thread at 1-32 warps (bf16 / fp32)
CHUNKS = (1024, 2048, 4096, 8192)
DEFAULT_CHUNK = 4096
# a row tile's chunk (rows x chunk lanes) holds at most this many lanes: more rows a program
# put more bytes in flight per load, at the registers of their lane-wise accumulators
TILE_LANES = 8192
ROW_COUNTS = (1, 2, 4)
# lanes of one block each thread holds: whole rows from 4 (fewer leaves threads idle on the
# shuffles) to 64 (more spills); a chunk two to four 16-byte loads of 2-byte elements (the
# next chunk's loads wait on this one's reductions: each thread's loads must be wide)
WHOLE_LANES_PER_THREAD = (4, 64)
CHUNK_LANES_PER_THREAD = (16, 32)
WARPS = (1, 2, 4, 8, 16, 32)
PIPELINE_STAGES = 3  # a chunk loop's stages where it is pipelined: two chunks ahead


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


def row_space(
    space: list[dict[str, Any]], widths: list[int], warp_size: int, max_threads: int
) -> list[dict[str, Any]]:
    """A row kernel's space (`space`: its row configurations, `{"block_sizes": [..., rows],
    "num_warps": w}`, or none where the row tile is fixed at one row) with each form of its
    wide rows: whole rows at the configurations whose threads hold 4-64 lanes each, chunks of
    CHUNKS lanes for 1, 2 or 4 rows at the warps that give each thread 16-32 lanes of a chunk
    (warp_size and max_threads: the device's). A row that fits one block by default (up to
    WHOLE_ROW_LIMIT lanes: read once, held in registers) has its whole-row configurations
    first; otherwise the forms take turns, so that a search cut short by its budget (or a
    "quick" one) has tried every form."""
    options = reduction_loop_candidates(widths)
    if len(options) < 2:
        return space
    template = space[0]["block_sizes"] if space else None
    forms: list[list[dict[str, Any]]] = []
    for option in options:
        if all(chunk is None for chunk in option):
            lanes = _block_lanes(option, widths)
            configs = space or [{}]
            forms.append([
                {**config, "num_warps": warps, "reduction_loops": option}
                for config in configs
                for warps in _warps(lanes * _rows(config), WHOLE_LANES_PER_THREAD, warp_size,
                                    max_threads, config.get("num_warps"))
            ])  # fmt: skip
    looped = [o for o in options if any(c is not None for c in o)]
    for rows in ROW_COUNTS if template else (1,):
        for option in sorted(looped, key=lambda o: -_block_lanes(o, widths)):
            lanes = rows * _block_lanes(option, widths)
            if lanes > TILE_LANES:
                continue
            sizes = {"block_sizes": [*template[:-1], rows]} if template else {}
            warps = _warps(lanes, CHUNK_LANES_PER_THREAD, warp_size, max_threads)
            forms.append([{**sizes, "num_warps": w, "reduction_loops": option} for w in warps])
    # each chunked form also with its loads pipelined (the next chunks copied to shared memory
    # while this one reduces: bytes in flight without registers), at its fewest warps
    chunked = [form for form in forms if form and any(form[0]["reduction_loops"])]
    forms += [[{**form[0], "num_stages": PIPELINE_STAGES}] for form in chunked]
    forms = [form for form in forms if form]
    if forms and max(widths) <= WHOLE_ROW_LIMIT and "reduction_loops" in forms[0][0]:
        if all(c is None for c in forms[0][0]["reduction_loops"]):  # the whole row first
            return forms[0] + _in_turns(forms[1:])
    return _in_turns(forms)


def _in_turns(forms: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The forms' first configurations, then their second ones, and so on."""
    deepest = max(map(len, forms), default=0)
    return [form[i] for i in range(deepest) for form in forms if i < len(form)]


def _rows(config: dict[str, Any]) -> int:
    sizes = config.get("block_sizes") or [1]
    return sizes[-1] if isinstance(sizes[-1], int) else 1


def _block_lanes(option: list[int | None], widths: list[int]) -> int:
    """The lanes of a row a program holds at once: its chunk, or the whole row's block."""
    blocks = [
        c if c is not None else 1 << max(w - 1, 0).bit_length() for c, w in zip(option, widths)
    ]
    return max(blocks, default=1)


def _warps(
    lanes: int, per_thread: tuple[int, int], warp_size: int, max_threads: int,
    only: int | None = None,
) -> list[int]:  # fmt: skip
    """Warps at which each thread holds `per_thread` (low, high) of `lanes` (only `only`,
    where a configuration names its warps), fewest threads first."""
    low, high = per_thread
    fitting = [
        w for w in WARPS
        if w * warp_size <= max_threads and low <= lanes // (warp_size * w) <= high
    ]  # fmt: skip
    return [w for w in fitting if only is None or w == only]
