"""The shared memory a candidate's pipelined matrix products need at least, from the kernel's
loads and the target, so that the search drops a candidate the device cannot hold before
paying for its compile (attention's key and value tiles as much as a matmul's operands)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..analysis.perf.cost import Access, Dim, KernelWork, Work
from ..analysis.targets.table import Target
from ..compile.lower.split_k import too_wide_to_hold

Estimate = Callable[[dict[str, Any]], int]  # a configuration → bytes at least


def pipeline_buffers(target: Target, stages: int) -> int:
    """Copies of each operand tile loaded in a pipelined loop that Triton 3.6 keeps in shared
    memory, as compiling a matmul and an attention at 1 to 4 stages shows (tests/
    test_shared_estimate.py): one per stage from Hopper on (TMA and wgmma read shared memory),
    one fewer before it (cp.async keeps the stage in use in registers) and on AMD, whose
    pipeliner also falls back to one buffer at 4 stages or more (attention's two products)
    and keeps a single stage's operands in registers."""
    if target.backend == "cuda" and isinstance(target.arch, int) and target.arch >= 90:
        return stages
    if target.backend == "cuda":
        return max(1, stages - 1)
    return max(0, stages - 1) if stages <= 3 else 1


def operand_loads(work: KernelWork) -> list[Access]:
    """Loads of two or more dimensions that a matrix product reads: every dimension of the
    load is one of the product's, the contracted one among them."""

    def same(dim: Dim) -> tuple:
        return (dim.tile, dim.block_of) if dim.tile or dim.block_of else ("whole", dim.size)

    def reads(access: Access, dot: Work) -> bool:
        mine = {same(d) for d in access.dims if not d.is_one}
        return len(mine) >= 2 and same(dot.dims[-1]) in mine and mine <= {same(d) for d in dot.dims}

    dots = [w for w in work.work if w.dot]
    return [a for a in work.accesses if not a.store and any(reads(a, d) for d in dots)]


def shared_estimate(work: KernelWork, target: Target, chunks_k: bool = True) -> Estimate:
    """bytes(config): the operand tiles each inner loop loads, times the buffers the target's
    pipeliner keeps at the config's stages, for the loop needing most (loops one after another
    may reuse the memory; not counted: tiles loaded outside any inner loop or not aligned
    (_aligned), and, where the kernel's lowering may take a product in chunks of K
    (`chunks_k`: Transpiled.chunks_k), a loop whose product it may chunk: then only the
    chunks are pipelined)."""
    loads = operand_loads(work)
    dots = [w for w in work.work if w.dot]
    widest = max((access.element_size for access in loads), default=4)  # (float64: 8)

    def estimate(config: dict[str, Any]) -> int:
        if not loads:
            return 0
        blocks = work.block_sizes(list(config.get("block_sizes") or []))
        chunked = {
            _inner(work, dot.loops)
            for dot in dots
            if chunks_k and _may_chunk(work, dot, blocks, widest)
        }
        per_loop: dict[str, int] = {}
        for access in loads:
            inner = _inner(work, access.loops)
            if inner is None or inner in chunked or not _aligned(work, access):
                continue
            elements = 1
            for dim in access.dims:
                elements *= _extent(work, dim, blocks)
            per_loop[inner] = per_loop.get(inner, 0) + elements * access.element_size
        buffers = pipeline_buffers(target, int(config.get("num_stages", 2)))
        return buffers * max(per_loop.values(), default=0)

    return estimate


def _inner(work: KernelWork, loops: tuple[str, ...]) -> str | None:
    """The innermost loop of `loops` that is not one of the program's own tiles."""
    inner = [key for key in loops if not work.loops[key].outer]
    return inner[-1] if inner else None


def _aligned(work: KernelWork, access: Access) -> bool:
    """The load's last (contiguous) dimension a multiple of 16 elements: Triton then knows its
    rows and masks aligned and copies it asynchronously, one buffer a stage (a ragged one,
    `n = 50`, it loads into registers first and keeps one buffer, or none)."""
    last = access.dims[-1]
    key = last.tile or last.block_of
    return (work.loops[key].extent if key is not None else last.size) % 16 == 0


def _may_chunk(work: KernelWork, dot: Work, blocks: dict[str, int], element_size: int) -> bool:
    """A product over a whole K (`q @ k.T` over the head dimension) whose operands the lowering
    takes in chunks of K at these blocks (lower/split_k.py's test, at the operands' widest
    element size)."""
    m, n, k = dot.dims[-3:] if len(dot.dims) >= 3 else (Dim(), *dot.dims[-2:])
    if k.tile is not None or k.block_of is not None:
        return False
    sizes = [_extent(work, dim, blocks) for dim in (m, n, k)]
    return too_wide_to_hold(*sizes, element_size)


def _extent(work: KernelWork, dim: Dim, blocks: dict[str, int]) -> int:
    """A tile's length along one dimension: its block, or the whole dimension's power of two."""
    key = dim.tile or dim.block_of
    if key is not None:
        return work._block(key, blocks)
    return 1 << max(0, dim.size - 1).bit_length()
