"""The tidy steps over generated lines: a table of lines each step leaves alone, and a table of
(lines in, lines out); then the facts every generated module keeps."""

from __future__ import annotations

import ast
import math
import textwrap

import pytest
import torch
from helpers import dot_tolerance, on_device

import transpiler
from transpiler.compile.emit.lines import Line
from transpiler.compile.emit.prelude import HELPERS, HOST_HELPERS
from transpiler.compile.emit.tidy import STEPS
from transpiler.compile.emit.tidy.helpers import needed_helpers
from transpiler.compile.emit.tidy.imports import read_imports, tidy_imports
from transpiler.compile.emit.wrap import wrap
from transpiler.compile.lower.argument_checks import ARGUMENT_HELPERS
from transpiler.compile.lower.shared_memory import SHARED_MEMORY_HELPERS
from transpiler.reference.mode import reference_function
from transpiler.run.runtime import load_module

STEP = {name: step for name, step, _ in STEPS}


def lines(*texts: str | tuple[int, str]) -> list[Line]:
    """Lines at depth 1 (or the depth given), each citing source line 7."""
    return [Line(*t, 7) if isinstance(t, tuple) else Line(1, t, 7) for t in texts]


def texts(got: list[Line]) -> list[tuple[int, str]]:
    return [(line.depth, line.text) for line in got]


def launchers(code: str, stem: str) -> dict:
    """A generated module's functions by name, each called with its tensors on DEVICE: loaded
    from a file, as Triton's GPU compiler reads a @triton.jit function's source from one."""
    module = load_module(code, stem=stem)
    return {name: on_device(value) for name, value in vars(module).items() if callable(value)}


UNPACK_X = 'check_tensors({"x": x}, ranks={"x": 2}, why="line 7 unpacks its sizes into 2 names")'
UNPACK_Y = 'check_tensors({"y": y}, ranks={"y": 2}, why="line 7 unpacks its sizes into 2 names")'

NOOP = [
    # a short line keeps its nested reduction; a long one keeps those a branch or `and` guards
    ("name_nested_reductions", ["y = x * tl.sum(x, axis=1)"]),
    (
        "name_nested_reductions",
        [
            "qk_max = tl.maximum(m_i, max_nan(tl.where(mask_n[None, :], qk_unscaled, float('-inf')),"
            " axis=1) * qk_scale if QK_SCALE_POSITIVE else max_nan(qk, axis=1))"
        ],
    ),
    (
        "name_nested_reductions",
        [
            "keep = FLAG and tl.sum(tl.where(mask_n[None, :], x_tile * x_tile, 0), axis=1) > 0.5 and FLAG_2"
        ],
    ),
    # a grid of two axes reads its program index twice: it keeps its name
    (
        "inline_program_ids",
        [
            "pid = tl.program_id(0).to(INDEX_DTYPE)",
            "pid_m = pid // tl.cdiv(n, BLOCK_N)",
            "pid_n = pid % tl.cdiv(n, BLOCK_N)",
        ],
    ),
    # read as an attribute's or a keyword's name only: no read of the index to replace
    ("inline_program_ids", ["pid = tl.program_id(0)", "x = a.pid * 2"]),
    ("inline_program_ids", ["pid = tl.program_id(0)", "x = f(pid=3)"]),
    # read inside a loop below it (another depth): kept where the loop can see it once
    ("inline_program_ids", ["row = tl.program_id(0)", (2, "acc += tl.load(p + row)")]),
    # read where it would make the line too long
    (
        "inline_program_ids",
        [
            "pid_m = tl.program_id(0).to(INDEX_DTYPE)",
            "offs_m = pid_m * BLOCK_ROWS_OF_THE_MATRIX + tl.arange(0, BLOCK_ROWS_OF_THE_MATRIX)",
        ],
    ),
    # a size from an expression, or another name's number: each on its own line
    ("joined_blocks", ["BLOCK_N = triton.next_power_of_2(n)", "BLOCK_M = 4"]),
    ("joined_blocks", ["num_warps = 4", "BLOCK_M = 4", "GROUP = 8"]),
    # a store's value that is not upcast: nothing to cancel
    ("cancel_store_casts", ["tl.store(p, x.to(p.dtype.element_ty), mask=mask)"]),
    # upcast_half of a load is the arithmetic's float32, not a store's cast
    ("cancel_store_casts", ["x_tile = upcast_half(tl.load(p, mask=mask))"]),
    # two different casts are both meant
    ("repeated_casts", ["y = x.to(tl.float32).to(tl.int32)"]),
    ("repeated_casts", ["y = upcast_half(x) + upcast_half(z)"]),
    # a mask used once stays where it is
    ("name_shared_masks", ["tl.store(p, v, mask=mask_m[:, None] & mask_n[None, :])"]),
    # the second use is outside the first one's block (depth 1 → 0)
    (
        "name_shared_masks",
        [
            (2, "a = tl.load(p, mask=mask_m & mask_n)"),
            (1, "b = 1"),
            (2, "tl.store(q, a, mask=mask_m & mask_n)"),
        ],
    ),
    # a part of the mask is assigned between its uses: each use means its own value
    (
        "name_shared_masks",
        [
            "a = tl.load(p, mask=mask_k & mask_n)",
            "mask_k = offs_k < k",
            "tl.store(q, a, mask=mask_k & mask_n)",
        ],
    ),
    # read as arithmetic once: the upcast is the arithmetic's float32
    (
        "upcast_then_cast",
        ["x_tile = upcast_half(tl.load(p))", "row = x_tile.to(tl.float32) + x_tile"],
    ),
    # a loop header reads it: left alone
    (
        "upcast_then_cast",
        ["n_tile = upcast_half(tl.load(p))", "for i in range(n_tile.to(tl.int32)):"],
    ),
    ("self_assignments", ["chunk = chunk + 1", "a, b = b, a", "x = y"]),
    # pointers read twice: named once
    ("inline_pointers", ["x_ptrs = x_ptr + offs", "a = tl.load(x_ptrs)", "tl.store(x_ptrs, a)"]),
    # a name the sum reads is rebound before the access: the access means the old value
    ("inline_pointers", ["x_ptrs = x_ptr + offs", "offs = offs + 1", "a = tl.load(x_ptrs)"]),
    # read inside an expression, not as an argument: left named
    ("inline_pointers", ["x_ptrs = x_ptr + offs", "a = tl.load(x_ptrs + 1)"]),
    # read in a deeper block (a loop's body): computed once, outside it (a numbered name too)
    ("inline_pointers", ["x_ptrs_2 = x_ptr + offs", (2, "a = tl.load(x_ptrs_2)")]),
    # the access would grow past the line width
    (
        "inline_pointers",
        [
            "x_ptrs = x_ptr + offs_m[:, None] * x_stride_0 + offs_n[None, :] * x_stride_1",
            "x_tile = upcast_half(tl.load(x_ptrs, mask=mask_m[:, None] & mask_n[None, :]))",
        ],
    ),
    # an f-string message stays lazy; a message already plain stays plain
    # a keyword or a splatted argument: which one is the message is not sure, left to require
    ("checks_as_raises", ['require(n > 0, message="n > 0")', "require(*checks)"]),
    # a require inside an expression, and another function's call
    ("checks_as_raises", ["ok = require(n > 0, 'n')", 'check_number("eps", eps)']),
    # one flag; flags apart (a line between, another depth); comments that differ
    ("joined_flags", ["EVEN_M = m % BLOCK_M == 0  # whole tiles: no masks"]),
    ("joined_flags", ["EVEN_M = m % BLOCK_M == 0", "grid = (1,)", "EVEN_N = n == BLOCK_N"]),
    ("joined_flags", ["EVEN_M = m % BLOCK_M == 0", (2, "EVEN_N = n == BLOCK_N")]),
    ("joined_flags", ["EVEN_M = m % BLOCK_M == 0  # a", "EVEN_N = n == BLOCK_N  # b"]),
    # the second test reads the first flag: it needs the first set before it
    ("joined_flags", ["EVEN_M = m % BLOCK_M == 0", "EVEN_N = EVEN_M and n == BLOCK_N"]),
    # unpackings' checks: one alone; a statement between that rebinds the next check's tensor;
    # a statement of two lines between (its line numbers differ); the same tensor twice
    ("joined_unpacking_checks", [UNPACK_X, "m, k = x.size()"]),
    ("joined_unpacking_checks", [UNPACK_X, "m, y = x.size()", UNPACK_Y, "k2, n = y.size()"]),
    ("joined_unpacking_checks", [UNPACK_X, "m, k = (", UNPACK_Y, "k2, n = y.size()"]),
    ("joined_unpacking_checks", [UNPACK_X, "m, k = x.size()", UNPACK_X, "a, b = x.size()"]),
    # another check_tensors call (the launch's own) is no unpacking's
    ("joined_unpacking_checks", [UNPACK_X, "m, k = x.size()", 'check_tensors({"y": y})']),
    # together they would pass 100 characters
    (
        "joined_unpacking_checks",
        [
            'check_tensors({"queries": queries}, ranks={"queries": 2}, why="line 7 unpacks it")',
            "m, k = queries.size()",
            'check_tensors({"weights": weights}, ranks={"weights": 2}, why="line 7 unpacks it")',
            "k2, n = weights.size()",
        ],
    ),
    # together they would pass 100 characters
    (
        "joined_flags",
        [
            "EVEN_ROWS = rows_per_batch_and_head % BLOCK_ROWS == 0  # whole tiles: no masks",
            "EVEN_COLUMNS = columns_of_the_key % BLOCK_COLUMNS == 0  # whole tiles: no masks",
        ],
    ),
    # the comment above two expansions, or one too long to take it
    (
        "trailing_broadcast_comment",
        [
            "# a dimension of 1 broadcasts, as in torch: its lanes all read it",
            "w = w.expand(n) if w.size(0) == 1 else w",
            "b = b.expand(n) if b.size(0) == 1 else b",
        ],
    ),
    (
        "trailing_broadcast_comment",
        [
            "# a dimension of 1 broadcasts, as in torch: its lanes all read it",
            "weights = weights.expand(channels_out, -1) if weights.size(0) == 1 else weights",
        ],
    ),
    # the same test apart: a statement between (it may change what the test reads), another
    # depth, an `if` that does more than raise
    ("repeated_raises", ["if n <= 0:", (2, "raise E()"), "n = m", "if n <= 0:", (2, "raise E()")]),
    ("repeated_raises", ["if n <= 0:", (2, "raise E()"), (2, "if n <= 0:"), (3, "raise E()")]),
    ("repeated_raises", ["if n <= 0:", (2, "n = 1"), "if n <= 0:", (2, "raise E()")]),
    (
        "repeated_raises",
        ["if n <= 0:", (2, "raise E()"), (2, "n = 1"), "if n <= 0:", (2, "raise E()")],
    ),
]

CHANGES = [
    (  # a store's reductions named after the stored tensor, the widest first
        "name_nested_reductions",
        [
            "tl.store(out_ptrs, row / tl.maximum(tl.sqrt(tl.sum(tl.where(mask_n[None, :], row * row,"
            " 0), axis=1, keep_dims=True)), 1e-12) + row / tl.sum(tl.abs(row), axis=1), mask=mask)"
        ],
        [
            (
                1,
                "out_sum = tl.sum(tl.where(mask_n[None, :], row * row, 0), axis=1, keep_dims=True)",
            ),
            (1, "out_sum_2 = tl.sum(tl.abs(row), axis=1)"),
            (
                1,
                "tl.store(out_ptrs, row / tl.maximum(tl.sqrt(out_sum), 1e-12) + row / out_sum_2, mask=mask)",
            ),
        ],
    ),
    (  # a reduction inside a reduction: each its own line, named after the assignment's target
        "name_nested_reductions",
        [
            (
                2,
                "mean = tl.sum(tl.where(mask_h[None, :, None], tl.sum(tl.where(mask_d[None, None, :],"
                " x_tile, 0), axis=2, keep_dims=True) / d, 0), axis=1, keep_dims=True) / h",
            ),
        ],
        [
            (
                2,
                "mean_sum_2 = tl.sum(tl.where(mask_d[None, None, :], x_tile, 0), axis=2, keep_dims=True)",
            ),
            (
                2,
                "mean_sum = tl.sum(tl.where(mask_h[None, :, None], mean_sum_2 / d, 0), axis=1, keep_dims=True)",
            ),
            (2, "mean = mean_sum / h"),
        ],
    ),
    (
        "inline_program_ids",
        [
            "pid_m = tl.program_id(0).to(INDEX_DTYPE)",
            "offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)",
        ],
        [(1, "offs_m = tl.program_id(0).to(INDEX_DTYPE) * BLOCK_M + tl.arange(0, BLOCK_M)")],
    ),
    (  # a call binds tighter than any operator: no parentheses to add, wherever it lands
        "inline_program_ids",
        ["row = tl.program_id(1)", "x = tl.load(p + -row * s)"],
        [(1, "x = tl.load(p + -tl.program_id(1) * s)")],
    ),
    (
        "cancel_store_casts",
        ["tl.store(out_ptrs, upcast_half((a * b).to(out_ptr.dtype.element_ty)), mask=mask)"],
        [(1, "tl.store(out_ptrs, (a * b).to(out_ptr.dtype.element_ty), mask=mask)")],
    ),
    (
        "cancel_store_casts",  # a bare name: its parentheses were never there
        ["tl.store(out_ptrs, upcast_half(acc))"],
        [(1, "tl.store(out_ptrs, acc)")],
    ),
    (
        "repeated_casts",
        ["y = upcast_half(upcast_half(tl.load(p)))", "z = x.to(tl.float32).to(tl.float32) + 1"],
        [(1, "y = upcast_half(tl.load(p))"), (1, "z = x.to(tl.float32) + 1")],
    ),
    (
        "name_shared_masks",
        [
            "a = tl.load(p, mask=mask_m[:, None] & mask_n[None, :], other=0.0)",
            (2, "b = tl.load(q, mask=mask_m[:, None] & mask_n[None, :], other=0.0)"),
            "tl.store(r, a + b, mask=mask_m[:, None] & mask_n[None, :])",
        ],
        [
            (1, "mask_m_n = mask_m[:, None] & mask_n[None, :]"),
            (1, "a = tl.load(p, mask=mask_m_n, other=0.0)"),
            (2, "b = tl.load(q, mask=mask_m_n, other=0.0)"),
            (1, "tl.store(r, a + b, mask=mask_m_n)"),
        ],
    ),
    (
        "name_shared_masks",  # the name is taken: another one
        [
            "mask_m_n = 1",
            "a = tl.load(p, mask=mask_m & mask_n)",
            "tl.store(q, a, mask=mask_m & mask_n)",
        ],
        [
            (1, "mask_m_n = 1"),
            (1, "mask_m_n_2 = mask_m & mask_n"),
            (1, "a = tl.load(p, mask=mask_m_n_2)"),
            (1, "tl.store(q, a, mask=mask_m_n_2)"),
        ],
    ),
    (
        "upcast_then_cast",  # read only through casts (a comment naming it is no read)
        [
            "x_tile = upcast_half(tl.load(p, mask=mask))",
            "# line 3: x_tile",
            (2, "row = x_tile.to(tl.float32)"),
            "other = x_tile_2 + 1",
        ],
        [
            (1, "x_tile = tl.load(p, mask=mask)"),
            (1, "# line 3: x_tile"),
            (2, "row = x_tile.to(tl.float32)"),
            (1, "other = x_tile_2 + 1"),
        ],
    ),
    (
        "self_assignments",
        ["e = v.size(2)", "chunk = chunk", "n = m"],
        [(1, "e = v.size(2)"), (1, "n = m")],
    ),
    (
        "inline_pointers",
        ["x_ptrs_1 = x_ptr + offsets * x_stride_0", "x_tile = tl.load(x_ptrs_1, mask=mask)"],
        [(1, "x_tile = tl.load(x_ptr + offsets * x_stride_0, mask=mask)")],
    ),
    (
        "inline_pointers",  # a mask named between them, a store: the sum goes to the store
        [
            "out_ptrs = out_ptr + offs_m[:, None] * s_0 + offs_n[None, :]",
            "mask_m_n = mask_m[:, None] & mask_n[None, :]",
            "tl.store(out_ptrs, acc, mask=mask_m_n)",
        ],
        [
            (1, "mask_m_n = mask_m[:, None] & mask_n[None, :]"),
            (1, "tl.store(out_ptr + offs_m[:, None] * s_0 + offs_n[None, :], acc, mask=mask_m_n)"),
        ],
    ),
    (
        "checks_as_raises",  # a comparison negated by its operator; the lambda's text raised
        ['require(x.dim() == 1, lambda: "x must be 1-D", RuntimeError)'],
        [(1, "if x.dim() != 1:"), (2, 'raise RuntimeError("x must be 1-D")')],
    ),
    (
        "checks_as_raises",  # each operator its opposite; the error given; an f-string message
        [
            'require(y.size(0) >= k, "y.size(0) must be at least k")',
            (2, 'require(t.element_size() <= 4, f"{t.dtype}", TypeError)'),
            "require(mode is not None, lambda: f'mode {mode}')",
            'require(name in ("a", "b"), "a or b")',
        ],
        [
            (1, "if y.size(0) < k:"),
            (2, 'raise RuntimeError("y.size(0) must be at least k")'),
            (2, "if t.element_size() > 4:"),
            (3, 'raise TypeError(f"{t.dtype}")'),
            (1, "if mode is None:"),
            (2, "raise RuntimeError(f'mode {mode}')"),
            (1, 'if name not in ("a", "b"):'),
            (2, 'raise RuntimeError("a or b")'),
        ],
    ),
    (
        "checks_as_raises",  # comparisons joined by `and`: each negated, joined by `or`; a
        # chained or parenthesised one is no single comparison: `not (...)` as before
        [
            'require(b.size(0) == n and w.size(0) == n and c.size(0) == n, lambda: "equal")',
            'require(a == b == c and d == e, "chained")',
        ],
        [
            (1, "if b.size(0) != n or w.size(0) != n or c.size(0) != n:"),
            (2, 'raise RuntimeError("equal")'),
            (1, "if not (a == b == c and d == e):"),
            (2, 'raise RuntimeError("chained")'),
        ],
    ),
    (
        "checks_as_raises",  # `not a or b` negated: `a and not b`, no `not (not ...)`
        ['require(not isinstance(k, int) or -(2**63) <= k < 2**63, f"k = {k}", OverflowError)'],
        [
            (1, "if isinstance(k, int) and not (-(2**63) <= k < 2**63):"),
            (2, 'raise OverflowError(f"k = {k}")'),
        ],
    ),
    (
        "checks_as_raises",  # no operator to turn: `not`, parenthesised where it must be
        [
            'require(all(t.is_floating_point() for t in (x,)), "floats")',
            'require(a < b < c, "ordered")',
            'require(a == 1 or b == 1, "one")',
            'require(not done, "not done")',
            'require((chosen) >= 16, "16")',  # (an expression's parentheses kept)
        ],
        [
            (1, "if not all(t.is_floating_point() for t in (x,)):"),
            (2, 'raise RuntimeError("floats")'),
            (1, "if not (a < b < c):"),
            (2, 'raise RuntimeError("ordered")'),
            (1, "if not (a == 1 or b == 1):"),
            (2, 'raise RuntimeError("one")'),
            (1, "if done:"),
            (2, 'raise RuntimeError("not done")'),
            (1, "if (chosen) < 16:"),
            (2, 'raise RuntimeError("16")'),
        ],
    ),
    (
        "joined_blocks",  # literal sizes in one line; a computed one (and what follows) apart
        [
            "BLOCK_K = 32",
            "BLOCK_M = 64",
            "BLOCK_N = 128",
            "BLOCK_H = max(1, 4096 // BLOCK_N)",
            "BLOCK_B = 1",
        ],
        [
            (1, "BLOCK_K, BLOCK_M, BLOCK_N = 32, 64, 128"),
            (1, "BLOCK_H = max(1, 4096 // BLOCK_N)"),
            (1, "BLOCK_B = 1"),
        ],
    ),
    (
        "joined_flags",  # one comment for both, on the line they share
        ["EVEN_M = m % BLOCK_M == 0  # whole tiles", "EVEN_N = n == BLOCK_N  # whole tiles"],
        [(1, "EVEN_M, EVEN_N = m % BLOCK_M == 0, n == BLOCK_N  # whole tiles")],
    ),
    (
        "joined_flags",  # as many as fit on each line, in their order (a deeper block too)
        [
            (2, "EVEN_B = b % BLOCK_B == 0  # whole tiles: no masks"),
            (2, "EVEN_C = c % BLOCK_C == 0  # whole tiles: no masks"),
            (2, "EVEN_H = hidden_size % BLOCK_H == 0  # whole tiles: no masks"),
            (2, "x = 1"),
        ],
        [
            (
                2,
                "EVEN_B, EVEN_C = b % BLOCK_B == 0, c % BLOCK_C == 0  # whole tiles: no masks",
            ),
            (2, "EVEN_H = hidden_size % BLOCK_H == 0  # whole tiles: no masks"),
            (2, "x = 1"),
        ],
    ),
    (
        "trailing_broadcast_comment",  # one expansion: the comment at its end
        [
            "# a dimension of 1 broadcasts, as in torch: its lanes all read it",
            "w = w.expand(-1, k) if w.size(1) == 1 else w",
            "if w.size(1) != k:",
        ],
        [
            (1, "w = w.expand(-1, k) if w.size(1) == 1 else w  # size 1 broadcasts, as in torch"),
            (1, "if w.size(1) != k:"),
        ],
    ),
    (
        "repeated_raises",  # a check a run made already cannot raise: the later one goes
        [
            "if n <= 0:",
            (2, 'raise IndexError("line 13: amin() along a dimension of size 0 (n)")'),
            "if out.size(1) < 2:",
            (2, 'raise IndexError("line 13: index 1 is out of range")'),
            "if n <= 0:",
            (2, 'raise IndexError("line 14: argmax() along a dimension of size 0 (n)")'),
        ],
        [
            (1, "if n <= 0:"),
            (2, 'raise IndexError("line 13: amin() along a dimension of size 0 (n)")'),
            (1, "if out.size(1) < 2:"),
            (2, 'raise IndexError("line 13: index 1 is out of range")'),
        ],
    ),
]


def test_unpackings_checks_join_before_the_first_citing_each_line() -> None:
    def check(name: str, line: int) -> Line:
        why = f"line {line} unpacks its sizes into 2 names"
        return Line(
            1, f'check_tensors({{"{name}": {name}}}, ranks={{"{name}": 2}}, why="{why}")', line
        )

    given = [
        check("a", 9), Line(1, "m, k = a.size()", 9),
        check("b", 10), Line(1, "k2, n = b.size()", 10),
        check("c", 11), Line(1, "n2, p = c.size()", 11),
        Line(1, "out = a.new_empty(m, p)", 12),
    ]  # fmt: skip
    joined = 'check_tensors({"a": a, "b": b}, ranks={"a": 2, "b": 2}, why="lines 9 and 10 unpack '
    joined += 'their sizes")'  # with c's too it would pass 100 characters: c's stays its own
    assert STEP["joined_unpacking_checks"](given) == [Line(1, joined, 9), given[1], *given[3:]]


UNPACKING_KERNELS = {
    # two matrices, then a vector whose size the launch reads
    "chain": (
        """
        m, k = x.size()
        k2, n = y.size()
        out = torch.empty([m, n], dtype=x.dtype, device=x.device)
        for tile_m, tile_n in hl.tile([m, n]):
            acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(k):
                acc = acc + x[tile_m, tile_k] @ y[tile_k, tile_n]
            out[tile_m, tile_n] = acc
        return out
        """,
        ((7, 5), (5, 3)),
        torch.float32,  # (float64 factors: a bug of their own, left to its issue)
    ),
    # three tensors unpacked, one of them 3-D, summed into rows
    "three": (
        """
        b, r, c = x.size()
        r2, c2 = y.size()
        (n,) = z.size()
        out = torch.empty([r, c], dtype=x.dtype, device=x.device)
        for tile_r in hl.tile(r):
            out[tile_r, :] = x[0, tile_r, :] + y[tile_r, :] * z[tile_r, None]
        return out
        """,
        ((2, 5, 3), (5, 3), (5,)),
        torch.float64,
    ),
}


@pytest.mark.parametrize("name", sorted(UNPACKING_KERNELS))
def test_joined_unpacking_checks_still_refuse_each_tensor(name: str) -> None:
    body, shapes, dtype = UNPACKING_KERNELS[name]
    names = "xyz"[: len(shapes)]
    parameters = ", ".join(f"{n}: torch.Tensor" for n in names)
    source = "import torch\nimport helion\nimport helion.language as hl\n\n@helion.kernel()\n"
    source += f"def f({parameters}) -> torch.Tensor:\n" + textwrap.indent(
        textwrap.dedent(body), "    "
    )
    code = transpiler.transpile(source, filename="unpacking.py")
    assert "unpack their sizes" in code  # one check before the unpackings
    module = launchers(code, "unpacking_triton")
    args = [torch.rand(shape, dtype=dtype) + 0.5 for shape in shapes]
    for index, tensor in enumerate(names):
        wrong = list(args)
        wrong[index] = args[index][..., None]  # one dimension too many
        rank = len(shapes[index])
        with pytest.raises(
            ValueError, match=f"{tensor} must be {rank}-D, not {rank + 1}-D: lines? .* unpacks?"
        ):
            module["f"](*wrong)
        wrong[index] = args[index].tolist()
        with pytest.raises(
            TypeError, match=f"{tensor} must be a tensor, not list: lines? .* unpacks?"
        ):
            module["f"](*wrong)
    reference = reference_function(source, "f")
    torch.testing.assert_close(module["f"](*args), reference(*args), **dot_tolerance(dtype))


def test_flags_citing_different_source_lines_stay_apart() -> None:
    given = [Line(1, "EVEN_M = m % BLOCK_M == 0", 7), Line(1, "EVEN_N = n == BLOCK_N", 8)]
    assert STEP["joined_flags"](given) == given


def test_joined_flags_cite_their_source_line() -> None:
    given = [Line(1, "EVEN_M = m % BLOCK_M == 0", 9), Line(1, "EVEN_N = n == BLOCK_N", 9)]
    assert STEP["joined_flags"](given) == [
        Line(1, "EVEN_M, EVEN_N = m % BLOCK_M == 0, n == BLOCK_N", 9)
    ]


@pytest.mark.parametrize(("step", "given"), NOOP, ids=[f"{s}-{i}" for i, (s, _) in enumerate(NOOP)])
def test_step_leaves_alone(step: str, given: list) -> None:
    before = lines(*given)
    assert texts(STEP[step](before)) == texts(before)


@pytest.mark.parametrize(
    ("step", "given", "expected"), CHANGES, ids=[f"{s}-{i}" for i, (s, _, _) in enumerate(CHANGES)]
)
def test_step_rewrites(step: str, given: list, expected: list) -> None:
    got = STEP[step](lines(*given))
    assert texts(got) == expected
    assert all(line.source_line == 7 for line in got)  # each line still cites its source line
    assert texts(STEP[step](got)) == expected  # stable: a second run changes nothing


def test_imports_plain_once_sorted() -> None:
    given = [("import torch", None), ("import triton", None), ("import torch as torch", 3)]
    given += [("from torch import float16 as HALF", 4), ("import math", 1)]
    given += [("from __future__ import annotations", 2), ("import numpy as np", 5)]
    assert tidy_imports(given) == [
        ("from __future__ import annotations", 2),
        ("import math", 1),
        ("import numpy as np", 5),
        ("import torch", None),
        ("import triton", None),
        ("from torch import float16 as HALF", 4),
    ]


READ_IMPORTS = [
    # (an import of the source, whether a module reading only `math.pi` and `F` keeps it)
    ("import math", True),
    ("import torch.nn.functional as F", True),
    ("from collections.abc import Callable", False),  # the standard library, never read
    ("from math import tau, pi", False),
    ("import torch.nn.functional", False),  # binds torch, which the module must read to use it
    ("import numpy as np", True),  # outside the standard library, torch and triton: it may
    ("from mylib import ops", True),  # register something on import
    ("from __future__ import annotations", True),
    ("from math import *", True),
]


@pytest.mark.parametrize(("line", "kept"), READ_IMPORTS)
def test_imports_nothing_reads_are_dropped(line: str, kept: bool) -> None:
    code = "def f(x):\n    return F.relu(x) * math.pi\n"
    assert read_imports([(line, 1)], code) == ([(line, 1)] if kept else [])


UNREAD_IMPORTS = """
import math
from collections.abc import Callable
import torch
import helion
import helion.language as hl

@helion.kernel()
def scaled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * math.pi
    return out
"""


def test_a_module_without_the_imports_it_never_reads_still_runs() -> None:
    code = transpiler.transpile(UNREAD_IMPORTS)
    assert "Callable" not in code and "import math" not in code  # math.pi became a number
    x = torch.rand(37, dtype=torch.float64) + 0.5
    got = on_device(load_module(code).scaled)(x.float())
    torch.testing.assert_close(got.double(), x.float().double() * math.pi, rtol=1e-6, atol=0)


def test_helpers_are_those_called_with_their_callees() -> None:
    # as_float and require were asked for, but no line calls them (a tidy step removed it)
    code = "def f(x):\n    check_tensors(dict(x=x))\n    return gelu_tanh(upcast_half(x))\n"
    device = {"upcast_half", "as_float", "gelu_tanh"}
    sources = needed_helpers(code, device, {"check_tensors", "require"})
    names = [s.split("(")[0].split()[-1] for s in sources]
    assert names == ["check_tensors", "expm1", "tanh", "gelu_tanh", "upcast_half"]


HELPER_FORMS = [
    # (the module's calls, whether check_tensors keeps its bool check)
    ('INDEX_DTYPE = check_tensors({"x": x}, ranks={"x": 2})', False),
    ('INDEX_DTYPE = check_tensors({"x": x}, arithmetic={"x": 9})', True),
    # one call without, one with: the module needs it
    (
        'check_tensors({"x": x}, ranks={"x": 2}, why="w")\ncheck_tensors({"x": x}, arithmetic={})',
        True,
    ),
    # keywords that cannot be read (a splat, a second positional argument): kept whole
    ("INDEX_DTYPE = check_tensors({}, **facts)", True),
    ("INDEX_DTYPE = check_tensors({}, None, {})", True),
]


@pytest.mark.parametrize(("calls", "kept"), HELPER_FORMS)
def test_check_tensors_keeps_only_what_its_calls_pass(calls: str, kept: bool) -> None:
    (source,) = needed_helpers(calls, set(), {"check_tensors"})
    assert ("arithmetic" in source) is kept and ("t.dtype == torch.bool" in source) is kept
    assert ("line" in source.split("for name, t")[1]) is kept
    compile(source, "<helper>", "exec")


ROWS_KERNEL = """
import torch
import helion
import helion.language as hl

@helion.kernel()
def rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = {value}
    return out
"""


@pytest.mark.parametrize(
    ("value", "factor"),
    [
        ("x[tile_m, tile_n]", None),
        ("x[tile_m, tile_n] + x[tile_m, tile_n]", 2),  # bool + bool: Triton's i1 sum wraps
        ("-x[tile_m, tile_n]", -1),  # torch refuses -bool
    ],
    ids=["copy", "doubled", "negated"],
)
def test_short_check_tensors_still_refuses(value: str, factor: int | None) -> None:
    code = transpiler.transpile(ROWS_KERNEL.format(value=value), filename="rows.py")
    assert ("is a bool tensor" in code) is (factor is not None)  # the bool check where needed
    module = launchers(code, "rows_triton")
    x = torch.rand(7, 5, dtype=torch.float64) + 0.5
    with pytest.raises(ValueError, match="x must be 2-D"):
        module["rows"](x[0])
    with pytest.raises(TypeError, match=r"x must be a tensor, not list: .* torch.tensor\(x\)"):
        module["rows"]([[1.0]])
    flags = torch.rand(7, 5) > 0.5
    if factor is None:
        assert torch.equal(module["rows"](flags), flags)  # a copy computes nothing on bools
    else:
        with pytest.raises(TypeError, match="x is a bool tensor and line 11 does arithmetic"):
            module["rows"](flags)
    torch.testing.assert_close(module["rows"](x), x * (factor or 1))


FLOAT_ONLY = """
import torch
import helion
import helion.language as hl

@helion.kernel()
def scaled_rows(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n].to(torch.float32) * w[tile_m, tile_n].float()
    return out
"""

SHARED_MASK = """
import ast
import math
import torch
import helion
import helion.language as hl

@helion.kernel()
def blend(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    out = torch.empty_like(a)
    for tile_m, tile_n in hl.tile(a.size()):
        out[tile_m, tile_n] = a[tile_m, tile_n] * (1 - t) + b[tile_m, tile_n] * t + math.pi
    return out
"""


@pytest.mark.parametrize("source", [FLOAT_ONLY, SHARED_MASK], ids=["float_only", "shared_mask"])
def test_modules_put_the_kernel_first_and_carry_only_called_helpers(source: str) -> None:
    code = transpiler.transpile(source, example_args=(torch_2d(), torch_2d(), 0.5)[:3])
    lines_ = code.splitlines()
    assert lines_.index("@triton.jit") < 15
    assert not any(" as torch" in line for line in lines_)
    imports = [i for i, line in enumerate(lines_) if line.startswith(("import ", "from "))]
    assert imports == list(range(imports[0], imports[0] + len(imports)))  # one block at the top
    defined = {line.split("(")[0][4:] for line in lines_ if line.startswith("def ")}
    for helper in defined - {"scaled_rows", "blend"}:
        called = [line for line in lines_ if not line.startswith("def ")]
        uses = sum(line.count(helper + "(") + line.count(helper + "[") for line in called)
        assert uses, f"{helper} is defined but never called"
    namespace = launchers(code, "tidy_helpers")  # still computes what the source does
    a, b = torch.randn(37, 19) + 3, torch.randn(37, 19) + 3
    name = "blend" if "blend" in namespace else "scaled_rows"
    got = namespace[name](a, b, 0.25) if name == "blend" else namespace[name](a, b)
    a64, b64 = a.double(), b.double()
    want = a64 * 0.75 + b64 * 0.25 + math.pi if name == "blend" else a64 * b64
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-5)


def torch_2d() -> torch.Tensor:
    return torch.empty(3, 5)


WRAPPED = [
    (  # an argument alone on its line and still too long: broken inside its own call, aligned
        "             tl.reshape(tl.dot(tl.reshape(x_tile_1, [BLOCK_B * BLOCK_S, BLOCK_K]), "
        "tl.trans(w_tile_1), max_num_imprecise_acc=0), [BLOCK_B, BLOCK_S, BLOCK_N]),",
        [
            "             tl.reshape(tl.dot(tl.reshape(x_tile_1, [BLOCK_B * BLOCK_S, BLOCK_K]),",
            "                               tl.trans(w_tile_1), max_num_imprecise_acc=0),",
            "                        [BLOCK_B, BLOCK_S, BLOCK_N]),",
        ],
    ),
    (  # `a if FLAG else b` whose branches are long calls: broken at if / else, each call wrapped
        "        qk = tl.dot(as_factor(q, q_ptr.dtype.element_ty), as_factor(tl.permute(k, (0, 2, 1)),"
        " k_ptr.dtype.element_ty), out_dtype=tl.float32) * qk_scale if QK_SCALE_AT_MOST_ONE else"
        " tl.dot(as_factor(q_scaled, q_ptr.dtype.element_ty), as_factor(tl.permute(k, (0, 2, 1)),"
        " k_ptr.dtype.element_ty), out_dtype=tl.float32)",
        [
            "        qk = (tl.dot(as_factor(q, q_ptr.dtype.element_ty),",
            "                     as_factor(tl.permute(k, (0, 2, 1)), k_ptr.dtype.element_ty),",
            "                     out_dtype=tl.float32) * qk_scale",
            "              if QK_SCALE_AT_MOST_ONE",
            "              else tl.dot(as_factor(q_scaled, q_ptr.dtype.element_ty),",
            "                          as_factor(tl.permute(k, (0, 2, 1)), k_ptr.dtype.element_ty),",
            "                          out_dtype=tl.float32))",
        ],
    ),
    (  # `name = a if F else call(...)`: broken at if / else first, then the call
        "            qk = qk_unscaled * qk_scale if QK_SCALE_AT_MOST_ONE else tl.dot(tl.where("
        "mask_head_dim[None, :], as_factor(q_scaled, q_ptr.dtype.element_ty), 0), as_factor("
        "tl.trans(k), k_ptr.dtype.element_ty), out_dtype=tl.float32)",
        [
            "            qk = (qk_unscaled * qk_scale if QK_SCALE_AT_MOST_ONE",
            "                  else tl.dot(tl.where(mask_head_dim[None, :],",
            "                                       as_factor(q_scaled, q_ptr.dtype.element_ty), 0),",
            "                              as_factor(tl.trans(k), k_ptr.dtype.element_ty), out_dtype=tl.float32))",
        ],
    ),
    (  # a call's argument `a if F else b` too long alone: broken at its if / else, aligned
        "            m_ij = tl.maximum(m_i, max_nan(tl.where(mask_n[None, :], qk_unscaled, "
        'float("-inf")), axis=1) * qk_scale if QK_SCALE_AT_MOST_ONE and QK_SCALE_POSITIVE else '
        'max_nan(tl.where(mask_n[None, :], qk, float("-inf")), axis=1), '
        "propagate_nan=tl.PropagateNan.ALL)",
        [
            "            m_ij = tl.maximum(m_i,",
            '                              max_nan(tl.where(mask_n[None, :], qk_unscaled, float("-inf")),',
            "                                      axis=1) * qk_scale",
            "                              if QK_SCALE_AT_MOST_ONE and QK_SCALE_POSITIVE",
            '                              else max_nan(tl.where(mask_n[None, :], qk, float("-inf")), axis=1),',
            "                              propagate_nan=tl.PropagateNan.ALL)",
        ],
    ),
    (  # branches that fit once apart: only the if / else break
        "    y = tl.where(mask_m[:, None], column_of_the_left_hand_side, 0) * left_scale if LEFT_FIRST"
        " else tl.where(mask_m[:, None], column_of_the_right_hand_side, 0) * right_scale",
        [
            "    y = (tl.where(mask_m[:, None], column_of_the_left_hand_side, 0) * left_scale if LEFT_FIRST",
            "         else tl.where(mask_m[:, None], column_of_the_right_hand_side, 0) * right_scale)",
        ],
    ),
    (
        "    out_ptrs = out_ptr + pid_b * BLOCK_B * out_stride_0 + offs_d[:, None] * out_stride_1"
        " + offs_e[None, :] * out_stride_2",
        [
            "    out_ptrs = (out_ptr + pid_b * BLOCK_B * out_stride_0 + offs_d[:, None] * out_stride_1",
            "                + offs_e[None, :] * out_stride_2)",
        ],
    ),
    (  # a parenthesised sum is one term: its order of additions stays the user's
        "        acc = acc + (a_tile_with_a_long_name + b_tile_with_a_long_name) * scale_factor"
        " + bias_tile_of_the_row",
        [
            "        acc = (acc + (a_tile_with_a_long_name + b_tile_with_a_long_name) * scale_factor",
            "               + bias_tile_of_the_row)",
        ],
    ),
    (  # a call: arguments packed, aligned under the first, the bracket closing the last line
        "    softmax_kernel[grid](x, out, n, m, x.stride(0), x.stride(1), out.stride(0),"
        " out.stride(1), INDEX_DTYPE=INDEX_DTYPE, BLOCK_M=BLOCK_M, EVEN_M=EVEN_M)",
        [
            "    softmax_kernel[grid](x, out, n, m, x.stride(0), x.stride(1), out.stride(0),"
            " out.stride(1),",
            "                         INDEX_DTYPE=INDEX_DTYPE, BLOCK_M=BLOCK_M, EVEN_M=EVEN_M)",
        ],
    ),
    (  # an opening bracket too deep to align under: a hanging indent
        "    a_rather_long_result_name = some_module.a_long_function_name_here(first_argument,"
        " second_argument, third_argument)",
        [
            "    a_rather_long_result_name = some_module.a_long_function_name_here(",
            "        first_argument, second_argument, third_argument)",
        ],
    ),
    (  # one argument, itself a call: the inner call's arguments are the ones wrapped
        "            values_tile = upcast_half(tl.load(values_ptrs, mask=mask_k[:, None]"
        " & mask_m[None, :], other=0.0))",
        [
            "            values_tile = upcast_half(tl.load(",
            "                values_ptrs, mask=mask_k[:, None] & mask_m[None, :], other=0.0))",
        ],
    ),
]

WRAPPED += [
    (  # a call of one long argument that is no call: the argument indented on the next line
        '        raise RuntimeError("weight.size(0) and n must be equal: the kernel combines them'
        ' element-wise")',
        [
            "        raise RuntimeError(",
            '            "weight.size(0) and n must be equal: the kernel combines them element-wise")',
        ],
    ),
    (  # a lone product too: the same
        "        probabilities = tl.exp2(scores_unscaled * (scale * 1.4426950408889634) - new_max"
        "[:, None] * 1.44269504)",
        [
            "        probabilities = tl.exp2(",
            "            scores_unscaled * (scale * 1.4426950408889634) - new_max[:, None] * 1.44269504)",
        ],
    ),
    (  # an argument too long aligned under the first: the arguments on hanging lines
        "    tl.store(squeezed_ptrs, tl.sum(tl.where(mask_length[None, None, :], x_tile.to(tl.float32),"
        " 0), axis=2) / length, mask=mask_b[:, None] & mask_c[None, :])",
        [
            "    tl.store(",
            "        squeezed_ptrs,",
            "        tl.sum(tl.where(mask_length[None, None, :], x_tile.to(tl.float32), 0), axis=2) / length,",
            "        mask=mask_b[:, None] & mask_c[None, :])",
        ],
    ),
    (  # a dict of tensors too long aligned: the same
        '    INDEX_DTYPE = check_tensors({"squeezed": squeezed, "w_down": w_down, "w_up": w_up,'
        ' "gate": gate}, ranks={"w_down": 2, "w_up": 2}, arithmetic={"squeezed": 20})',
        [
            "    INDEX_DTYPE = check_tensors(",
            '        {"squeezed": squeezed, "w_down": w_down, "w_up": w_up, "gate": gate},',
            '        ranks={"w_down": 2, "w_up": 2}, arithmetic={"squeezed": 20})',
        ],
    ),
    (  # a message too long for a line of its own: adjacent strings, broken after a space
        "        raise IndexError(f\"line 25: a value of row_ids is out of range for out's dim 0"
        ' ({out.size(0)}); check_indices=False in @helion.kernel(...) skips this check")',
        [
            "        raise IndexError(",
            '            f"line 25: a value of row_ids is out of range for out\'s dim 0 ({out.size(0)}); "',
            '            "check_indices=False in @helion.kernel(...) skips this check")',
        ],
    ),
    (  # ... never inside an f-string's braces, each piece an f-string only where it has them
        "        raise TypeError(f\"line 9: {'a long expression inside the braces, ' * 2} and then"
        ' some more words to make it long enough to need a break")',
        [
            "        raise TypeError(",
            "            f\"line 9: {'a long expression inside the braces, ' * 2} and then some more words to \"",
            '            "make it long enough to need a break")',
        ],
    ),
    (  # a parenthesised condition: broken before its loosest words, aligned inside the bracket
        "    mixed = not (w.dtype == x.dtype or x.dtype in (torch.float16, torch.bfloat16) and w.dtype"
        " == torch.float32)",
        [
            "    mixed = not (w.dtype == x.dtype",
            "                 or x.dtype in (torch.float16, torch.bfloat16) and w.dtype == torch.float32)",
        ],
    ),
    (  # a conditional value: in parentheses, broken before `if`
        "    workers = (torch.cuda.get_device_properties(x.device).multi_processor_count if"
        ' torch.device(x.device).type == "cuda" else 4)',
        [
            "    workers = (torch.cuda.get_device_properties(x.device).multi_processor_count",
            '               if torch.device(x.device).type == "cuda" else 4)',
        ],
    ),
    (  # a condition assigned: put in parentheses to break it
        "    FUSED_SUM = losses.dtype in (torch.float32, torch.float16, torch.bfloat16) and"
        " losses.numel() > 0",
        [
            "    FUSED_SUM = (losses.dtype in (torch.float32, torch.float16, torch.bfloat16)",
            "                 and losses.numel() > 0)",
        ],
    ),
    (  # a call that ends the line after a product: its arguments on a hanging line
        "        di = di * tl.exp(mi - mi_next) + tl.sum(tl.where(mask_n[None, :], tl.exp(values"
        " - mi_next[:, None]), 0), axis=1)",
        [
            "        di = di * tl.exp(mi - mi_next) + tl.sum(",
            "            tl.where(mask_n[None, :], tl.exp(values - mi_next[:, None]), 0), axis=1)",
        ],
    ),
]

WRAPPED += [  # round 15 (2026-12-06, rest15)
    (  # a two-term sum: broken before its `+` where both lines then fit (was left at 103)
        "                rows_ptrs = rows_ptr + (picked[:, :, None] * d + offs_d[None, None, :])"
        " * rows_stride_0",
        [
            "                rows_ptrs = (rows_ptr",
            "                             + (picked[:, :, None] * d + offs_d[None, None, :])"
            " * rows_stride_0)",
        ],
    ),
    (  # too much follows the widest call to break inside it: two terms, before the `+`
        "    y = tl.sum(tl.where(mask_m[:, None], column, 0), axis=0) + tl.max(fill_lowest(column,"
        " mask_m[:, None]), axis=0) * 2",
        [
            "    y = (tl.sum(tl.where(mask_m[:, None], column, 0), axis=0)",
            "         + tl.max(fill_lowest(column, mask_m[:, None]), axis=0) * 2)",
        ],
    ),
    (  # a launcher argument of a dict of lists: inside the list, aligned (was left at 128)
        '    INDEX_DTYPE = check_tensors({"x": x, "out": out}, numbers={"x": (17, -2**31, 2**31 - 1)},'
        ' carried={"x": [("line 15 (total)", 14, torch.float32), ("line 17 (total)", 16,'
        " torch.float32)]})",
        [
            '    INDEX_DTYPE = check_tensors({"x": x, "out": out}, numbers={"x": (17, -2**31, 2**31 - 1)},',
            '                                carried={"x": [("line 15 (total)", 14, torch.float32),',
            '                                               ("line 17 (total)", 16, torch.float32)]})',
        ],
    ),
    (  # a dict of two entries: inside the braces, aligned under the first (was hanging)
        '    INDEX_DTYPE = check_tensors({"w": w, "x": x, "out": out}, ranks={"w": 1, "x": 2},'
        ' carried={"w": [("line 16 (total)", 15, torch.float32)], "x": [("line 16 (total)", 15,'
        " torch.float32)]})",
        [
            '    INDEX_DTYPE = check_tensors({"w": w, "x": x, "out": out}, ranks={"w": 1, "x": 2},',
            '                                carried={"w": [("line 16 (total)", 15, torch.float32)],',
            '                                         "x": [("line 16 (total)", 15, torch.float32)]})',
        ],
    ),
]
WRAPPED += [  # 2026-12-06, size17
    (  # a message whose last piece takes the closing bracket too: split where that fits (was
        # left at 115), the pieces evened out rather than a last word alone ("far")
        '        raise RuntimeError("offsets.size(0) and widths.size(0) must be at least num_rows:'
        ' the tiles reach that far")',
        [
            "        raise RuntimeError(",
            '            "offsets.size(0) and widths.size(0) must be "',
            '            "at least num_rows: the tiles reach that far")',
        ],
    ),
]
LONG_IF = (
    "    if grad_output.size(1) != hidden or inverse_rms.size(1) != hidden or weight.size(0) !="
    " hidden or b.size(0) != hidden:"
)


def test_a_long_if_of_or_is_put_in_parentheses_to_break() -> None:
    """A group of combined sizes' check (`a != n or b != n or ...`) past 100 characters."""
    got = wrap(LONG_IF)
    assert got == [
        "    if (grad_output.size(1) != hidden or inverse_rms.size(1) != hidden"
        " or weight.size(0) != hidden",
        "        or b.size(0) != hidden):",
    ]
    joined = " ".join(piece.strip() for piece in got) + " pass"
    assert ast.dump(ast.parse(joined)) == ast.dump(ast.parse(LONG_IF.strip() + " pass"))


SIGNATURE = (
    "def layer_norm_kernel(x_ptr, weight_ptr, bias_ptr, out_ptr, m, n, eps, x_stride_0,"
    " x_stride_1, weight_stride_0, INDEX_DTYPE: tl.constexpr, BLOCK_N: tl.constexpr):"
)


def test_a_long_signature_continues_under_its_first_parameter() -> None:
    got = wrap(SIGNATURE)
    assert got == [
        "def layer_norm_kernel(x_ptr, weight_ptr, bias_ptr, out_ptr, m, n, eps, x_stride_0,"
        " x_stride_1,",
        "                      weight_stride_0, INDEX_DTYPE: tl.constexpr, BLOCK_N: tl.constexpr):",
    ]
    assert ast.dump(ast.parse(" ".join(got) + " pass")) == ast.dump(ast.parse(SIGNATURE + " pass"))


UNWRAPPED = [
    # one argument too long even on a line of its own, no string to break: left as it is
    "        raise RuntimeError(" + " + ".join(["a_rather_long_name_of_a_message"] * 3) + ")",
    "    x = (a + b) + c",  # short
    "    x_ptrs = x_ptr + offs_m * x_stride_0 + offs_n * x_stride_1  # " + "a comment " * 5,
    "    y = " + " * ".join(["a_long_factor_name"] * 6),  # a product: no sum to break
    # the widest call holds too little of the line: breaking it would split a product
    "    grid = (triton.cdiv(batch, BLOCK_B) * triton.cdiv(channels, BLOCK_C)"
    " * triton.cdiv(length, BLOCK_L),)",
    # text of several lines (the user's own signature) is left as written
    "def matmul(x: torch.Tensor,\n    y: torch.Tensor,\n    epilogue: Epilogue = lambda acc, tile:"
    " acc,\n) -> torch.Tensor:",
]

UNWRAPPED += [
    # a two-term sum whose second term does not fit a line of its own after the `+`
    "                y = a + " + " * ".join(["a_long_factor_name"] * 5),
    # a subscript's brackets are no list to break inside
    "                                    x_tile = x[offs_m_tile_rows_in_program[:, None, None],"
    " offs_n_tile_columns[None, :, None]]",
]


@pytest.mark.parametrize(("line", "expected"), WRAPPED)
def test_long_lines_wrap_aligned(line: str, expected: list[str]) -> None:
    assert wrap(line) == expected
    assert all(len(piece) <= 100 for piece in expected)
    joined = " ".join(piece.strip() for piece in expected)
    assert ast.dump(ast.parse(joined)) == ast.dump(ast.parse(line.strip()))  # the same sum


@pytest.mark.parametrize("line", UNWRAPPED)
def test_lines_left_unwrapped(line: str) -> None:
    assert wrap(line) == [line]


def _helper_sources() -> dict[str, str]:
    device = {name: source for name, (source, _) in HELPERS.items()}
    return {**HOST_HELPERS, **ARGUMENT_HELPERS, **SHARED_MEMORY_HELPERS, **device}


@pytest.mark.parametrize(("name", "source"), sorted(_helper_sources().items()))
def test_every_helper_fits_100_characters(name: str, source: str) -> None:
    """A helper is printed as written: its lines, comments on `def` lines too, within 100."""
    assert [line for line in source.splitlines() if len(line) > 100] == []


def test_a_helper_is_kept_for_any_function_it_defines() -> None:
    # tma_fits's source also defines tma_rows_fit: a launcher calling only that one needs it
    code = "def f(q):\n    return tma_rows_fit(q, True, 64, 64)\n"
    sources = needed_helpers(code, set(), {"tma_fits", "check_tensors"})
    assert len(sources) == 1 and "def tma_rows_fit(" in sources[0]


# Launchers whose checks are plain `if ...: raise ...` lines, no helper: (kernel source, the
# bad call's arguments by a fresh random good pair, the error, words of its message)
RAISES_SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def scaled_gather(x: torch.Tensor, idx: torch.Tensor, scale: float) -> torch.Tensor:
    out = torch.empty([idx.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        out[tile] = x[idx[tile]] * scale
    return out


@helion.kernel()
def third_column_plus(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        out[tile] = x[tile, 2] + y[tile]
    return out
"""

RAISES = [
    # a tensor for a number parameter
    ("scaled_gather", lambda x, i: (x, i, torch.tensor(0.5)), TypeError, "scale must be a number"),
    # float values indexing another tensor
    ("scaled_gather", lambda x, i: (x, i.float(), 0.5), TypeError, "idx must hold integers"),
    # a literal index past its dimension (x has 2 columns, the kernel reads the third)
    ("third_column_plus", lambda x, i: (x[:, :2], x[:, 0]), IndexError, "index 2 is out of"),
    # a tensor shorter than the tiles reach
    ("third_column_plus", lambda x, i: (x, x[:-2, 0]), RuntimeError, "must be at least"),
]


@pytest.mark.parametrize(("name", "make", "error", "words"), RAISES)
def test_launcher_checks_raise_without_a_helper(name, make, error, words) -> None:
    code = transpiler.transpile(RAISES_SOURCE)
    defined = {n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)}
    assert not defined & {"require", "check_number", "check_integers", "check_index"}
    namespace = launchers(code, "raises")
    rows = 7 + torch.randint(0, 9, ()).item()
    x, idx = torch.randn(rows, 5) + 3, torch.randint(0, rows, (rows + 2,))
    if name == "scaled_gather":  # a vector gathered
        x, good = x[:, 0], (x[:, 0], idx, 0.5)
        want = x.double()[idx] * 0.5
    else:
        good, want = (x, x[:, 1]), x.double()[:, 2] + x[:, 1].double()
    torch.testing.assert_close(namespace[name](*good).double(), want)
    with pytest.raises(error, match=words):
        namespace[name](*make(x, idx))


WRAPPED_SIGNATURE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def scale_and_shift_rows_of_a_matrix(
    x: torch.Tensor,  # the rows
    shift_per_column: torch.Tensor, scale_for_every_value: float,
    *, shift_weight_for_the_columns: float = 0.5,
) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        values = x[tile_m, tile_n] * scale_for_every_value
        out[tile_m, tile_n] = values + shift_per_column[tile_n] * shift_weight_for_the_columns
    return out
"""


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])  # (float64: a float argument
def test_a_signature_wrapped_by_its_user_is_one_packed_signature(dtype: torch.dtype) -> None:
    # the user's lines (a comment, a trailing comma, a bare *) joined, then packed as any other
    code = transpiler.transpile(WRAPPED_SIGNATURE)
    start = code.index("def scale_and_shift_rows_of_a_matrix(")
    header = code[start : code.index(":\n", start) + 1].splitlines()
    assert header == [
        "def scale_and_shift_rows_of_a_matrix(x: torch.Tensor, shift_per_column: torch.Tensor,",
        "                                     scale_for_every_value: float, *,",
        "                                     shift_weight_for_the_columns: float = 0.5"
        ") -> torch.Tensor:",
    ]
    module = load_module(code, stem="wrapped_signature")
    x = torch.rand(7, 13, dtype=torch.float64).to(dtype) + 0.5
    shift = torch.rand(13, dtype=torch.float64).to(dtype) - 1.5
    wrapped = module.scale_and_shift_rows_of_a_matrix
    out = on_device(lambda x, shift: wrapped(x, shift, 1.75, shift_weight_for_the_columns=3.0))(
        x, shift
    )
    expected = x.double() * 1.75 + shift.double() * 3.0  # is refused meeting it, by design)
    close = {"rtol": 1e-6, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 2e-3, "atol": 2e-3}
    torch.testing.assert_close(out.double(), expected, **close)
    reference = reference_function(WRAPPED_SIGNATURE, "scale_and_shift_rows_of_a_matrix")
    eager = reference(x, shift, 1.75, shift_weight_for_the_columns=3.0)
    torch.testing.assert_close(eager.double(), out.double(), **close)


NAMED_ROWS = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def scaled_and_flagged(x: torch.Tensor):
    m, n = x.size()
    scales = torch.empty([m], dtype=x.dtype, device=x.device)
    flags = torch.empty([m, n], dtype=torch.bool, device=x.device)
    for tile in hl.tile(m):
        scale = x[tile, :].abs().amax(dim=1).clamp(min=1e-3) / 127.0
        scales[tile] = scale
        flags[tile, :] = x[tile, :] * 2.0 + x[tile, :].mean(-1, keepdim=True) > 0.1
    return scales, flags
"""


def test_a_computed_row_beside_an_inexact_number_is_named_once() -> None:
    # `number_as(0.001, row.dtype)` reads the row's dtype: a row that is more than a name is
    # bound to one first, so neither the clamp nor the comparison spells its expression twice
    code = transpiler.transpile(NAMED_ROWS)
    body = [line.strip() for line in code.splitlines()]
    assert any(line.startswith("unclamped = max_nan(") for line in body), code
    assert any(line.startswith("compared = x_tile") for line in body), code
    assert "number_as(0.001, unclamped.dtype)" in code and "number_as(0.1, compared.dtype)" in code
    assert not [line for line in body if line.count("max_nan(") > 1 or line.count("tl.sum(") > 1]
    module = load_module(code, stem="named_rows")
    # float64 rows, where 0.001 and 0.1 are not float32's; small rows take the clamp's bound
    x = (torch.rand(9, 21, dtype=torch.float64) + 0.5) * torch.where(torch.rand(9, 21) < 0.5, -1, 1)
    x[::3] *= 1e-4
    scales, flags = on_device(module.scaled_and_flagged)(x)
    torch.testing.assert_close(scales, x.abs().amax(dim=1).clamp(min=1e-3) / 127.0, rtol=0, atol=0)
    assert torch.equal(flags, x * 2.0 + x.mean(-1, keepdim=True) > 0.1)
