"""Looped-reduction candidates (config reduction_loops) for the autotuner and the default, and
the row kernels' space of forms (whole rows, rows x chunks) as row_rules derives them."""

from __future__ import annotations

from typing import Any

from ..analysis.targets.table import Target
from .row_facts import RowFacts
from .row_rules import PIPELINE_STAGES, chunk_forms, fits, pipelined_fits, whole_row_configs

# a row up to this many lanes is one block by default; wider rows are walked in chunks
WHOLE_ROW_LIMIT = 16384
# ... and the autotuner still times one block up to this many lanes
WHOLE_ROW_CANDIDATE_LIMIT = 32768
# chunk sizes a wide row may be walked in (a row kernel's space keeps those row_rules.
# chunk_sizes derives for the kernel and the device: one warp's two 16-byte loads a thread)
CHUNKS = (512, 1024, 2048, 4096, 8192)
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


def row_space(
    space: list[dict[str, Any]], widths: list[int], facts: RowFacts, device: Target,
    row_tiles: int = 1,
) -> list[dict[str, Any]]:  # fmt: skip
    """A row kernel's space (`space`: its whole-row configurations, `{"block_sizes": [..., rows],
    "num_warps": w}` from row_rules.whole_row_configs; `row_tiles` block sizes, the last the
    rows, none where the row tile is fixed at one row) with each form of its wide rows: whole rows where a block may hold the row, and
    the rows x chunk forms of row_rules.chunk_forms, each chunked form also pipelined where its
    stages fit shared memory. A row that fits one block by default (up to WHOLE_ROW_LIMIT
    lanes: read once, held in registers) has its whole-row configurations first; otherwise
    the forms take turns, so that a search cut short by its budget (or a "quick" one) has
    tried every form."""
    options = reduction_loop_candidates(widths)
    if len(options) < 2:
        return space
    template = [1] * row_tiles if row_tiles else None
    forms: list[list[dict[str, Any]]] = []
    whole = [o for o in options if all(chunk is None for chunk in o)]
    if whole:
        fixed = [{"num_warps": w} for r, w in whole_row_configs(facts, device) if r == 1]
        held = [
            {**config, "reduction_loops": whole[0]} for config in (space if row_tiles else fixed)
        ]
        forms.append([config for config in held if fits(config, facts, device)])
    looped = [o for o in options if any(c is not None for c in o)]
    offered = {c for o in looped for c in o if c is not None}
    for rows, chunk, warps in chunk_forms(facts, device):
        if chunk not in offered or (template is None and rows > 1):
            continue
        option = next(o for o in looped if chunk in o)
        sizes = {"block_sizes": [*template[:-1], rows]} if template else {}
        forms.append([{**sizes, "num_warps": w, "reduction_loops": option} for w in warps])
    # each chunked form also with its loads pipelined (the next chunks copied to shared memory
    # while this one reduces: bytes in flight without registers), at its fewest warps, taking
    # its turn right after its form's (a search cut short has timed both ways of each chunk)
    forms = [form for form in forms if form]
    paired = []
    for form in forms:
        paired.append(form)
        if any(form[0]["reduction_loops"]):
            chunk = max(c for c in form[0]["reduction_loops"] if c)
            if pipelined_fits(_rows(form[0]), chunk, facts, device):
                paired.append([{**form[0], "num_stages": PIPELINE_STAGES}])
    forms = paired
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
