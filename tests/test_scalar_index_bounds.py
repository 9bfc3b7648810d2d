"""Scalar (0-d) indices built from tile attributes and grid indices (`x[tile.begin + 5]`,
`x[tile.end]`, `x[tile.id * 2 + 1]`, `x[i + 1]`, `y[tile.begin]` with y shorter): one element per
program, no mask, so an index past the dimension read memory past the tensor (the last value of
`beg` was garbage). Now the launcher checks each one's greatest (and, where it may be negative,
least) value once the block sizes are set, naming the user's line, as torch raises an
IndexError; an index provably inside (`x[tile.begin]` over hl.tile(x.size(0))) costs no line;
an index whose reach cannot be bounded is refused (scalar_reach.py). Each kernel: interpreter (or GPU)
against float64 eager torch on the CPU, and an sm_90 compile."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler as helion
import transpiler.language as hl


@helion.kernel(config=helion.Config(block_sizes=[4]))
def beg(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty([helion.cdiv(n, 4)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        out[tile.id] = x[tile.begin + 5]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def begin_plus_argument(x: torch.Tensor, k: int) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] + x[tile.begin + k]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def begin_plus_size(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m = y.size(0)
    out = torch.zeros_like(y)
    for tile in hl.tile(m):
        out[tile] = y[tile] * x[tile.begin + m]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def tile_ends(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        last = tile.end - 1
        out[tile] = x[tile] - x[last]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def tile_end_itself(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] - x[tile.end]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def begin_minus_one(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] + x[tile.begin - 1]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def odd_ids(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] * y[tile.id * 2 + 1]
    return out


@helion.kernel()
def grid_next(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for i in hl.grid(n):
        out[i] = x[i + 1] - x[i]
    return out


@helion.kernel()
def grid_differences(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for i in hl.grid(out.size(0)):
        out[i] = x[i + 1] - x[i]
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def ahead_of_y(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(y)
    for tile in hl.tile(y.size(0)):
        out[tile] = y[tile] - x[tile.begin + 5]
    return out


@helion.kernel()
def grid_doubled(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    n = y.size(0)
    out = torch.zeros_like(y)
    for i in hl.grid(n):
        out[i] = x[i * 2] + y[i]
    return out


@helion.kernel()
def inner_grid_shifted(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([m], dtype=x.dtype, device=x.device)
    for i in hl.grid(m):
        acc = x[i, 0] * 0.0
        for j in hl.grid(n):
            acc += x[i, j + 1]
        out[i] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def shorter_second(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] + y[tile.begin]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def begins_inside(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(x.size(0)):
        start = tile.begin
        out[tile] = x[tile] * x[start] + x[tile.end - 1]
    return out


@helion.kernel(config=helion.Config(block_sizes=[1, 8]))
def heads_first(q: torch.Tensor) -> torch.Tensor:
    bh, m, d = q.size()
    out = torch.zeros([bh, m], dtype=q.dtype, device=q.device)
    for tile_bh, tile_m in hl.tile([bh, m]):
        out[tile_bh.begin, tile_m] = q[tile_bh.begin, tile_m, :].sum(-1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def masked_ahead(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        ahead = tile.begin + 5
        out[tile] = x[tile] + hl.load(x, [ahead], extra_mask=ahead < n)
    return out


@helion.kernel(config=helion.Config(block_sizes=[4, 2]))
def inside_outer_tile(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        acc = hl.zeros([tile], dtype=torch.float32)
        for sub in hl.tile(tile.begin, tile.end):
            acc += x[sub.begin]
        out[tile] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[4, 2]))
def past_outer_tile(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(n):
        acc = hl.zeros([tile], dtype=torch.float32)
        for sub in hl.tile(tile.begin, tile.end):
            acc += x[sub.end]
        out[tile] = acc
    return out


def _tiles(n: int, block: int, first: int = 0):
    """(begin, end, id) of each tile of hl.tile(first, n) with `block`."""
    return [(b, min(b + block, n), b // block) for b in range(first, n, block)]


def _beg(x):
    return torch.stack([x[b + 5] for b, _, _ in _tiles(x.size(0), 4)])


def _begin_plus_argument(x, k):
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] + x[b + k]
    return out


def _begin_plus_size(x, y):
    out = torch.zeros_like(y)
    for b, e, _ in _tiles(y.size(0), 4):
        out[b:e] = y[b:e] * x[b + y.size(0)]
    return out


def _tile_ends(x):
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] - x[e - 1]
    return out


def _tile_end_itself(x):
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] - x[e]
    return out


def _begin_minus_one(x):  # x[-1] at the first tile: torch's last element
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] + x[b - 1]
    return out


def _odd_ids(x, y):
    out = torch.zeros_like(x)
    for b, e, i in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] * y[i * 2 + 1]
    return out


def _shorter_second(x, y):
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] + y[b]
    return out


def _begins_inside(x):
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] * x[b] + x[e - 1]
    return out


def _masked_ahead(x):
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = x[b:e] + (x[b + 5] if b + 5 < x.size(0) else 0.0)
    return out


def _inside_outer_tile(x):
    out = torch.zeros_like(x)
    for b, e, _ in _tiles(x.size(0), 4):
        out[b:e] = sum(x[s] for s in range(b, e, 2))
    return out


def _randn(*shape):
    return torch.randn(*shape) + 3.0  # never zero


def _ahead_of_y(x, y):
    out = torch.zeros_like(y)
    for b, e, _ in _tiles(y.size(0), 8):
        out[b:e] = y[b:e] - x[b + 5]
    return out


def _inner_grid_shifted(x):
    return x[:, 1:].sum(-1)


# name → (kernel, arguments whose indices stay inside, eager float64 truth)
INSIDE = {
    "begin+5 (x longer)": (ahead_of_y, (_randn(17), _randn(13)), _ahead_of_y),
    "begin+k": (begin_plus_argument, (_randn(16), 3), _begin_plus_argument),
    "begin+k negative": (begin_plus_argument, (_randn(13), -3), _begin_plus_argument),
    "begin+size": (begin_plus_size, (_randn(19), _randn(7)), _begin_plus_size),
    "end-1": (tile_ends, (_randn(13),), _tile_ends),
    "begin-1": (begin_minus_one, (_randn(11),), _begin_minus_one),
    "id*2+1": (odd_ids, (_randn(13), _randn(8)), _odd_ids),
    "grid i+1": (grid_differences, (_randn(9), torch.zeros(8)), lambda x, o: x[1:] - x[:-1]),
    "grid i*2": (grid_doubled, (_randn(11), _randn(6)), lambda x, y: x[0::2] + y),
    "y as long": (shorter_second, (_randn(13), _randn(13)), _shorter_second),
    "begins inside": (begins_inside, (_randn(13),), _begins_inside),
    "heads first": (heads_first, (_randn(3, 13, 4),), lambda q: q.sum(-1)),
    "masked": (masked_ahead, (_randn(13),), _masked_ahead),
    "inner tile of a tile": (inside_outer_tile, (_randn(15),), _inside_outer_tile),
}


def _float64(args):
    return [
        a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args
    ]


@pytest.mark.parametrize("name", list(INSIDE))
def test_inside_matches_eager_torch_and_compiles_for_sm_90(name):
    kernel, args, truth = INSIDE[name]
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    result = on_device(kernel)(*fresh)
    torch.testing.assert_close(result.double(), truth(*_float64(args)), rtol=1e-5, atol=1e-5)
    compiled = kernel.bind(tuple(args)).compile_for("sm_90")
    assert compiled and all(r.registers > 0 for r in compiled)


# name → (kernel, arguments reaching outside, the index torch refuses, the message)
OUTSIDE = {
    "begin+5": (beg, (_randn(14),), lambda x: x[17], r"line 25: x\[tile.begin \+ 5\] reaches index 17, outside x's dim 0 \(14\)"),
    "begin+5, x as long as y": (ahead_of_y, (_randn(13), _randn(13)), lambda x, y: x[13], r"x\[tile.begin \+ 5\] reaches index 13, outside x's dim 0 \(13\)"),
    "begin+k": (begin_plus_argument, (_randn(13), 2), lambda x, k: x[14], r"x\[tile.begin \+ k\] reaches indices 2 to 14"),
    "begin+k too negative": (begin_plus_argument, (_randn(13), -14), lambda x, k: x[-14], r"reaches indices -14 to -2, outside x's dim 0 \(13\)"),
    "begin+size": (begin_plus_size, (_randn(10), _randn(7)), lambda x, y: x[11], r"x\[tile.begin \+ m\] reaches index 11, outside x's dim 0 \(10\)"),
    "end": (tile_end_itself, (_randn(15),), lambda x: x[15], r"x\[tile.end\] reaches index 15"),
    "begin-1 of an empty x": (begin_minus_one, (torch.zeros(0),), None, None),  # no tile: no read
    "id*2+1": (odd_ids, (_randn(13), _randn(7)), lambda x, y: y[7], r"y\[tile.id \* 2 \+ 1\] reaches index 7, outside y's dim 0 \(7\)"),
    "grid i+1": (grid_next, (_randn(9),), lambda x: x[9], r"line \d+: x\[i \+ 1\] reaches index 9, outside x's dim 0 \(9\)"),
    "grid i*2": (grid_doubled, (_randn(10), _randn(6)), lambda x, y: x[10], r"x\[i \* 2\] reaches index 10, outside x's dim 0 \(10\)"),
    "inner grid j+1": (inner_grid_shifted, (_randn(3, 5),), lambda x: x[0, 5], r"x\[i, j \+ 1\] reaches index 5, outside x's dim 1 \(5\)"),
    "y shorter": (shorter_second, (_randn(13), _randn(11)), lambda x, y: y[12], r"y\[tile.begin\] reaches index 12, outside y's dim 0 \(11\)"),
    # (bounded by the outer tile's range: "up to", an inner loop's last begin is not known)
    "inner tile of a tile": (past_outer_tile, (_randn(15),), lambda x: x[15], r"x\[sub.end\] reaches up to index 15"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(OUTSIDE))
def test_outside_is_an_index_error_naming_the_line_before_the_launch(name):
    kernel, args, in_torch, message = OUTSIDE[name]
    if message is None:
        on_device(kernel)(*args)
        return
    with pytest.raises(IndexError, match=message) as caught:
        on_device(kernel)(*args)
    assert "with these sizes and block sizes" in str(caught.value)
    assert "extra_mask" in str(caught.value)  # the hint names the fix
    with pytest.raises(IndexError):  # eager torch refuses the same index
        in_torch(*args)


def test_provable_indices_cost_no_launcher_line():
    """`x[tile.begin]`, `x[tile.end - 1]` over hl.tile(x.size(0)), `q[tile_bh.begin, ...]`
    over q's own first dimension: inside whatever the sizes, no check."""
    for kernel, args in ((begins_inside, (_randn(9),)), (heads_first, (_randn(2, 5, 3),))):
        code = kernel.bind(args).triton_source
        assert "IndexError" not in code.split(f"\ndef {kernel.name}(")[1], kernel.name


def test_the_check_reads_the_block_sizes_the_launcher_sets():
    """The greatest begin is (n - 1) // BLOCK * BLOCK: checked after BLOCK_SIZE is set."""
    code = beg.bind((_randn(14),)).triton_source
    launcher = code.split("\ndef beg(")[1]
    assert launcher.index("BLOCK_SIZE = 4") < launcher.index("raise IndexError")
    assert "(n - 1) // BLOCK_SIZE * BLOCK_SIZE + 5 < x.size(0)" in launcher


AUTOTUNED = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def ahead(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(y)
    for tile in hl.tile(y.size(0)):
        out[tile] = y[tile] - x[tile.begin + 5]
    return out
"""


def test_autotuned_block_sizes_are_checked_in_grid_meta():
    """@triton.autotune chooses the block sizes: the check runs inside `grid(meta)`, with the
    block size the autotuner passes, before the launch."""
    configs = {"ahead": [{"block_sizes": [4], "num_warps": 1}, {"block_sizes": [16]}]}
    code = helion.transpile_module(AUTOTUNED, autotune_configs=configs).code
    grid = code[code.index("def grid(meta)") :].split("return")[0]
    assert 'BLOCK_SIZE = meta["BLOCK_SIZE"]' in grid
    assert "(y.size(0) - 1) // BLOCK_SIZE * BLOCK_SIZE + 5 < x.size(0)" in grid
    assert "line 11: x[tile.begin + 5] reaches index" in grid


UNBOUNDED = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[4]))
def product(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile.begin * tile.id]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def rebound(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(x.size(0)):
        start = tile.begin
        start = start * start
        out[tile] = x[start]
    return out
"""


def test_an_index_of_unknown_reach_transpiles_unchecked():
    """What the rules cannot bound (a product of two tile attributes, a name rebound from
    itself) is left unchecked, as before: refusing it refused Helion's own examples (mamba2's
    `tile_h.begin // (nheads // ngroups)`, gdn_fwd_h's inner `t_i.id`)."""
    module = helion.transpile_module(UNBOUNDED)
    assert "reaches" not in module.code


@helion.kernel(config=helion.Config(block_sizes=[4]))
def squares(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + x[tile.begin * tile.id]
    return out


def test_an_unchecked_index_inside_the_tensor_reads_what_torch_reads():
    x = _randn(7)  # begins 0, 4 and ids 0, 1: indices 0 and 4
    expected = x + torch.stack([x[(b // 4 * 4) * (b // 4)] for b in range(7)])
    torch.testing.assert_close(on_device(squares)(x), expected)
    assert squares.bind((x,)).compile_for("sm_90")


# An `if` that tests what the index reads is the user's own bound, as in Helion's persistent
# examples (`row = step * workers + worker; if row < m:`): no check, no refusal, right results.
@helion.kernel(config=helion.Config(block_sizes=[]))
def rows_by_workers(x: torch.Tensor, workers: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    steps = helion.cdiv(m, workers)
    for worker in hl.grid(workers):
        for step in hl.grid(steps):
            row = step * workers + worker
            if row < m:
                out[row, :] = x[row, :] * 2.0
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def guarded_ahead(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros([helion.cdiv(n, 4)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        if tile.begin + 5 < n:
            out[tile.id] = x[tile.begin + 5]
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def guarded_else(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros([helion.cdiv(n, 4)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        last = tile.begin + 3
        if last >= n:
            out[tile.id] = -1.0
        else:
            out[tile.id] = x[last]
    return out


def _rows_by_workers(x, workers):
    return x * 2.0


def _guarded(x, shift, otherwise):
    n = x.size(0)
    return torch.tensor(
        [x[b + shift].item() if b + shift < n else otherwise for b in range(0, n, 4)],
        dtype=x.dtype,
    )


GUARDED = {
    "rows by workers (3 of 13 rows)": (rows_by_workers, (_randn(13, 9), 3), _rows_by_workers),
    "rows by workers (5 of 4 rows)": (rows_by_workers, (_randn(4, 7), 5), _rows_by_workers),
    "if begin+5 < n": (guarded_ahead, (_randn(14),), lambda x: _guarded(x, 5, 0.0)),
    "else of last >= n": (guarded_else, (_randn(13),), lambda x: _guarded(x, 3, -1.0)),
}


@pytest.mark.parametrize("name", list(GUARDED))
def test_an_index_an_enclosing_if_tests_is_the_users_bound(name):
    kernel, args, truth = GUARDED[name]
    result = on_device(kernel)(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
    torch.testing.assert_close(result.double(), truth(*_float64(args)), rtol=1e-5, atol=1e-5)
    compiled = kernel.bind(tuple(args)).compile_for("sm_90")
    assert compiled and all(r.registers > 0 for r in compiled)


# A begin divided by a host value of unknown sign (grouped-query attention's key head,
# `tile_h.begin // group`): the index lies between 0 and the last begin's quotient.
@helion.kernel(config=helion.Config(block_sizes=[1]))
def shared_rows(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    rows, n = x.size()
    group = rows // table.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(rows):
        source = tile.begin // group
        out[tile, :] = x[tile, :] + table[source, :][None, :]
    return out


@helion.kernel(config=helion.Config(block_sizes=[2]))
def divided_by_argument(x: torch.Tensor, table: torch.Tensor, step: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * table[tile.begin // step]
    return out


def test_a_begin_divided_by_a_host_value_is_checked_both_ways():
    x, table = _randn(12, 5), _randn(4, 5)
    result = on_device(shared_rows)(x, table)
    torch.testing.assert_close(result, x + table.repeat_interleave(3, 0))
    x1, table1 = _randn(13), _randn(5)
    expected = x1 * torch.stack([table1[(b // 2 * 2) // 3] for b in range(13)])
    torch.testing.assert_close(on_device(divided_by_argument)(x1, table1, 3), expected)
    for step, index in ((2, 6), (-2, -6)):  # the last begin (12) // step, past table's 5
        with pytest.raises(IndexError, match=rf"reaches indices 0 to {index}, outside table"):
            on_device(divided_by_argument)(x1, table1, step)
    with pytest.raises(IndexError):  # torch refuses the same index
        table1[-6]
    code = shared_rows.bind((x, table)).triton_source
    assert (
        "-table.size(0) <= ((rows - 1) // BLOCK_SIZE * BLOCK_SIZE) // group < table.size(0)" in code
    )
    assert shared_rows.bind((x, table)).compile_for("sm_90")


@helion.kernel(config=helion.Config(block_sizes=[2]))
def divided_then_moved(x: torch.Tensor, table: torch.Tensor, step: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * table[tile.begin // step + 1]
    return out


def test_a_quotient_from_zero_moved_on_is_checked_as_any_index():
    # (the bounds 0 and q were once read back from their text, `min(0, q)`, and took
    # `min(0, q) + 1` for them: the launcher's check did not parse)
    x, table = _randn(13), _randn(5)
    expected = x * torch.stack([table[(b // 2 * 2) // 4 + 1] for b in range(13)])
    torch.testing.assert_close(on_device(divided_then_moved)(x, table, 4), expected)
    with pytest.raises(IndexError, match=r"reaches indices 1 to 5, outside table"):
        on_device(divided_then_moved)(x, table, 3)  # the last begin (12) // 3 + 1, past table's 4
