"""The launcher's size checks written one per fact a person would state: the sizes one reach
needs (`min(k.size(0), v.size(0)) >= batch`), the sizes the kernel combines (`bias.size(0) == n
and weight.size(0) == n`), each message naming every size it checks."""

from __future__ import annotations

from collections import Counter


def _listed(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def reach_check(sizes: list[str], reach: str, ranged: tuple[str, str] | None = None) -> str:
    """`require(...)` that each of `sizes` is at least `reach`: one check for them all. `ranged`:
    `reach` ends a loop from one size to another (`hl.tile(m, n)`, its line and the 2-D spelling
    likely meant), which the message names with the fix."""
    least = sizes[0] if len(sizes) == 1 else f"min({', '.join(sizes)})"
    message = f"{_listed(sizes)} must be at least {reach}: the tiles reach that far"
    if ranged:  # was: the bare reach, no line and no fix
        loop, tiles = ranged
        message = (
            f"{loop}, past {_listed(sizes)} here ({message}); {tiles} tiles both dimensions, "
            "or keep the loop's begin and end within the tensor"
        )
    return (
        f"require({least} >= {reach}, lambda: {message!r})"
        if ranged
        else (f'require({least} >= {reach}, lambda: "{message}")')
    )


def equal_checks(pairs: list[tuple[str, str]]) -> list[str]:
    """`require(...)` lines that the sizes of each pair are equal: one per group of sizes the
    pairs join (`bias.size(0) == n`, `weight.size(0) == n`: one check, each against the size
    most pairs name, a host name before a tensor's size: `... must equal n`),
    in the order of each group's first pair."""
    groups: list[list[tuple[str, str]]] = []
    for pair in pairs:
        touched = [g for g in groups if any(set(pair) & set(p) for p in g)]
        if not touched:
            groups.append([pair])
            continue
        for other in touched[1:]:  # the pair joins two groups: the later one into the first
            touched[0].extend(other)
            groups = [g for g in groups if g is not other]
        touched[0].append(pair)
    checks = []
    for group in groups:
        if len(group) == 1:
            a, b = group[0]
            message = f"{a} and {b} must be equal: the kernel combines them element-wise"
            checks.append(f'require({a} == {b}, lambda: "{message}")')
            continue
        named = Counter(size for pair in group for size in pair)
        root = max(named, key=lambda size: (named[size], "(" not in size))
        others = [size for size in dict.fromkeys(s for p in group for s in p) if size != root]
        test = " and ".join(f"{size} == {root}" for size in others)
        message = f"{_listed(others)} must equal {root}: the kernel combines them element-wise"
        checks.append(f'require({test}, lambda: "{message}")')
    return checks
