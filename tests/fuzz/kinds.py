"""The kinds of generated kernels: element-wise, whole-dimension reductions, accumulators, grids."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from .expressions import (
    FLOAT_INPUT_BOUND,
    INT_INPUT_BOUND,
    MAX_FLOAT_BOUND,
    MAX_INT_BOUND,
    OPEN_BUGS,
    Term,
    temporaries,
    terms,
)
from .parts import (
    BLOCKS,
    MAX_REDUCED,
    SIZE_NAMES,
    FuzzKernel,
    allocate,
    assign,
    block_config,
    input_bound,
    joined,
    leaf_terms,
    render,
    signature,
    sizes_line,
    tile_call,
)


@st.composite
def elementwise_kernels(draw, rank: int, integer: bool) -> FuzzKernel:
    """One tile loop over every dimension; a few statements of element-wise arithmetic."""
    bound = input_bound(draw, integer)
    names = SIZE_NAMES[rank]
    tiles = [f"tile_{n}" for n in names]
    leaves, tensors, scalar = draw(leaf_terms(rank, tiles, integer, bound))
    decorator, blocks = block_config(draw, rank)
    body = sizes_line(draw, rank)
    allocation, _ = allocate(draw, names, integer, like_x=True)
    body.append(allocation)
    whole = draw(st.booleans()) and len(leaves) == 1 + scalar and not blocks
    if whole:  # `for tile in hl.tile(x.size()):` with one multi-dimensional tile
        scalars = [leaf for leaf in leaves if not leaf.tensor]
        leaves = [Term("x[tile]", bound, exact=True, axes=frozenset(range(rank))), *scalars]
        body.append(f"for tile in hl.tile({draw(st.sampled_from(['x', 'out']))}.size()):")
        store = "out[tile]"
    elif rank == 1 and draw(st.integers(0, 3)) == 3:  # hl.tile(begin, end): out starts zeroed
        body[-1] = body[-1].replace("torch.empty", "torch.zeros")
        begin = draw(st.sampled_from(["1", "3", "n // 2"]))
        body.append(f"for {tiles[0]} in {tile_call([begin, 'n'], blocks, ranges=True)}:")
        store = f"out[{tiles[0]}]"
    elif rank == 1:
        body.append(f"for {tiles[0]} in {tile_call(names, blocks)}:")
        store = f"out[{tiles[0]}]"
    else:
        body.append(f"for {', '.join(tiles)} in {tile_call(names, blocks)}:")
        store = f"out[{joined(tiles)}]"
    fresh = temporaries()
    for number in range(draw(st.integers(0, 2))):
        term = draw(terms(leaves, integer))
        assign(body, 1, f"t{number}", term.code, fresh)
        leaves = [
            *leaves,
            Term(f"t{number}", term.bound, term.lossy, tensor=term.tensor, axes=term.axes),
        ]
    final = draw(terms(leaves, integer))
    assign(body, 1, store, final.code, fresh)
    lossy = any(t.lossy for t in leaves) or final.lossy
    if draw(st.integers(0, 3)) == 3:  # an augmented store reads back what was stored
        extra = draw(terms(leaves, integer, depth=1))
        if final.bound + extra.bound <= (MAX_INT_BOUND if integer else MAX_FLOAT_BOUND):
            assign(body, 1, store, extra.code, fresh, operator="+=")
            lossy = lossy or extra.lossy
    body.append("return out")
    return FuzzKernel(
        render(decorator, signature(tensors, scalar, integer), body),
        rank,
        integer,
        tensors,
        scalar,
        None,
        bound,
        lossy,
    )


FLOAT_REDUCTIONS = ["sum", "mean", "amax", "amin", "logsumexp", "var", "softmax", "log_softmax"]
FLOAT_REDUCTIONS += ["cumsum", "argmax", "argmin"]
INT_REDUCTIONS = ["sum", "amax", "amin", "cumsum", "argmax", "argmin"]
KEEPS_SHAPE = {"softmax", "log_softmax", "cumsum"}
EMPTY_OK = {"sum", "cumsum", "softmax", "log_softmax"}


def _reduction_bound(name: str, bound: float) -> float:
    return {
        "sum": bound * MAX_REDUCED,
        "cumsum": bound * MAX_REDUCED,
        "var": bound * bound * 2,
        "softmax": 1.0,
        "log_softmax": 2 * bound + math.log(MAX_REDUCED),
        "logsumexp": bound + math.log(MAX_REDUCED),
        "argmax": MAX_REDUCED,
        "argmin": MAX_REDUCED,
    }.get(name, bound)


@st.composite
def reduction_kernels(draw, rank: int, integer: bool) -> FuzzKernel:
    """Tiles over all dimensions but one, loaded whole (`x[tile_m, :]`) and reduced."""
    bound = input_bound(draw, integer)
    names = SIZE_NAMES[rank]
    reduced = draw(st.integers(0, rank - 1))
    kept = [n for i, n in enumerate(names) if i != reduced]
    index = [":" if i == reduced else f"tile_{n}" for i, n in enumerate(names)]
    leaves, tensors, scalar = draw(leaf_terms(rank, index, integer, bound))
    decorator, blocks = block_config(draw, rank - 1)
    body = sizes_line(draw, rank)
    tiles = [t for t in index if t != ":"]
    ops = INT_REDUCTIONS if integer else FLOAT_REDUCTIONS
    if integer and "integer-amax" in OPEN_BUGS:
        ops = [op for op in ops if op not in ("amax", "amin")]
    if bound * MAX_REDUCED > MAX_INT_BOUND:  # sums of large integers would overflow int32
        ops = [op for op in ops if op not in ("sum", "cumsum")]
    op = draw(st.sampled_from(ops))
    reduce_to_out = op not in KEEPS_SHAPE and draw(st.booleans())
    shape = kept if reduce_to_out else names
    allocation, _ = allocate(draw, shape, integer, like_x=not reduce_to_out)
    body.append(allocation)
    body.append(f"for {', '.join(tiles)} in {tile_call(kept, blocks)}:")
    value = draw(terms(leaves, integer, depth=2))
    if op in ("argmax", "argmin") or not value.tensor:
        value = leaves[0]  # argmax on loads only: ties break alike in every precision
    fresh = temporaries()
    assign(body, 1, "values", value.code, fresh)
    dim = draw(st.sampled_from([str(reduced), str(reduced - rank)]))
    keepdim = op not in KEEPS_SHAPE and not reduce_to_out and draw(st.booleans())
    keyword = ", keepdim=True" if keepdim else ""
    spelling = draw(st.sampled_from(["function", "method"]))
    if spelling == "function":
        call = f"torch.{op}(values, dim={dim}{keyword})"
    else:
        call = f"values.{op}(dim={dim}{keyword})"
    if op == "var" and draw(st.booleans()):
        call = call[:-1] + ", correction=0)"
    body.append(f"    reduced = {call}")
    result = Term("reduced", _reduction_bound(op, value.bound), value.lossy)
    if op in ("argmax", "argmin") and not integer:
        result = Term("reduced.float()", result.bound)
    if reduce_to_out:
        final = draw(terms([result], integer, depth=1))
        assign(body, 1, f"out[{joined(tiles)}]", final.code, fresh)
    else:
        if op not in KEEPS_SHAPE and not keepdim:
            spread = ", ".join("None" if i == reduced else ":" for i in range(rank))
            style = draw(st.sampled_from(["index", "unsqueeze"]))
            result = Term(
                f"reduced[{spread}]" if style == "index" else f"reduced.unsqueeze({reduced})",
                result.bound,
                result.lossy,
            )
        values = Term("values", value.bound, value.lossy)
        final = draw(terms([result, values, *leaves], integer, depth=2))
        if result.code not in final.code:  # the store must depend on the reduction
            total = result.bound + final.bound
            final = Term(f"{result.operand()} - {final.operand()}", total, final.lossy)
        if final.bound > (MAX_INT_BOUND if integer else MAX_FLOAT_BOUND) * MAX_REDUCED:
            final = result
        assign(body, 1, f"out[{joined(index)}]", final.code, fresh)
    body.append("return out")
    return FuzzKernel(
        render(decorator, signature(tensors, scalar, integer), body),
        rank,
        integer,
        tensors,
        scalar,
        None if op in EMPTY_OK else reduced,
        bound,
        value.lossy or final.lossy,
    )


@st.composite
def accumulator_kernels(draw, rank: int, integer: bool) -> FuzzKernel:
    """Tiles over all dimensions but one; an inner tile loop over it adds into an accumulator."""
    kinds = ["+=", "sum", "max", "min"]
    if integer and "integer-amax" in OPEN_BUGS:
        kinds = ["+=", "sum"]
    kind = draw(st.sampled_from(kinds))
    bound = input_bound(draw, integer) if kind in ("max", "min") else FLOAT_INPUT_BOUND
    bound = INT_INPUT_BOUND if integer and kind not in ("max", "min") else bound
    names = SIZE_NAMES[rank]
    inner = draw(st.integers(0, rank - 1))
    kept = [n for i, n in enumerate(names) if i != inner]
    tiles = [f"tile_{n}" for n in names]
    outer = [t for i, t in enumerate(tiles) if i != inner]
    leaves, tensors, scalar = draw(leaf_terms(rank, tiles, integer, bound))
    inner_block = draw(st.sampled_from([None, *BLOCKS]))
    decorator, blocks = block_config(draw, rank - 1, inner=int(inner_block is None))
    body = sizes_line(draw, rank)
    body.append(allocate(draw, kept, integer, like_x=False)[0])
    body.append(f"for {', '.join(outer)} in {tile_call(kept, blocks)}:")
    dtype = "torch.int64" if integer else "torch.float32"  # torch sums ints in int64
    extreme = "2**30"
    start = {
        "max": f"-{extreme}" if integer else 'float("-inf")',
        "min": extreme if integer else 'float("inf")',
    }
    if kind in start:
        body.append(f"    acc = hl.full([{', '.join(outer)}], {start[kind]}, dtype={dtype})")
    else:
        body.append(f"    acc = hl.zeros([{', '.join(outer)}], dtype={dtype})")
    inner_call = tile_call([names[inner]], None if inner_block is None else [inner_block])
    body.append(f"    for {tiles[inner]} in {inner_call}:")
    value = draw(terms(leaves, integer, depth=2))
    if inner not in value.axes:  # else the sum would count the inner tiles: no reference
        value = Term(f"{value.operand()} + {leaves[0].code}", value.bound + bound, value.lossy)
    fresh = temporaries()
    assign(body, 2, "values", value.code, fresh)
    if kind == "+=":
        body.append(f"        acc += values.sum(dim={inner})")
    elif kind == "sum":
        body.append(f"        acc = acc + torch.sum(values, dim={inner})")
    else:
        op = "amax" if kind == "max" else "amin"
        body.append(
            f"        acc = torch.{'maximum' if kind == 'max' else 'minimum'}(acc, values.{op}(dim={inner}))"
        )
    # an empty inner range leaves max / min at +-inf: what follows must stay defined there
    total = MAX_REDUCED * value.bound if kind in ("+=", "sum") else value.bound
    safe = kind in ("+=", "sum") or integer
    final = draw(terms([Term("acc", total)], integer, depth=1)) if safe else Term("acc", total)
    assign(body, 1, f"out[{joined(outer)}]", final.code, fresh)
    body.append("return out")
    return FuzzKernel(
        render(decorator, signature(tensors, scalar, integer), body),
        rank,
        integer,
        tensors,
        scalar,
        None,
        bound,
        value.lossy or final.lossy,
    )


@st.composite
def grid_kernels(draw, integer: bool) -> FuzzKernel:
    """`for i in hl.grid(m):` over rows loaded whole (`x[i, :]`), optionally reduced."""
    bound = input_bound(draw, integer)
    leaves = [Term("x[i, :]", bound, exact=True, axes=frozenset([0]))]
    tensors = [("x", "full")]
    if draw(st.booleans()):
        leaves.append(Term("y[i, :]", bound, exact=True, axes=frozenset([0])))
        tensors.append(("y", "full"))
    if draw(st.booleans()):
        leaves.append(Term("w[:]", bound, exact=True, axes=frozenset([0])))
        tensors.append(("w", "last"))
    if draw(st.booleans()):
        leaves.append(Term("v[i]", bound, exact=True))
        tensors.append(("v", "first"))
    scalar = draw(st.booleans())
    if scalar:
        leaves.append(Term("alpha", bound, tensor=False, exact=True))
    if draw(st.booleans()):
        leaves.append(Term("(i % 3)", 2, tensor=False, exact=True))
    body = sizes_line(draw, 2)
    body.append(allocate(draw, ["m", "n"], integer, like_x=True)[0])
    body.append("for i in hl.grid(m):")
    fresh = temporaries()
    value = draw(terms(leaves, integer, depth=2))
    if 0 not in value.axes:  # a row, not a 0-d value: torch reduces those, the transpiler not
        code = f"{value.operand()} + {leaves[0].code}"
        value = Term(code, value.bound + bound, value.lossy, axes=frozenset([0]))
    assign(body, 1, "values", value.code, fresh)
    available = [*leaves, Term("values", value.bound, value.lossy, axes=value.axes)]
    nonempty = None
    ops = INT_REDUCTIONS if integer else FLOAT_REDUCTIONS
    ops = [op for op in ops if op not in ("argmax", "argmin", "cumsum", "softmax", "log_softmax")]
    if integer and "integer-amax" in OPEN_BUGS:
        ops = [op for op in ops if op not in ("amax", "amin")]
    if integer and bound * MAX_REDUCED > MAX_INT_BOUND:
        ops = [op for op in ops if op != "sum"]
    if ops and draw(st.booleans()):
        op = draw(st.sampled_from(ops))
        keepdim = draw(st.sampled_from(["", ", keepdim=True"]))
        assign(
            body,
            1,
            "reduced",
            f"torch.{op}(values, dim={draw(st.sampled_from([0, -1]))}{keepdim})",
            fresh,
        )
        available.append(Term("reduced", _reduction_bound(op, value.bound), value.lossy))
        nonempty = None if op in EMPTY_OK else 1
    final = draw(terms(available, integer, depth=2))
    if nonempty is not None and "reduced" not in final.code:
        total = final.bound + available[-1].bound
        final = Term(f"reduced - {final.operand()}", total, final.lossy or value.lossy)
    if final.bound > (MAX_INT_BOUND if integer else MAX_FLOAT_BOUND) * MAX_REDUCED:
        final = available[-1]
    assign(body, 1, "out[i, :]", final.code, fresh)
    body.append("return out")
    return FuzzKernel(
        render("", signature(tuple(tensors), scalar, integer), body),
        2,
        integer,
        tuple(tensors),
        scalar,
        nonempty,
        bound,
        value.lossy or final.lossy,
    )
