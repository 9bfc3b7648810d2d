"""Mistakes in device values, as ML engineers make them: blocks of two loops that do not
broadcast, a reduction over the wrong dim, a product assigned where it accumulates, a tensor
allocated inside the loop, a tuple stored. Each names its line, its column and the fix. Rows
marked `was:` were silently wrong or had a hint that named no fix before."""

from __future__ import annotations

from mistakes10 import (
    X1,
    X2,
    XY,
    each_row,
    grid,
    kernel,
    matmul,
    refused_as_the_row_says,
    rows,
)

K_LOOP = "acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)\n        for tile_k in hl.tile(k):\n            STEP\n        out[tile_m, tile_n] = acc"
BLOCKS = "@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))"


def k_loop(step: str) -> str:
    """An x @ y kernel whose K loop (line 13) does `step` (line 14)."""
    return matmul(K_LOOP.replace("STEP", step), decorator=BLOCKS)


def helper(definition: str, body: str) -> str:
    """A plain function (its def on line 6) that the kernel's loop (line 13) calls."""
    return "\n" + definition + kernel(body)


# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    # --- shapes of two loops, stores, reductions ------------------------------------------------
    ("block-of-the-inner-loop-against-the-outer",
     kernel("a = x[tile_m, 0]\n        for tile_n in hl.tile(n):\n"
            "            out[tile_m, tile_n] = a + x[tile_n, 0]", before="    m, n = x.size()\n"
            "    out = torch.empty_like(x)\n", loop="for tile_m in hl.tile(m):"),
     "k(torch.randn(8, 8))", "ShapeError", 13, "a + x", "cannot broadcast tile_m against tile_n",
     "[:, None]"),
    ("two-d-block-into-one-d-out", grid("out[tile_m] = x[tile_m, tile_n]", before=(
        "    m, n = x.size()\n    out = torch.empty([m], device=x.device)\n")), f"k({X2})",
     "ShapeError", 11, "out[tile_m]", "storing a 2-D value into a 1-D tile", "same tiles"),
    ("sum-over-the-wrong-dim", rows("out[tile] = x[tile, :].sum(0)"), f"k({X2})", "ShapeError",
     11, "out[tile]", "spans ':' (all n of dim 1 of x) where the target has tile",
     "tiles match the target"),
    ("keepdim-into-one-d", rows("out[tile] = x[tile, :].sum(1, keepdim=True)"), f"k({X2})",
     "ShapeError", 11, "out[tile]", "storing a 2-D value into a 1-D tile", "[:, None]"),
    ("softmax-row-into-one-d", rows("out[tile] = torch.softmax(x[tile, :], dim=0)"), f"k({X2})",
     "ShapeError", 11, "out[tile]", "2-D value into a 1-D tile", "same tiles"),
    ("accumulator-without-its-sum",
     rows("acc = hl.zeros([tile], dtype=torch.float32)\n        for tile_n in hl.tile(n):\n"
          "            acc += x[tile, tile_n]\n        out[tile] = acc"), f"k({X2})",
     "ShapeError", 13, "acc +=", "cannot broadcast tile against tile_n", "[:, None]"),
    ("new-axis-then-a-one-d-store", kernel("out[tile] = x[tile, None]"), f"k({X1})",
     "ShapeError", 10, "out[tile]", "storing a 2-D value into a 1-D tile", "[:, None]"),
    ("unsqueezed-into-one-d", kernel("out[tile] = x[tile].unsqueeze(0)"), f"k({X1})",
     "ShapeError", 10, "out[tile]", "more dimensions than the target", "keepdim=False"),
    ("whole-out-from-one-tile", kernel("out[:] = x[tile]"), f"k({X1})", "ShapeError", 10,
     "out[:]", "the value spans tile where the target has ':'", "tiles match"),
    ("sum-over-a-tile-name", rows("out[tile] = x[tile, :].sum(tile)"), f"k({X2})",
     "UnsupportedConstructError", 11, "tile)", "dim must be an integer constant", ""),
    ("numpy-axis-keyword", rows("out[tile] = x[tile, :].sum(axis=1)"), f"k({X2})",
     "UnknownKeywordError", 11, "axis=1", "has no parameter 'axis'", "sum(input, dim=None"),
    ("view-minus-one", grid("out[tile_m, tile_n] = x[tile_m, tile_n].view(-1)"), f"k({X2})",
     "ShapeError", 11, "-1)", "view()'s -1 is inferred where the other sizes are the block's own",
     "tile.block_size"),
    ("reshape-to-fixed-sizes", kernel("out[tile] = x[tile].reshape(4, 8)"), f"k({X1})",
     "ShapeError", 10, "out[tile]", "storing a 2-D value into a 1-D tile", "same tiles"),
    # --- products -------------------------------------------------------------------------------
    ("product-with-transposed-operand", k_loop("acc += x[tile_m, tile_k] @ y[tile_n, tile_k]"), XY,
     "ShapeError", 14, "x[tile_m, tile_k] @", "inner dimensions differ: tile_k against tile_n",
     "same tile along K"),
    ("two-k-loops-for-one-product",
     k_loop("for tile_k2 in hl.tile(k):\n                acc += x[tile_m, tile_k] @ "
            "y[tile_k2, tile_n]"), XY, "ShapeError", 15, "x[tile_m, tile_k] @",
     "tile_k against tile_k2", "same tile along K"),
    ("torch-matmul-of-two-row-blocks",
     matmul("out[tile_m, tile_n] = torch.matmul(x[tile_m, :], y[tile_n, :])"), XY, "ShapeError",
     12, "torch.matmul", "inner dimensions differ", "same tile along K"),
    ("product-assigned-not-accumulated",  # was: silently only the last K block's product
     k_loop("acc = x[tile_m, tile_k] @ y[tile_k, tile_n]"), XY, "ShapeError", 14, "acc =",
     "acc is overwritten on each step of the tile_k loop", "acc += ..."),
    ("dot-assigned-not-accumulated",  # was: as above
     k_loop("acc = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n])"), XY, "ShapeError", 14, "acc =",
     "holds only the last block's product", "acc=acc"),
    ("accumulator-zeroed-in-the-k-loop",  # was: silently only the last K block's product
     matmul("for tile_k in hl.tile(k):\n            acc = hl.zeros([tile_m, tile_n], "
            "dtype=torch.float32)\n            acc += x[tile_m, tile_k] @ y[tile_k, tile_n]\n"
            "            out[tile_m, tile_n] = acc", decorator=BLOCKS), XY, "ShapeError", 13,
     "acc =", "acc is reset on every step of the tile_k loop", "above `for tile_k in ...`"),
    ("accumulator-born-in-the-k-loop",
     matmul("for tile_k in hl.tile(k):\n            acc = hl.zeros([tile_m, tile_n], "
            "dtype=torch.float32)\n            acc += x[tile_m, tile_k] @ y[tile_k, tile_n]\n"
            "        out[tile_m, tile_n] = acc", decorator=BLOCKS), XY, "UndefinedNameError", 15,
     "acc", "'acc' is not defined before", "define it"),
    ("accumulator-plus-an-x-block", k_loop("acc = acc + x[tile_m, tile_k]"), XY, "ShapeError", 14,
     "acc + x", "cannot broadcast tile_n against tile_k", "[:, None]"),
    ("product-with-the-whole-weight", matmul("out[tile_m, tile_n] = x[tile_m, :] @ y"), XY,
     "ShapeError", 12, "y", "whole tensor 'y' used as a value",
     "y[tile]"),
    ("host-accumulator", kernel(
        "for tile_k in hl.tile(k):\n            acc += x[tile_m, tile_k] @ y[tile_k, tile_n]\n"
        "        out[tile_m, tile_n] = acc", params="x: torch.Tensor, y: torch.Tensor",
        before="    m, k = x.size()\n    n = y.size(1)\n    out = torch.empty([m, n], "
        "device=x.device)\n    acc = torch.zeros([m, n])\n",
        loop="for tile_m, tile_n in hl.tile([m, n]):"), XY, "HostVariableModifiedError", 14,
     "acc +=", "'acc' is a host variable", "acc[tile] = ..."),
    ("max-along-a-dim-stored",  # was: hint "device code is straight-line tensor arithmetic"
     rows("out[tile] = x[tile, :].max(1)"), f"k({X2})", "UnsupportedConstructError", 11,
     "out[tile]", "a tuple used as a value", ".max(1).values"),
    ("torch-max-along-a-dim-stored",  # was: as above
     rows("out[tile] = torch.max(x[tile, :], dim=1)"), f"k({X2})", "UnsupportedConstructError",
     11, "out[tile]", "a tuple used as a value", "torch.amax(v, 1)"),
    # --- tensors made, and host calls, inside the loop ------------------------------------------
    ("empty-like-of-a-block",  # was: hint "see docs/ops.md for the supported ops"
     kernel("v = torch.empty_like(x[tile])\n        out[tile] = x[tile] + v"), f"k({X1})",
     "UnsupportedOpError", 10, "empty_like", "'empty_like' is not supported", "torch.zeros_like(v)"),
    ("new-empty-of-a-block",  # was: as above
     kernel("v = x[tile].new_empty(16)\n        out[tile] = x[tile] + v"), f"k({X1})",
     "UnsupportedOpError", 10, "new_empty", "'new_empty'", "v.new_zeros"),
    ("randn-in-the-loop",  # was: hint "did you mean round?"
     kernel("out[tile] = x[tile] + torch.randn(16)"), f"k({X1})", "UnsupportedOpError", 10,
     "randn", "'randn'", "hl.rand([tile], seed)"),
    ("eye-in-the-loop",  # was: hint "see docs/ops.md for the supported ops"
     kernel("out[tile] = x[tile] + torch.eye(4)[0]"), f"k({X1})", "UnsupportedOpError", 10,
     "eye", "'eye'", "make the tensor in host code"),
    ("zeros-like-of-the-whole-input", kernel("out[tile] = x[tile] + torch.zeros_like(x)[tile]"),
     f"k({X1})", "ShapeError", 10, "torch.zeros_like", "the whole tensor 'x' used as a value",
     "x[tile]"),
    ("hl-zeros-on-the-host",  # was: hint "use plain Python here"
     kernel("out[tile] = x[tile] + acc[tile]", before="    acc = hl.zeros([x.size(0)], "
            "dtype=torch.float32)\n    out = torch.empty_like(x)\n"), f"k({X1})",
     "UnsupportedConstructError", 8, "hl.zeros", "hl.zeros makes values inside a device loop",
     "torch.zeros(..., device=x.device)"),
    ("add-in-place-on-a-load", kernel("x[tile].add_(1)\n        out[tile] = x[tile]"), f"k({X1})",
     "UnsupportedOpError", 10, "add_", "'add_'", "add"),
    ("store-into-an-hl-zeros-block",
     kernel("acc = hl.zeros([tile], dtype=torch.float32)\n        acc[0] = 1.0\n"
            "        out[tile] = acc"), f"k({X1})", "StoreTargetError", 11, "acc[0]",
     "'acc' is not a tensor from the host", "allocated before the loop"),
    ("out-rebound-to-a-block", kernel("out = x[tile] * 2"), f"k({X1})",
     "HostVariableModifiedError", 10, "out =", "'out' is a host variable", "out[tile] = ..."),
    ("helper-calls-item", helper("def scaled(v):\n    return v * v.max().item()\n",
     "out[tile] = scaled(x[tile])"), f"k({X1})", "HostSyncError", 7, "item()",
     ".item() inside a device loop", "compute host values before the loop"),
    ("numpy-dtype-in-to",
     "\nimport numpy as np\n" + kernel("out[tile] = x[tile].to(np.float32)"), f"k({X1})",
     "UnsupportedConstructError", 12, "np.float32", "a conversion inside a device loop takes a dtype",
     "v.to(torch.float32)"),
    ("python-float-as-a-dtype",
     kernel("acc = hl.zeros([tile], dtype=float)\n        out[tile] = acc + x[tile]"), f"k({X1})",
     "UnsupportedConstructError", 10, "hl.zeros", "not a dtype the kernel knows",
     "dtype=torch.float32"),
    # --- Python's own functions and helpers, given blocks --------------------------------------
    ("python-sum-of-a-block",  # was: "name 'sum' is not defined", hint "define it"
     kernel("out[tile] = x[tile] - sum(x[tile])"), f"k({X1})", "UnsupportedConstructError", 10,
     "sum(", "Python's sum() inside a device loop", "v.sum()"),
    ("python-any-of-a-block",  # was: as above
     kernel("out[tile] = x[tile] * any(x[tile] > 0)"), f"k({X1})", "UnsupportedConstructError",
     10, "any(", "Python's any()", "v.any()"),
    ("python-max-of-one-block",  # was: hint "device code is straight-line tensor arithmetic"
     kernel("out[tile] = x[tile] - max(x[tile])"), f"k({X1})", "UnsupportedConstructError", 10,
     "max(", "max() inside a device loop", "v.max()"),
    ("helper-looping-over-a-block",  # was: "calling a value inside a device loop", at the call
     helper("def total(v):\n    s = 0\n    for e in v:\n        s = s + e\n    return s\n",
            "out[tile] = x[tile] * total(x[tile])"), f"k({X1})", "UnsupportedConstructError", 8,
     "for e", "total(), called in a device loop (line 16), cannot be inlined", "v.sum(dim)"),
    ("helper-without-return",  # was: as above
     helper("def doubled(v):\n    v * 2\n", "out[tile] = doubled(x[tile])"), f"k({X1})",
     "UnsupportedConstructError", 7, "v * 2", "does not end in `return <expression>`",
     "`return <expression>`"),
    ("helper-missing-an-argument",  # was: hint "pass a lambda or a def whose source ..."
     helper("def scaled(v, s=2.0):\n    return v * s\n", "out[tile] = scaled(x[tile])"),
     f"k({X1})", "CallableArgumentError", 13, "scaled(x", "takes 2 positional arguments, 1 given",
     "scaled(v, s)"),
    ("helper-by-keyword",  # was: "takes 2 positional arguments" for a keyword
     helper("def scaled(v, s):\n    return v * s\n", "out[tile] = scaled(x[tile], sc=3.0)"),
     f"k({X1})", "CallableArgumentError", 13, "scaled(x", "by position, not sc=",
     "pass every argument by position: scaled(v, s)"),
    ("hl-zeros-of-two-tiles-unlisted",  # was: hint "not a string or a tensor"
     grid("acc = hl.zeros(tile_m, tile_n)\n        out[tile_m, tile_n] = acc"), f"k({X2})",
     "UnsupportedConstructError", 11, "tile_n)", "dtype=tile_n of hl.zeros() must be a dtype",
     "hl.zeros([..., tile_n], dtype=...)"),
    ("torch-tensor-of-a-block", kernel("out[tile] = torch.tensor(x[tile])"), f"k({X1})",
     "UnsupportedOpError", 10, "tensor(", "it allocates a tensor", "allocate tensors in host code"),
    ("any-of-a-block-as-a-condition",
     kernel("if (x[tile] > 0).any():\n            out[tile] = x[tile]"), f"k({X1})",
     "BlockDependentError", 10, "(x[tile] > 0)", "reduces over the lanes of a grid tile",
     "torch.where"),
]  # fmt: skip


@each_row(MISTAKES)
def test_a_value_mistake_says_what_where_and_the_fix(
    source, call, kind, line, marker, message, hint
):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)


def test_the_table_has_its_rows():
    assert len(MISTAKES) >= 30
    assert len({row[0] for row in MISTAKES}) == len(MISTAKES)
