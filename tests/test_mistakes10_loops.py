"""Mistakes in loops and tiles, as students make them: a range counted by a block, a device loop
wrapped in enumerate, a tile's begin used as a tensor, block sizes that cannot be. Each names its
line, its column and the fix. Rows marked `was:` were silently wrong or crashed before."""

from __future__ import annotations

from mistakes10 import X1, X2, each_row, grid, kernel, refused_as_the_row_says, rows

RANGE_SUM = "acc = x[tile]\n        for i in range(COUNT):\n            acc = acc + 1\n        out[tile] = acc"
BLOCK_SIZE = "    b = hl.register_block_size(ARGS)\n    out = torch.empty_like(x)\n"
SIZED_LOOP = "for tile in hl.tile(x.size(0), block_size=b):"


def range_sum(count: str) -> str:
    return kernel(RANGE_SUM.replace("COUNT", count))


def registered(args: str, loop: str = SIZED_LOOP) -> str:
    return kernel("out[tile] = x[tile]", before=BLOCK_SIZE.replace("ARGS", args), loop=loop)


# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    # --- range() inside a device loop -----------------------------------------------------------
    ("range-of-a-block-sum",  # was: ran, each block counting its own partial sum
     range_sum("x[tile].sum()"), f"k({X1})", "BlockDependentError", 11, "x[tile].sum()",
     "range() bound reduces over the lanes of a grid tile", "store the total"),
    ("range-of-int-of-a-block-sum",  # was: ran, as above
     range_sum("int(x[tile].sum())"), f"k({X1})", "BlockDependentError", 11, "int(x[tile]",
     "partial total", "range(n)"),
    ("range-of-a-block", range_sum("x[tile]"), f"k({X1})", "TileArgumentError", 11, "x[tile])",
     "must be one integer, not a block of values", "torch.where"),
    ("range-of-a-float", range_sum("2.5"), f"k({X1})", "TileArgumentError", 11, "2.5",
     "must be one integer, not a float", "a host size"),
    # --- the device loop itself -----------------------------------------------------------------
    ("enumerate-of-hl-tile",  # was: "k() has no hl.tile / hl.grid loop", at the def
     kernel("out[tile] = x[tile] + i", loop="for i, tile in enumerate(hl.tile(x.size(0))):"),
     f"k({X1})", "UnsupportedConstructError", 9, "enumerate", "enumerate(hl.tile(...))",
     "tile.id"),
    ("zip-of-two-hl-tiles",  # was: as above
     kernel("out[a, b] = x[a, b]", before="    m, n = x.size()\n    out = torch.empty_like(x)\n",
            loop="for a, b in zip(hl.tile(m), hl.tile(n)):"),
     f"k({X2})", "UnsupportedConstructError", 10, "zip", "zip(hl.tile(...))",
     "for tile_m, tile_n in hl.tile([m, n])"),
    ("begin-and-end-for-two-dims", grid("out[tile_m, tile_n] = x[tile_m, tile_n]").replace(
        "hl.tile([m, n])", "hl.tile(m, n)"), f"k({X2})", "TileArgumentError", 10, "tile_m, tile_n in",
     "2 names for 1 loop dimensions", "hl.tile([m, n])"),
    ("tile-of-a-list-of-the-tensor",
     kernel("out[tile] = x[tile]", loop="for tile in hl.tile([x]):"), f"k({X1})",
     "TileArgumentError", 9, "x]", "not the tensor x", "hl.tile(x.size(0))"),
    ("tile-of-numel-uncalled",  # was: the hint "device code is straight-line tensor arithmetic"
     kernel("out[tile] = x[tile]", loop="for tile in hl.tile(x.numel):"), f"k({X1})",
     "UnsupportedConstructError", 9, "x.numel", "attribute .numel", "x.numel()"),
    ("tile-of-size-uncalled",
     kernel("out[tile] = x[tile]", loop="for tile in hl.tile(x.size):"), f"k({X1})",
     "UnsupportedConstructError", 9, "x.size", "attribute .size", "call it, x.size()"),
    ("inner-tile-after-its-loop",
     rows("acc = hl.zeros([tile], dtype=torch.float32)\n        for tile_n in hl.tile(n):\n"
          "            acc += x[tile, tile_n].sum(1)\n        out[tile] = acc + x[tile, tile_n].sum(1)"),
     f"k({X2})", "UndefinedNameError", 14, "tile_n].sum(1)",
     "'tile_n' is the variable of the loop at line 12", "move the statement in"),
    # --- a tile's numbers are integers, not tensors ----------------------------------------------
    ("tile-begin-as-a-tensor",  # was: ran; reference mode raised AttributeError ('int' .float)
     kernel("out[tile] = x[tile] + tile.begin.float()"), f"k({X1})",
     "UnsupportedConstructError", 10, "float()", "tile.begin is an integer, not a tensor",
     "float(tile.begin)"),
    ("tile-id-to-a-dtype",  # was: as above
     kernel("out[tile] = x[tile] + tile.id.to(torch.float32)"), f"k({X1})",
     "UnsupportedConstructError", 10, "to(torch", "tile.id is an integer", "tile.index"),
    ("tile-plus-one-as-an-index", kernel("out[tile] = x[tile + 1]"), f"k({X1})", "ShapeError",
     10, "tile + 1", "a tile is a range of indices", "tile.index"),
    # --- block sizes ----------------------------------------------------------------------------
    ("negative-block-size",  # was: ran (reference mode: "block_size must be positive")
     kernel("out[tile] = x[tile]", loop="for tile in hl.tile(x.size(0), block_size=-8):"),
     f"k({X1})", "TileArgumentError", 9, "-8", "power of two", "masks take care"),
    ("register-block-size-of-nothing",  # was: TypeError from inside the generated module
     registered(""), f"k({X1})", "TileArgumentError", 8, "hl.register_block_size()",
     "takes one or two sizes, not 0", "hl.register_block_size(16, n)"),
    ("register-block-size-of-a-tensor",  # was: NotImplementedError from inside Triton
     registered("x"), f"k({X1})", "TileArgumentError", 8, "x)", "not the tensor x",
     "hl.register_block_size(x.size(0))"),
    ("register-block-size-least-above-most",  # was: the interpreter crashed (heap corruption)
     registered("64, 16"), f"k({X1})", "TileArgumentError", 8, "64", "least block size is larger",
     "hl.register_block_size(16, 64)"),
    ("register-block-size-zero", registered("0, x.size(0)"), f"k({X1})", "TileArgumentError", 8,
     "0,", "a block size is at least 1", "from 16 to n"),
    ("register-block-size-by-keyword", registered("max=x.size(0)"), f"k({X1})",
     "TileArgumentError", 8, "max=", "by position", "hl.register_block_size(n)"),
    ("register-block-size-in-the-loop",  # was: "part of Helion's language but not of this
     kernel("b = hl.register_block_size(64)\n        out[tile] = x[tile]"),  # transpiler yet"
     f"k({X1})", "UnsupportedConstructError", 10, "hl.register_block_size(64)",
     "is host code", "call it above the loop"),
]  # fmt: skip


@each_row(MISTAKES)
def test_a_loop_mistake_says_what_where_and_the_fix(
    source, call, kind, line, marker, message, hint
):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)


def test_the_table_has_its_rows():
    assert len(MISTAKES) >= 20
    assert len({row[0] for row in MISTAKES}) == len(MISTAKES)
