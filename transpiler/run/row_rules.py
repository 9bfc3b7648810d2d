"""A row kernel's candidates derived from the kernel (RowFacts) and the device (Target): whole
rows, rows walked in chunks, and the user's own tile of rows x chunk, each fitting the device.

The rule (docs/architecture.md): a thread holds at least one 16-byte load of the row and its row
values (lanes x live values, one register each) take at most half of its registers, while a
program's row values take at most the SM's register file and its chunk tile with its lane-wise
accumulators half of it; rows per program stop where fewer than PROGRAMS_PER_SM programs per SM
remain, chunks give each thread two to four 16-byte loads, and a pipelined chunk loop's stages
fit the device's shared memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..analysis.targets.table import Target
from .row_facts import RowFacts

LOAD_BYTES = 16  # the widest load one thread issues (ld.global.v4, global_load_dwordx4)
CHUNK_LOADS = (2, 4)  # 16-byte loads a thread issues per chunk: the next waits on this one
PROGRAMS_PER_SM = 4  # more rows a program only while each SM still gets this many programs
CHUNK_ROWS = (1, 2, 4)  # rows a chunk loop walks at once (reduction_loops forms)
WARPS = (1, 2, 4, 8, 16, 32)
LARGEST_CHUNK = 8192  # lanes: wider chunks are whole rows in all but name
PIPELINE_STAGES = 3  # a pipelined chunk loop's stages: two chunks ahead in shared memory


def _powers(low: int, high: int) -> Iterator[int]:
    value = 1
    while value <= high:
        if value >= low:
            yield value
        value *= 2


def thread_registers(device: Target) -> int:
    """Registers one thread may be given: its limit rounded up to the allocation granule
    (255 on NVIDIA: 256)."""
    granule = device.register_granule
    return -(-device.max_registers_per_thread // granule) * granule


def load_lanes(facts: RowFacts) -> int:
    """Lanes of one 16-byte load of the row's elements."""
    return max(1, LOAD_BYTES // facts.element_bytes)


def most_rows(facts: RowFacts, device: Target) -> int:
    """Rows per program at most: each SM keeps PROGRAMS_PER_SM programs (unknown rows: 16)."""
    if facts.rows is None:
        return 16
    return max(1, facts.rows // (PROGRAMS_PER_SM * device.sms))


def whole_row_configs(facts: RowFacts, device: Target) -> list[tuple[int, int]]:
    """(rows per program, warps) holding whole rows, fewest rows first, then fewest warps."""
    live = facts.live_values
    high = thread_registers(device) // 2 // live  # lanes a thread holds
    kept = []
    for rows in _powers(1, most_rows(facts, device)):
        lanes_total = rows * facts.block
        if lanes_total * live > device.registers_per_sm:
            break
        # a row narrower than a warp's 16-byte loads: one load's lanes per thread at most
        low = min(load_lanes(facts), max(1, lanes_total // device.warp_size))
        for warps in WARPS:
            threads = warps * device.warp_size
            if threads <= device.max_threads_per_block and low <= lanes_total // threads <= high:
                kept.append((rows, warps))
    return kept


def chunk_sizes(facts: RowFacts, device: Target) -> list[int]:
    """Chunk lanes for a row walked in chunks: from one warp's two 16-byte loads a thread up to
    LARGEST_CHUNK, narrower than the row."""
    low = device.warp_size * load_lanes(facts) * CHUNK_LOADS[0]
    return [c for c in _powers(low, LARGEST_CHUNK) if c < facts.width]


def chunk_tile_fits(rows: int, chunk: int, facts: RowFacts, device: Target) -> bool:
    """A chunk tile's loads and lane-wise accumulators take at most half the SM's registers."""
    return rows * chunk * (facts.row_loads + facts.reductions) <= device.registers_per_sm // 2


def chunk_warps(lanes: int, facts: RowFacts, device: Target, fewest: int = 1) -> list[int]:
    """Warps at which each thread issues CHUNK_LOADS 16-byte loads of a `lanes` tile."""
    low, high = (load_lanes(facts) * n for n in CHUNK_LOADS)
    return [
        w for w in WARPS
        if fewest <= w and w * device.warp_size <= device.max_threads_per_block
        and low <= lanes // (w * device.warp_size) <= high
    ]  # fmt: skip


def chunk_forms(facts: RowFacts, device: Target) -> list[tuple[int, int, list[int]]]:
    """(rows, chunk, warps) of a row walked in chunks, widest chunks first per row count."""
    forms = []
    for rows in (r for r in CHUNK_ROWS if r <= most_rows(facts, device)):
        for chunk in reversed(chunk_sizes(facts, device)):
            if chunk_tile_fits(rows, chunk, facts, device):
                warps = chunk_warps(rows * chunk, facts, device)
                if warps:
                    forms.append((rows, chunk, warps))
    return forms


def pipelined_fits(rows: int, chunk: int, facts: RowFacts, device: Target) -> bool:
    """A chunk loop's PIPELINE_STAGES copies of its row loads fit one block's shared memory."""
    stages = PIPELINE_STAGES * rows * chunk * facts.element_bytes * facts.row_loads
    return stages <= device.shared_per_block - device.reserved_shared


def tiled_chunk_configs(facts: RowFacts, device: Target) -> list[dict[str, Any]]:
    """The user's own tile of rows walking the row in chunks (roles ["tile", "reduce"]): rows x
    chunk tiles at four warps or more (one per scheduler of an SM) whose threads issue two to
    four 16-byte loads, chunks from one warp's 16-byte loads to the row's block."""
    configs = []
    chunks = list(_powers(device.warp_size * load_lanes(facts), min(facts.block, LARGEST_CHUNK)))
    for rows in _powers(1, most_rows(facts, device)):
        for chunk in chunks:
            if chunk_tile_fits(rows, chunk, facts, device):
                for warps in chunk_warps(rows * chunk, facts, device, fewest=4):
                    configs.append({"block_sizes": [rows, chunk], "num_warps": warps})
    return sorted(
        configs, key=lambda c: (c["block_sizes"][0] * c["block_sizes"][1], c["num_warps"])
    )


def fits(config: dict[str, Any], facts: RowFacts, device: Target) -> bool:
    """Whether a row configuration (its block sizes' last the rows, `reduction_loops`'s chunk,
    num_warps, num_stages) fits the device: threads a block, registers a thread and an SM,
    shared memory of its pipelined stages."""
    warps = config.get("num_warps", 4)
    threads = warps * device.warp_size
    if threads > device.max_threads_per_block:
        return False
    rows = (config.get("block_sizes") or [1])[-1] or 1
    chunks = [c for c in config.get("reduction_loops") or [] if c]
    if not chunks:  # whole rows
        lanes = rows * facts.block
        return (
            lanes * facts.live_values <= device.registers_per_sm
            and lanes // threads * facts.live_values <= thread_registers(device) // 2
        )
    chunk = max(chunks)
    if not chunk_tile_fits(rows, chunk, facts, device):
        return False
    return "num_stages" not in config or pipelined_fits(rows, chunk, facts, device)
