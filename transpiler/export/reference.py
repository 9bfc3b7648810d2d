"""The `hl` subset an exported module's reference needs, self-contained (embedded by export)."""

import torch

from ..reference.philox import (  # embedded before this when a kernel draws
    philox_rand,
    philox_randint,
)

# --- everything below is copied into exported modules, verbatim ---


class hl:  # stands in for `helion.language as hl`
    """helion.language run eagerly in PyTorch: every tile covers its whole range (or a block
    of a size the source fixes as a number)."""

    device: torch.device | None = None  # where allocations land: the first tensor argument's

    class Tile:
        def __init__(self, begin: int, end: int, id: int = 0, count: int = 1) -> None:
            self.begin, self.end = begin, end
            self.block_size, self.id, self.count = end - begin, id, count
            self.slice = slice(begin, end)

        @property
        def index(self) -> torch.Tensor:
            return torch.arange(self.begin, self.end, device=hl.device)

    constexpr = object

    @staticmethod
    def _int(value: object) -> int:
        return value.block_size if isinstance(value, hl.Tile) else int(value)

    @staticmethod
    def _ranges(begin_or_end: object, end: object = None) -> tuple[list[int], list[int]]:
        many = isinstance(begin_or_end, (list, tuple, torch.Size))
        ends = (
            list(begin_or_end if end is None else end)
            if many
            else [begin_or_end if end is None else end]
        )
        begins = (
            [0] * len(ends) if end is None else (list(begin_or_end) if many else [begin_or_end])
        )
        return [hl._int(b) for b in begins], [hl._int(e) for e in ends]

    @staticmethod
    def tile(begin_or_end: object, end: object = None, /, block_size: object = None):
        """Whole ranges, except blocks along the dimensions whose block_size is fixed."""
        import itertools

        begins, ends = hl._ranges(begin_or_end, end)
        many = isinstance(begin_or_end, (list, tuple, torch.Size))
        sizes = list(block_size) if isinstance(block_size, (list, tuple)) else [block_size]
        sizes = sizes if many else sizes[:1]
        if all(e > b for b, e in zip(begins, ends)):
            spans = []
            for b, e, size in zip(begins, ends, sizes + [None] * len(ends)):
                if size is None:
                    spans.append([hl.Tile(b, e)])
                    continue
                starts = range(b, e, hl._int(size))
                spans.append(
                    [
                        hl.Tile(s, min(s + starts.step, e), s // starts.step, len(starts))
                        for s in starts
                    ]
                )
            for tiles in itertools.product(*spans):
                yield tiles if many else tiles[0]

    @staticmethod
    def barrier() -> None:
        """A grid-wide barrier between device loops: eagerly they already run in order."""

    @staticmethod
    def grid(begin_or_end: object, end: object = None, /, step: object = None):
        import itertools

        begins, ends = hl._ranges(begin_or_end, end)
        steps = [1] * len(ends) if step is None else hl._ranges(step)[1]
        ranges = [range(b, e, s) for b, e, s in zip(begins, ends, steps)]
        many = isinstance(begin_or_end, (list, tuple, torch.Size))
        yield from itertools.product(*ranges) if many else ranges[0]

    @staticmethod
    def _shape(shape: object) -> list[int]:
        entries = shape if isinstance(shape, (list, tuple)) else [shape]
        sizes: list[int] = []
        for entry in entries:
            parts = entry if isinstance(entry, (list, tuple)) else [entry]
            sizes.extend(hl._int(part) for part in parts)
        return sizes

    @staticmethod
    def _random_offsets(shape: object) -> torch.Tensor:
        """Each element's linear index (tiles: their indices, their range's end as extent)."""
        entries = shape if isinstance(shape, (list, tuple)) else [shape]
        offsets = torch.zeros((), dtype=torch.int64, device=hl.device)
        for entry in entries:
            for part in entry if isinstance(entry, (list, tuple)) else [entry]:
                tiled = isinstance(part, hl.Tile)
                extent = part.end if tiled else int(part)
                indices = part.index if tiled else torch.arange(extent, device=hl.device)
                offsets = offsets.unsqueeze(-1) * extent + indices
        return offsets

    @staticmethod
    def rand(shape: object, seed: object, device: object = None) -> torch.Tensor:
        return philox_rand(seed, hl._random_offsets(shape))

    @staticmethod
    def randint(shape: object, low: int, high: int, seed: object, device: object = None):
        return philox_randint(seed, hl._random_offsets(shape), low, high)

    @staticmethod
    def zeros(shape: object, dtype: torch.dtype = torch.float32, device: object = None):
        return torch.zeros(hl._shape(shape), dtype=dtype, device=device or hl.device)

    @staticmethod
    def full(shape: object, value: object, dtype: torch.dtype = torch.float32, device=None):
        value = value.item() if isinstance(value, torch.Tensor) else value
        return torch.full(hl._shape(shape), value, dtype=dtype, device=device or hl.device)

    @staticmethod
    def arange(*args: object, dtype: torch.dtype | None = None, device: object = None):
        bounds = [hl._int(arg) for arg in args]
        return torch.arange(*bounds, dtype=dtype, device=device or hl.device)

    @staticmethod
    def index(value: object) -> object:
        if isinstance(value, hl.Tile):
            return value.slice
        if isinstance(value, (list, tuple)) and any(isinstance(v, hl.Tile) for v in value):
            slices = tuple(hl.index(part) for part in value)
            return slices[0] if len(slices) == 1 else slices
        return value

    @staticmethod
    def dot(lhs: torch.Tensor, rhs: torch.Tensor, acc=None, out_dtype=None) -> torch.Tensor:
        dtype = out_dtype or (acc.dtype if acc is not None else torch.float32)
        product = torch.matmul(lhs.to(dtype), rhs.to(dtype))
        return product if acc is None else acc + product

    @staticmethod
    def addmm(acc: torch.Tensor, a: torch.Tensor, b: torch.Tensor, **scales: float):
        dtype = torch.promote_types(acc.dtype, a.dtype)
        return torch.addmm(acc.to(dtype), a.to(dtype), b.to(dtype), **scales)

    @staticmethod
    def baddbmm(acc: torch.Tensor, a: torch.Tensor, b: torch.Tensor, **scales: float):
        dtype = torch.promote_types(acc.dtype, a.dtype)
        return torch.baddbmm(acc.to(dtype), a.to(dtype), b.to(dtype), **scales)

    @staticmethod
    def cumsum(x: torch.Tensor, dim: int, reverse: bool = False) -> torch.Tensor:
        return torch.cumsum(x.flip(dim), dim).flip(dim) if reverse else torch.cumsum(x, dim)

    @staticmethod
    def cumprod(x: torch.Tensor, dim: int, reverse: bool = False) -> torch.Tensor:
        return torch.cumprod(x.flip(dim), dim).flip(dim) if reverse else torch.cumprod(x, dim)

    @staticmethod
    def load(x: torch.Tensor, index: list, extra_mask=None, **_: object) -> torch.Tensor:
        values = x[tuple(hl.index(i) for i in index)]
        return values if extra_mask is None else torch.where(extra_mask, values, 0)

    @staticmethod
    def stored(x: object, value: object) -> object:
        both = isinstance(x, torch.Tensor) and isinstance(value, torch.Tensor)
        return value.to(x.dtype) if both else value

    @staticmethod
    def store(x: torch.Tensor, index: list, value: object, extra_mask=None) -> None:
        position = tuple(hl.index(i) for i in index)
        if extra_mask is not None:
            value = torch.where(extra_mask, value, x[position])
        x[position] = value

    @staticmethod
    def atomic_add(x: torch.Tensor, index: list, value: object, sem: str = "relaxed"):
        position = tuple(hl.index(i) for i in index)
        old = x[position].clone()
        x[position] = old + torch.as_tensor(value, device=x.device).to(x.dtype)
        return old

    @staticmethod
    def specialize(value: object) -> object:
        return value

    @staticmethod
    def register_block_size(low: object, high: object = None) -> int:
        return hl._int(low if high is None else high)

    @staticmethod
    def register_tunable(name: str, fragment: object) -> object:
        default = getattr(fragment, "default", fragment)
        return default() if callable(default) else default

    @staticmethod
    def static_range(*args: object) -> range:
        return range(*(hl._int(arg) for arg in args))

    @staticmethod
    def device_print(*args: object) -> None:
        print(*args)


class helion:  # stands in for `import helion`
    """The parts of `helion` a kernel body may use."""

    language = hl

    class autotuner:  # helion.autotuner's fragments: the reference takes their defaults
        class IntegerFragment:
            def __init__(self, low: int, high: int, default_value: int | None = None) -> None:
                self.default = low if default_value is None else default_value

        class PowerOfTwoFragment(IntegerFragment):
            pass

        class EnumFragment:
            def __init__(self, choices: tuple) -> None:
                self.default = choices[0]

        class BooleanFragment:
            default = False

    @staticmethod
    def cdiv(a: int, b: int) -> int:
        return -(-a // b)

    @staticmethod
    def next_power_of_2(n: int) -> int:
        return 1 if n <= 1 else 1 << (n - 1).bit_length()


_reference_hl = hl


def run_reference(function, *args: object) -> object:
    """Run a reference function with allocations on its first tensor argument's device."""
    hl.device = next((a.device for a in args if isinstance(a, torch.Tensor)), None)
    return function(*args)
