"""Candidate configurations of a kernel, by what its tiles do: products, rows, plain tiles."""

from __future__ import annotations

from typing import Any

from ..analysis.targets.table import TARGETS, Target
from ..compile.lower.repeated_tiles import largest_block
from .row_facts import GENERIC_ROWS, RowFacts
from .row_rules import tiled_chunk_configs, whole_row_configs

# (BLOCK_M, BLOCK_N, BLOCK_K, num_warps, num_stages): shapes that suit Hopper's tensor cores,
# from large tiles (big products) to small (skinny ones); shared memory decides what compiles.
DOT_CONFIGS = [
    (128, 256, 64, 8, 3),
    (128, 128, 64, 8, 3),
    (128, 128, 64, 4, 4),
    (128, 64, 64, 4, 4),
    (64, 128, 64, 4, 4),
    (64, 64, 64, 4, 4),
    (128, 128, 32, 4, 4),
    (64, 256, 32, 4, 4),
    (128, 256, 64, 8, 4),
    (128, 128, 128, 8, 3),
]
# (block, num_warps) of element-wise tiles; 512 x 8 warps (two elements a thread) is what
# torch.compile's own tuning picks for a float32 add on an H100 (benchmarks/lab/add_variants.py)
TILE_CONFIGS = [(512, 4), (512, 8), (1024, 4), (2048, 4), (4096, 8), (1024, 8), (2048, 8)]
# a tile's block on several axes of one value (`x[tile, idx[tile]]`: [tile, tile]) holds at most
# the elements of the largest element-wise candidate: 64 lanes on two axes, 16 on three
SEARCH_ELEMENTS = max(block for block, _ in TILE_CONFIGS)
DOT_ROLES = ("mn", "k")  # a product's tiles: tl.dot wants 16 lanes or more
# Hopper variants of the first DOT_CONFIGS: tiles copied by TMA (`indexing`), and also one
# resident program per SM walking the tiles (`pid_type`), so the next tile's loads overlap this
# one's epilogue (benchmarks/lab/matmul_variants.py measured both on an H100)
DOT_VARIANTS = [
    {"pid_type": "persistent_interleaved", "indexing": "tensor_descriptor"},
    {"indexing": "tensor_descriptor"},
]
DOT_VARIANT_CONFIGS = 3
# (BLOCK_M, num_warps, num_stages) of a product with one tiled side, the other a whole
# dimension (se_block's `x[tile_m, :] @ w[:, :]`: N = 1024 lanes): a [M, N] float32
# accumulator takes M * N / (32 * warps) registers a thread, so M stays small
NARROW_DOT_CONFIGS = [(16, 4, 3), (16, 8, 2), (32, 8, 3), (32, 4, 2)]
# (BLOCK_M, BLOCK_N, num_warps, num_stages) of kernels whose two dot tiles are both "mn" (an
# outer tile of rows and an inner loop over keys: attention), tried first: the inner loop
# warp-specialized (producer warps load through TMA, consumer warps compute), which Triton
# 3.6 does on Hopper for loads through in-kernel descriptors (benchmarks/lab/
# attention_variants.py: 0.91-0.93x cuDNN's SDPA on an H100 at 128 x 128, 4 warps, 2 stages)
WARP_SPECIALIZED_CONFIGS = [(128, 128, 4, 2), (128, 64, 4, 2), (128, 128, 4, 1)]
# ... the first of them tried before all, with one resident program per SM walking the tiles
# (`pid_type`): attention_3d went from 2.096 ms (0.91x SDPA) to 1.918 ms (0.99x) in
# benchmarks/lab/attention_variants.py on an H100
WARP_SPECIALIZED_PID_TYPES = ["persistent_interleaved", "persistent_blocked"]


def candidates(
    tunables: tuple[tuple[str, str], ...],
    phases: tuple[int, ...] | None = None,
    rows: RowFacts | None = None,
    device: Target | None = None,
    axes: tuple[int, ...] = (),
) -> list[dict[str, Any]]:
    """Configurations for a kernel's tile block sizes (in config order), by what the tiles do.
    `phases`: how many of them each device loop has, for a kernel of several loops; `rows`
    and `device`: a row kernel's facts and the GPU its row candidates are derived for
    (row_rules; without them a 4,096-lane bf16 row on an H100 / H200); `axes`: per tunable,
    the most axes one value gives its block (BlockDefault.axes), each block capped by them."""
    configs = _by_roles(tunables, phases, rows, device)
    return _capped(configs, tunables, axes) if any(a > 1 for a in axes) else configs


def _capped(
    configs: list[dict[str, Any]], tunables: tuple[tuple[str, str], ...], axes: tuple[int, ...]
) -> list[dict[str, Any]]:
    """The configurations with each block on several axes of one value at most the lanes
    whose block holds SEARCH_ELEMENTS (a product's at least tl.dot's 16), each once."""
    caps = [
        None if count < 2 else max(largest_block(count, SEARCH_ELEMENTS), 16 * (role in DOT_ROLES))
        for (_, role), count in zip(tunables, axes)
    ]
    kept: list[dict[str, Any]] = []
    for config in configs:
        if "block_sizes" in config:
            sizes = config["block_sizes"]
            limits = [*caps, *[None] * (len(sizes) - len(caps))]
            config = {
                **config,
                "block_sizes": [
                    size if size is None or cap is None else min(size, cap)
                    for size, cap in zip(sizes, limits)
                ],
            }
        if config not in kept:
            kept.append(config)
    return kept


def _by_roles(
    tunables: tuple[tuple[str, str], ...],
    phases: tuple[int, ...] | None,
    rows: RowFacts | None,
    device: Target | None,
) -> list[dict[str, Any]]:
    """The candidates by the tiles' roles (`candidates`, before any cap)."""
    if phases is not None and len(phases) > 1:
        return _phase_candidates(tunables, phases)
    roles = [role for _, role in tunables]
    if not roles:
        return []
    if "mn" in roles or "k" in roles:
        configs: list[dict[str, Any]] = []
        if roles.count("mn") == 1:  # the product's other side is held whole
            configs += [
                {"block_sizes": [m if r == "mn" else 16 if r == "k" else 1 for r in roles],
                 "num_warps": warps, "num_stages": stages}
                for m, warps, stages in NARROW_DOT_CONFIGS
            ]  # fmt: skip
        if [r for r in roles if r != "batch"] == ["mn", "mn"]:  # attention, batched or not
            specialized = [
                {
                    "block_sizes": _with_batch_ones(roles, (block_m, block_n)),
                    "num_warps": warps,
                    "num_stages": stages,
                    "indexing": "tensor_descriptor",
                    "range_warp_specializes": [True],
                }
                for block_m, block_n, warps, stages in WARP_SPECIALIZED_CONFIGS
            ]
            configs += [
                {**specialized[0], "pid_type": pid_type} for pid_type in WARP_SPECIALIZED_PID_TYPES
            ]
            configs += specialized
        for index, (block_m, block_n, block_k, warps, stages) in enumerate(DOT_CONFIGS):
            mn = iter((block_m, block_n))
            sizes = [
                next(mn, block_n)
                if r == "mn"
                else block_k
                if r == "k"
                else 1  # a batch block of 1: 2-D dots (wgmma), not a 3-D one that spills
                if r == "batch"
                else 1
                for r in roles
            ]
            config: dict[str, Any] = {
                "block_sizes": sizes,
                "num_warps": warps,
                "num_stages": stages,
            }
            if roles.count("mn") == 2 and roles[:2] == ["mn", "mn"]:
                config["l2_groupings"] = [8]
            configs.append(config)
            if "k" in roles and index < DOT_VARIANT_CONFIGS:  # early: within the budget
                configs.extend({**config, **variant} for variant in DOT_VARIANTS)
        return configs
    facts, target = rows or GENERIC_ROWS, device or TARGETS["sm_90"]
    if roles and set(roles) == {"rows"}:  # tiles of [b, m] rows: the last takes the rows
        ones = [1] * (len(roles) - 1)
        return [
            {"block_sizes": [*ones, count], "num_warps": warps}
            for count, warps in whole_row_configs(facts, target)
        ]
    if roles == ["tile", "reduce"]:  # the user's tile of rows, walking the row in chunks
        return tiled_chunk_configs(facts, target)
    if roles == ["tile"]:
        return [{"block_sizes": [size], "num_warps": warps} for size, warps in TILE_CONFIGS]
    return []  # several plain tiles: the defaults stand


def _with_batch_ones(roles: list[str], sizes: tuple[int, ...]) -> list[int]:
    """Block sizes in config order: `sizes` for the non-batch tiles, 1 for each batch tile (a
    batch of one is squeezed: 2-D dots and 2-D descriptors)."""
    given = iter(sizes)
    return [1 if role == "batch" else next(given) for role in roles]


def _phase_candidates(
    tunables: tuple[tuple[str, str], ...], phases: tuple[int, ...]
) -> list[dict[str, Any]]:
    """A kernel of several device loops (phases, e.g. between hl.barrier() calls): its i-th
    configuration joins each loop's i-th candidate (a loop with fewer repeats its last), block
    sizes in loop order; the launches share the most warps and stages any of them asks for.
    A loop without candidates (several plain tiles) gets None block sizes: its defaults stand."""
    per_phase, start = [], 0
    for count in phases:
        own = tunables[start : start + count]
        start += count
        if own:
            # one launch per loop: the Hopper variants (one kernel's structure) are not joined
            hopper = {"pid_type", "indexing", "range_warp_specializes"}
            own_configs = [c for c in candidates(own) if not c.keys() & hopper]
            per_phase.append(own_configs or [{"block_sizes": [None] * count}])
    if not any("num_warps" in configs[0] for configs in per_phase):
        return []  # no loop has candidates: the defaults stand
    joined = []
    for index in range(max(map(len, per_phase))):
        picks = [configs[min(index, len(configs) - 1)] for configs in per_phase]
        config: dict[str, Any] = {"block_sizes": [b for p in picks for b in p["block_sizes"]]}
        for option in ("num_warps", "num_stages"):
            values = [p[option] for p in picks if option in p]
            if values:
                config[option] = max(values)
        groupings = [p["l2_groupings"] for p in picks if "l2_groupings" in p]
        if groupings:
            config["l2_groupings"] = groupings[0]
        if config not in joined:
            joined.append(config)
    return joined
