"""The instruction mix of a compiled kernel, counted in its PTX or AMDGCN text (as data)."""

from __future__ import annotations

import re

# kind → patterns of the instructions counted as that kind (at the start of an instruction).
PTX_KINDS: dict[str, tuple[str, ...]] = {
    "wgmma": (r"wgmma\.mma_async",),
    "mma": (r"mma\.sync", r"mma\.sp"),
    "tcgen05": (r"tcgen05\.mma",),
    "global_loads": (r"ld\.global", r"ldg\b"),
    "global_stores": (r"st\.global",),
    "atomics": (r"atom\.", r"red\."),
    "tma_copies": (r"cp\.async\.bulk\.tensor", r"cp\.reduce\.async\.bulk\.tensor"),
    "async_copies": (r"cp\.async\.(ca|cg)\.",),
    "shared_loads": (r"ld\.shared", r"ldmatrix", r"tcgen05\.ld"),
    "shared_stores": (r"st\.shared", r"stmatrix", r"tcgen05\.st"),
    "barriers": (r"bar\.sync", r"barrier\.", r"bar\.arrive", r"mbarrier\.try_wait"),
}
AMDGCN_KINDS: dict[str, tuple[str, ...]] = {
    "mfma": (r"v_mfma_", r"v_smfmac_"),
    "wmma": (r"v_wmma_",),
    "global_loads": (r"global_load_", r"buffer_load_"),
    "global_stores": (r"global_store_", r"buffer_store_"),
    "atomics": (r"global_atomic_", r"buffer_atomic_"),
    "shared_loads": (r"ds_read", r"ds_load"),
    "shared_stores": (r"ds_write", r"ds_store"),
    "barriers": (r"s_barrier\b",),
}
TENSOR_CORE_KINDS = ("wgmma", "mma", "tcgen05", "mfma", "wmma")


def _compiled(kinds: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern]:
    return {
        kind: re.compile(r"^\s*(?:@!?%\w+\s+)?(?:" + "|".join(patterns) + ")")
        for kind, patterns in kinds.items()
    }


_PTX = _compiled(PTX_KINDS)
_AMDGCN = _compiled(AMDGCN_KINDS)


def kind_of(line: str, backend: str) -> str | None:
    """The kind of one instruction line of PTX ("cuda") or AMDGCN ("hip"), if it is counted."""
    for kind, pattern in (_PTX if backend == "cuda" else _AMDGCN).items():
        if pattern.match(line):
            return kind
    return None


def instruction_mix(asm: dict[str, str]) -> dict[str, int]:
    """Static counts per kind in the kernel's code (instructions, not executions: a loop body
    counts once), from its PTX or AMDGCN; kinds that never occur are left out."""
    if "ptx" in asm:
        text, kinds, comment = asm["ptx"], _PTX, "//"
    else:
        text, kinds, comment = asm.get("amdgcn", ""), _AMDGCN, ";"
    counts = dict.fromkeys(kinds, 0)
    for line in text.splitlines():
        line = line.split(comment, 1)[0]
        if not line.strip() or line.lstrip().startswith("."):
            continue
        for kind, pattern in kinds.items():
            if pattern.match(line):
                counts[kind] += 1
                break
    return {kind: count for kind, count in counts.items() if count}


def tensor_core_ops(mix: dict[str, int]) -> int:
    return sum(mix.get(kind, 0) for kind in TENSOR_CORE_KINDS)
