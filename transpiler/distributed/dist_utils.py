"""Device code that meets the other ranks: a signal-pad barrier on Triton's system-scope atomics.

Helion's distributed examples import `symm_mem_sync` from `helion.runtime.triton.dist_utils`;
under `helion` → `transpiler` this module stands in for it (written here from Triton's documented
atomics, not taken from Helion). Generated modules get the function's source text
(`library.py`), so they stay standalone.

A signal pad is a zero-filled uint32 array per rank in symmetric memory (torch's
`rendezvous(...).signal_pad_ptrs_dev` holds the address of each rank's pad). Program `b` of
rank `r` owns slot `b * world_size + r` on every pad: it raises that slot on each peer's pad
from 0 to 1, then waits for each peer's slot on its own pad to be 1 and puts it back to 0, so
the pads are all zero again afterwards (a CUDA graph can replay the kernel).
"""

from __future__ import annotations

import triton
import triton.language as tl


@triton.jit
def symm_mem_sync(
    signal_pad_ptrs,
    block_id,
    rank: tl.constexpr,
    world_size: tl.constexpr,
    release: tl.constexpr = False,
    acquire: tl.constexpr = False,
):
    # Meet the program of the same block id on every rank of the group.
    # release: this program's earlier writes become visible to the peers that pass the barrier;
    # acquire: the peers' writes before their barrier are visible to this program's later reads.
    if block_id is None:
        block_id = tl.program_id(0) + tl.num_programs(0) * (
            tl.program_id(1) + tl.num_programs(1) * tl.program_id(2)
        )
    pads = signal_pad_ptrs.to(tl.pointer_type(tl.uint64))
    own_pad = tl.load(pads + rank).to(tl.pointer_type(tl.uint32))
    if release:
        tl.debug_barrier()  # every thread of the program has written before the signal goes
    for peer in tl.static_range(world_size):
        peer_pad = tl.load(pads + peer).to(tl.pointer_type(tl.uint32))
        slot = peer_pad + block_id * world_size + rank
        if release:  # 0 → 1; a slot still 1 is the previous signal, not yet taken: try again
            while tl.atomic_cas(slot, 0, 1, sem="release", scope="sys") != 0:
                pass
        else:
            while tl.atomic_cas(slot, 0, 1, sem="relaxed", scope="sys") != 0:
                pass
    for peer in tl.static_range(world_size):
        slot = own_pad + block_id * world_size + peer
        if acquire:  # 1 → 0: the peer's signal taken, the slot ready for the next barrier
            while tl.atomic_cas(slot, 1, 0, sem="acquire", scope="sys") != 1:
                pass
        else:
            while tl.atomic_cas(slot, 1, 0, sem="relaxed", scope="sys") != 1:
                pass
    if acquire:
        tl.debug_barrier()  # no thread reads before the signals have arrived
