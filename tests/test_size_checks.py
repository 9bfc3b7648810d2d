"""The launcher's size checks, one per fact: the sizes one reach needs, the sizes the kernel
combines (lower/size_checks.py), each message naming every size it checks."""

from __future__ import annotations

import pytest

from transpiler.compile.lower.size_checks import equal_checks, reach_check

COMBINES = "the kernel combines them element-wise"

# (pairs of sizes the kernel combines, the require lines)
EQUAL = [
    (  # one pair: as it always was
        [("x.size(1)", "n")],
        [f'require(x.size(1) == n, lambda: "x.size(1) and n must be equal: {COMBINES}")'],
    ),
    (  # two pairs sharing n: one check, each against n
        [("bias.size(0)", "n"), ("weight.size(0)", "n")],
        [
            "require(bias.size(0) == n and weight.size(0) == n, "
            f'lambda: "bias.size(0) and weight.size(0) must equal n: {COMBINES}")'
        ],
    ),
    (  # the shared size first in one pair, last in the other: still the one compared against
        [("k.size(2)", "d"), ("d", "v.size(2)")],
        [
            "require(k.size(2) == d and v.size(2) == d, "
            f'lambda: "k.size(2) and v.size(2) must equal d: {COMBINES}")'
        ],
    ),
    (  # a tie: the host name before a tensor's size
        [("a.size(0)", "b.size(0)"), ("a.size(0)", "m")],
        [
            "require(b.size(0) == a.size(0) and m == a.size(0), "
            f'lambda: "b.size(0) and m must equal a.size(0): {COMBINES}")'
        ],
    ),
    (  # a later pair joins two groups (in the first's place); a pair of its own stays apart
        [("a", "b"), ("c", "d"), ("e", "f"), ("b", "c")],
        [
            f'require(a == b and c == b and d == b, lambda: "a, c and d must equal b: {COMBINES}")',
            f'require(e == f, lambda: "e and f must be equal: {COMBINES}")',
        ],
    ),
]


@pytest.mark.parametrize(("pairs", "expected"), EQUAL)
def test_sizes_the_kernel_combines_one_check_per_group(pairs, expected) -> None:
    assert equal_checks(pairs) == expected


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        (["y.size(0)"], 'require(y.size(0) >= k, lambda: "y.size(0) must be at least k: '),
        (
            ["x.size(0)", "y.size(0)", "z.size(1)"],
            'require(min(x.size(0), y.size(0), z.size(1)) >= k, lambda: "x.size(0), y.size(0) '
            "and z.size(1) must be at least k: ",
        ),
    ],
)
def test_sizes_one_reach_needs_one_check(sizes, expected) -> None:
    assert reach_check(sizes, "k") == expected + 'the tiles reach that far")'
