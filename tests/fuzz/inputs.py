"""Random inputs for a generated kernel: sizes (1, primes, 0), dtypes, memory layouts, values."""

from __future__ import annotations

import torch
from hypothesis import strategies as st

from .parts import SIZES, Case, FuzzKernel

# Where values fall in [-bound, bound]: all negative or all positive inputs catch reductions
# whose masked lanes hold a value other than the identity.
RANGES = {"mixed": (-1.0, 1.0), "negative": (-1.0, -0.25), "positive": (0.25, 1.0)}


def _make(shape: tuple[int, ...], dtype: torch.dtype, bound: float, seed: int, spread: str):
    generator = torch.Generator().manual_seed(seed)
    low, high = (bound * end for end in RANGES[spread])
    if dtype.is_floating_point:
        values = torch.rand(shape, generator=generator, dtype=torch.float64)
        return (low + values * (high - low)).to(dtype)
    return torch.randint(int(low), int(high) + 1, shape, generator=generator, dtype=dtype)


def _laid_out(shape: tuple[int, ...], dtype, bound, seed: int, layout: str, spread: str):
    """A tensor of `shape` whose memory is contiguous, transposed, strided, offset or expanded."""
    rank = len(shape)
    if layout == "transposed" and rank > 1:
        made = _make(shape[::-1], dtype, bound, seed, spread)
        return made.permute(*reversed(range(rank)))
    if layout == "strided":
        return _make((*shape[:-1], 2 * shape[-1]), dtype, bound, seed, spread)[..., ::2]
    if layout == "offset":
        return _make((shape[0] + 3, *shape[1:]), dtype, bound, seed, spread)[3:]
    if layout == "expanded" and shape[0] > 0:
        return _make((1, *shape[1:]), dtype, bound, seed, spread).expand(*shape)
    return _make(shape, dtype, bound, seed, spread)


LAYOUTS = ["contiguous", "transposed", "strided", "offset", "expanded"]


@st.composite
def cases(draw, kernel: FuzzKernel) -> Case:
    """Sizes (1, primes, 0, ...), dtypes and memory layouts for one call of `kernel`."""
    sizes = [
        0 if draw(st.integers(0, 9)) == 9 else draw(st.sampled_from(SIZES[kernel.rank]))
        for _ in range(kernel.rank)
    ]
    if kernel.nonempty_dim is not None and sizes[kernel.nonempty_dim] == 0:
        sizes[kernel.nonempty_dim] = 1
    if kernel.integer:
        dtypes = [torch.int32, torch.int64]
    else:
        dtypes = [torch.float32, torch.float16]
    main_dtype = draw(st.sampled_from(dtypes))
    args, described = [], []
    for name, role in kernel.tensors:
        shape = {
            "full": tuple(sizes),
            "swapped": tuple(sizes[::-1]),
            "last": (sizes[-1],),
            "first": (sizes[0],),
        }[role]
        dtype = main_dtype if name == "x" else draw(st.sampled_from([main_dtype, *dtypes]))
        layout = draw(st.sampled_from(LAYOUTS))
        spread = draw(st.sampled_from(list(RANGES)))
        seed = draw(st.integers(0, 2**16))
        args.append(_laid_out(shape, dtype, kernel.input_bound, seed, layout, spread))
        described.append(f"{name}: {str(dtype)[6:]}{list(shape)} {layout} {spread} seed={seed}")
    if kernel.scalar:
        alpha = (
            draw(st.integers(-5, 5))
            if kernel.integer
            else draw(st.sampled_from([0.5, -1.25, 2.0, 0.0]))
        )
        args.append(alpha)
        described.append(f"alpha={alpha}")
    return Case(tuple(args), ", ".join(described))
