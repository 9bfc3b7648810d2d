"""Device code that meets the other ranks: a signal-pad barrier and a flag wait on Triton's atomics.

Helion's distributed examples import `symm_mem_sync` from `helion.runtime.triton.dist_utils`
and `triton_wait_signal` from `helion.runtime.triton.helpers`; under `helion` → `transpiler`
this module stands in for both (written here from Triton's documented atomics, not taken from
Helion). Generated modules get the functions' source text (`library.py`), so they stay
standalone.

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


@triton.jit
def triton_wait_signal(
    addr,
    expect: tl.constexpr,
    update: tl.constexpr,
    sem: tl.constexpr,
    scope: tl.constexpr,
    op: tl.constexpr,
    skip_sync: tl.constexpr,
    sync_before: tl.constexpr = False,
):
    # Spin until the flag at `addr` holds `expect`. op="ld" reads it (an atomic add of 0, so
    # that the read has `sem` ordering at `scope`); op="atomic_cas" also swaps in `update`.
    # Then every thread of the program waits for the one that saw it, unless skip_sync.
    tl.static_assert(op == "ld" or op == "atomic_cas", "op is 'ld' or 'atomic_cas'")
    if sync_before:
        tl.debug_barrier()
    if op == "ld":
        seen = tl.atomic_add(addr, 0, sem=sem, scope=scope)
        while seen != expect:
            seen = tl.atomic_add(addr, 0, sem=sem, scope=scope)
    else:
        seen = tl.atomic_cas(addr, expect, update, sem=sem, scope=scope)
        while seen != expect:
            seen = tl.atomic_cas(addr, expect, update, sem=sem, scope=scope)
    if not skip_sync:
        tl.debug_barrier()
