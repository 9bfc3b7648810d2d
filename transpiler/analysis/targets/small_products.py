"""Matrix products that Triton's compiler made itself, of a K too small for a GPU's.

Triton's combine pass turns `tl.sum(a[:, :, None] * b[None, :, :], axis=1)` into a `tt.dot`
whatever K is (it checks M and N only). tl.dot itself takes K of 16 or more; an H100 computed
the combined product of K 1 wrong (2026-12-06, benchmarks/lab/gpu_wrong_products.py), right in
the interpreter. A compile whose TTIR holds such a product is refused as a compile error at the
generated line (and so the user's): lowering never writes one, so one found is a lowering bug."""

from __future__ import annotations

import re

MIN_K = 16  # tl.dot's own least K
_DOT = re.compile(
    r"tt\.dot [^\n]*?: tensor<(\d+)x(\d+)x[^>]*> \* tensor<\d+x(\d+)x[^>]*>[^\n]*?loc\((#loc\d*)\)"
)
_LOC = re.compile(r"^(#loc\d*) = loc\((.*)\)$", re.M)
_FILE_LINE = re.compile(r'^"[^"]*":(\d+):\d+$')
_CALLSITE = re.compile(r"^callsite\((#loc\d*) at (#loc\d*)\)$")
_NAMED = re.compile(r'^"[^"]*"\((#loc\d*)\)$')


def small_products(ttir: str) -> list[tuple[int, int, int, int | None]]:
    """Each tt.dot of K under MIN_K in `ttir`: (M, K, N, its line in the generated module)."""
    locations = dict(_LOC.findall(ttir))
    found = []
    for m, k, n, loc in _DOT.findall(ttir):
        if int(k) < MIN_K:
            found.append((int(m), int(k), int(n), _line(loc, locations)))
    return found


def _line(loc: str, locations: dict[str, str], depth: int = 0) -> int | None:
    """The generated module's line of `loc`: a call site's line where the product sits in a
    helper (the kernel's line that called it), a named value's own location."""
    text = locations.get(loc)
    if text is None or depth > 32:
        return None
    if match := _FILE_LINE.match(text):
        return int(match[1])
    if match := _CALLSITE.match(text):
        return _line(match[2], locations, depth + 1)
    if match := _NAMED.match(text):
        return _line(match[1], locations, depth + 1)
    return None
