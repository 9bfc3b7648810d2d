"""Pieces shared by the kernel generators: the kernel record, leaves, loops, allocations."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .expressions import FLOAT_INPUT_BOUND, INT_INPUT_BOUND, Term, statements

HEADER = (
    "import torch\nimport torch.nn.functional as F\nimport helion\nimport helion.language as hl\n"
)
SIZE_NAMES = {1: ["n"], 2: ["m", "n"], 3: ["b", "m", "n"]}
# Small first: Hypothesis shrinks towards the start of each list.
SIZES = {
    1: [1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 32, 33, 64, 100, 127, 257],
    2: [1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 33],
    3: [1, 2, 3, 5, 7, 8, 13],
}  # and 0, one dimension in ten
MAX_REDUCED = 33  # the largest size a reduced dimension takes (bounds sums)
BLOCKS = [16, 8, 4, 32, 1, 2, 64]
LARGE_INT_BOUND = 2**29  # beyond float32's 24-bit mantissa: integers that must stay integers


@dataclass(frozen=True)
class FuzzKernel:
    """A generated kernel named `fuzzed` and what its inputs must look like."""

    source: str
    rank: int
    integer: bool
    # (name, role): "full" (x's shape), "swapped" (2-D, dims exchanged), "last" / "first"
    # (1-D, the size of x's last / first dimension)
    tensors: tuple[tuple[str, str], ...]
    scalar: bool  # takes `alpha` after the tensors
    nonempty_dim: int | None  # a dimension the kernel reduces with an op undefined when empty
    input_bound: int | float
    lossy: bool  # rounds through float16 on the way

    def __repr__(self) -> str:
        return f"FuzzKernel(source=\n{self.source})"


@dataclass(frozen=True)
class Case:
    """Arguments for one call, and how they were made (printed when a check fails)."""

    args: tuple
    description: str

    def __repr__(self) -> str:
        return f"Case({self.description})"


def joined(tiles: list[str]) -> str:
    return ", ".join(tiles)


def vector_leaf(draw, name: str, tile: str, position: int, rank: int) -> str:
    """`w` indexed along dimension `position` and broadcast to `rank` dims."""
    combined = ["None" if i != position else tile for i in range(rank)]
    if tile == ":" or draw(st.booleans()):
        return f"{name}[{', '.join(combined)}]"
    chained = ["None" if i != position else ":" for i in range(rank)]
    return f"{name}[{tile}][{', '.join(chained)}]"


@st.composite
def leaf_terms(draw, rank: int, index: list[str], integer: bool, bound: float) -> tuple:
    """Loads and scalars the body may use, and the parameters they need."""
    load = f"[{joined(index)}]"
    every = frozenset(range(rank))
    leaves = [Term(f"x{load}", bound, exact=True, axes=every)]
    tensors = [("x", "full")]
    if draw(st.booleans()):
        leaves.append(Term(f"y{load}", bound, exact=True, axes=every))
        tensors.append(("y", "full"))
    if rank > 1 and draw(st.booleans()):
        code = vector_leaf(draw, "w", index[-1], rank - 1, rank)
        leaves.append(Term(code, bound, exact=True, axes=frozenset([rank - 1])))
        tensors.append(("w", "last"))
    if rank == 2 and ":" not in index and draw(st.integers(0, 3)) == 3:
        view = draw(st.sampled_from([".T", ".t()", ".transpose(0, 1)", ".permute(1, 0)"]))
        leaves.append(Term(f"z[{index[1]}, {index[0]}]{view}", bound, exact=True, axes=every))
        tensors.append(("z", "swapped"))
    if rank > 1 and draw(st.booleans()):
        code = vector_leaf(draw, "v", index[0], 0, rank)
        leaves.append(Term(code, bound, exact=True, axes=frozenset([0])))
        tensors.append(("v", "first"))
    scalar = draw(st.booleans())
    if scalar:
        leaves.append(Term("alpha", bound, tensor=False, exact=True))
    tiled = [(i, t) for i, t in enumerate(index) if t != ":"]
    if tiled and draw(st.booleans()):
        position, tile = draw(st.sampled_from(tiled))
        spread = (
            ""
            if rank == 1
            else "[" + ", ".join(":" if i == position else "None" for i in range(rank)) + "]"
        )
        code = f"({tile}.index{spread} % 5)"
        code = code if integer else f"{code}.float()"
        leaves.append(Term(code, 4, exact=True, axes=frozenset([position])))
    return leaves, tuple(tensors), scalar


def signature(tensors: tuple, scalar: bool, integer: bool) -> str:
    params = [f"{name}: torch.Tensor" for name, _ in tensors]
    if scalar:
        params.append(f"alpha: {'int' if integer else 'float'}")
    return ", ".join(params)


def sizes_line(draw, rank: int) -> list[str]:
    names = SIZE_NAMES[rank]
    if rank == 1:
        return [draw(st.sampled_from(["n = x.size(0)", "(n,) = x.size()", "n = x.numel()"]))]
    style = draw(st.sampled_from(["size", "shape", "each"]))
    if style == "each":
        return [f"{name} = x.size({i})" for i, name in enumerate(names)]
    return [f"{', '.join(names)} = x.{'size()' if style == 'size' else 'shape'}"]


def allocate(draw, shape: list[str], integer: bool, like_x: bool) -> tuple[str, bool]:
    """`out = ...` and whether out has x's dtype."""
    dtype = "torch.int32" if integer else draw(st.sampled_from(["torch.float32", "torch.float16"]))
    choices = [f"torch.empty([{', '.join(shape)}], dtype={dtype}, device=x.device)"]
    if like_x:
        choices += ["torch.empty_like(x)"]
    chosen = draw(st.sampled_from(choices))
    return f"out = {chosen}", "empty_like" in chosen


def random_blocks(draw, count: int) -> list[int]:
    return [draw(st.sampled_from(BLOCKS)) for _ in range(count)]


def tile_call(sizes: list[str], blocks: list[int] | None, ranges: bool = False) -> str:
    """`hl.tile(n)`, `hl.tile([m, n])`, `hl.tile(begin, end)` (ranges), with block_size=."""
    target = sizes[0] if len(sizes) == 1 else f"[{', '.join(sizes)}]"
    target = ", ".join(sizes) if ranges else target
    if blocks is None:
        return f"hl.tile({target})"
    spelled = str(blocks[0]) if len(blocks) == 1 else f"[{', '.join(map(str, blocks))}]"
    return f"hl.tile({target}, block_size={spelled})"


def assign(
    body: list[str], indent: int, target: str, code: str, fresh, operator: str = "="
) -> None:
    """`target = code` (or `+=`) at `indent` levels, split into short statements."""
    body += ["    " * indent + line for line in statements(target, code, fresh, operator)]


def render(decorator: str, signature: str, body: list[str]) -> str:
    lines = [HEADER, "", f"@helion.kernel({decorator})", f"def fuzzed({signature}):"]
    lines += [f"    {line}" for line in body]
    return "\n".join(lines) + "\n"


def block_config(draw, count: int, inner: int = 0) -> tuple[str, list[int] | None]:
    """Block sizes through the decorator, through hl.tile(block_size=), or the defaults.
    `inner`: tunable tiles of inner loops after the `count` outer ones, which a Config sizes
    too (one block size per tunable tile, in loop order); the blocks returned are the outer."""
    style = draw(st.sampled_from(["block_size", "default", "config"]))
    blocks = random_blocks(draw, count)
    if style == "config":
        blocks = blocks + random_blocks(draw, inner) if inner else blocks
        # Helion's program order and memory access fields too: persistent programs walking
        # the tiles, TMA copies (the interpreter runs both; tensors TMA cannot take, through
        # pointers)
        extra = ""
        pid_type = draw(
            st.sampled_from([None, "flat", "persistent_interleaved", "persistent_blocked"])
        )
        if pid_type is not None:
            extra += f", pid_type={pid_type!r}"
        indexing = draw(st.sampled_from([None, "pointer", "tensor_descriptor"]))
        if indexing is not None:
            extra += f", indexing={indexing!r}"
        return f"config=helion.Config(block_sizes={blocks}{extra})", None
    return "", blocks if style == "block_size" else None


def input_bound(draw, integer: bool) -> float:
    if not integer:
        return FLOAT_INPUT_BOUND
    return draw(st.sampled_from([INT_INPUT_BOUND, LARGE_INT_BOUND]))
