"""`transpiler.kernels_from_source`: a source's kernels as the decorator makes them, checked
before anything runs, citing the source's own lines."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import on_device

import transpiler

HEAD = """\
import torch
import helion
import helion.language as hl

# three lines above the kernel, so its lines are not those of a module rebuilt around it
OFFSET = 0.5
"""

SCALE_KERNEL = (
    HEAD
    + """
@helion.kernel({keywords})
def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * factor + OFFSET
    return out
"""
)
STORE_LINE = 12  # `out[tile] = ...` in SCALE_KERNEL

ROWS_KERNEL = (
    HEAD
    + """
@helion.kernel()
def row_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.amax(x[tile_m, :], dim=1)
    return out
"""
)

ANY_RANK_KERNEL = (
    HEAD
    + """
@helion.kernel()
def shifted(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + OFFSET
    return out
"""
)


def test_kernels_are_the_decorators_and_cite_the_source_lines() -> None:
    source = SCALE_KERNEL.format(keywords="") + ROWS_KERNEL.split("\n", 6)[-1]
    namespace: dict = {}
    kernels = transpiler.kernels_from_source(source, filename="<two>", namespace=namespace)
    assert list(kernels) == ["scale", "row_max"] and namespace["OFFSET"] == 0.5
    for name in kernels:
        assert type(kernels[name]) is transpiler.Kernel and namespace[name] is kernels[name]
        assert kernels[name].source == source and kernels[name].filename == "<two>"
    x = torch.randn(7, 45) + 2
    torch.testing.assert_close(on_device(kernels["row_max"])(x).double(), x.double().amax(dim=1))
    flat = torch.randn(301)
    torch.testing.assert_close(on_device(kernels["scale"])(flat, 1.5), flat * 1.5 + 0.5)
    code = kernels["scale"].specialisations[-1].triton_source
    assert f"# line {STORE_LINE}: out[tile] = x[tile] * factor + OFFSET" in code
    torch.testing.assert_close(kernels["scale"].reference(flat, 1.5), flat * 1.5 + 0.5)


@pytest.mark.parametrize(
    ("keywords", "config", "block"),
    [
        ("config=helion.Config(block_sizes=[32])", None, 32),  # the decorator's own
        ("config=helion.Config(block_sizes=[32])", {"block_sizes": [128]}, 128),  # replaced
        ("", {"block_sizes": [16]}, 16),
    ],
)
def test_config_of_the_decorator_or_the_caller(keywords: str, config, block: int) -> None:
    source = SCALE_KERNEL.format(keywords=keywords)
    kernels = transpiler.kernels_from_source(source, filename="<config>", config=config)
    kernel = kernels["scale"]
    assert "config" in kernel.settings and kernel.fixed_config == config
    x = torch.randn(77)
    torch.testing.assert_close(on_device(kernel)(x, 3.0), x * 3.0 + 0.5)
    assert f"BLOCK_SIZE = {block}" in kernel.specialisations[-1].triton_source


@pytest.mark.parametrize(
    ("source", "error", "line"),
    [
        (SCALE_KERNEL.format(keywords="").replace("x[tile] * factor", "torch.bogus(x[tile])"),
         transpiler.errors.UnsupportedOpError, STORE_LINE),
        # ranks come from the arguments: the probe still finds an error no rank would fix
        (ANY_RANK_KERNEL.replace("x[tile] + OFFSET", "hl.bogus(x[tile])"),
         transpiler.errors.UnknownLanguageNameError, 12),
        # the kernel's name taken back by later code: not a kernel once the source has run
        (ROWS_KERNEL + "\nrow_max = None\n", transpiler.errors.UnsupportedConstructError, 9),
    ],
    ids=["unknown op", "unknown hl name, any rank", "name rebound"],
)  # fmt: skip
def test_errors_at_definition_cite_the_source_line(source: str, error, line: int) -> None:
    namespace: dict = {}
    with pytest.raises(error) as raised:
        transpiler.kernels_from_source(source, filename="<bad>", namespace=namespace)
    assert raised.value.lineno == line and raised.value.filename == "<bad>"
    if error is not transpiler.errors.UnsupportedConstructError:
        assert "OFFSET" not in namespace  # checked before anything ran


def test_ranks_from_the_arguments_wait_for_a_call() -> None:
    kernels = transpiler.kernels_from_source(ANY_RANK_KERNEL, filename="<any rank>")
    assert kernels.module is None
    kernel = kernels["shifted"]
    inputs = [torch.randn(shape) for shape in [(31,), (5, 9), (3, 4, 7)]]
    for x in inputs:
        torch.testing.assert_close(on_device(kernel)(x), x + 0.5)
    ranks = [
        int(re.search(r'ranks=\{"x": (\d)\}', b.triton_source)[1]) for b in kernel.specialisations
    ]
    for rank, x in enumerate(inputs, start=1):
        built = [b for r, b in zip(ranks, kernel.specialisations, strict=True) if r == rank]
        if kernel.tuning_for((x,)) is None:  # the interpreter: no search, one module per rank
            assert len(built) == 1
        else:  # a GPU's first call searched: a module per candidate config, none twice
            assert len(built) == len({repr(b.config) for b in built}) >= 1
    assert [a.shape for a in kernel.example_args(2)] == [torch.Size([2, 2])]


GENERIC = """
@helion.kernel()
def generic_{n}(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.shape):
        out[tile] = x[tile] + {n}
    return out
"""
BROKEN = """
@helion.kernel()
def broken_{n}(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.nanquantile(x[tile], 0.5) + {n}
    return out
"""


@pytest.mark.parametrize(("generic", "broken"), [(1, 1), (2, 1), (1, 2)])
def test_only_the_broken_kernels_are_named_beside_rank_generic_ones(generic, broken):
    """A kernel whose rank comes from its arguments is no error beside a broken one: the error
    names the broken kernels only."""
    source = HEAD + "".join(GENERIC.format(n=n) for n in range(generic))
    source += "".join(BROKEN.format(n=n) for n in range(broken))
    with pytest.raises(transpiler.TranspileError) as raised:
        transpiler.kernels_from_source(source, filename="mixed.py", namespace={})
    text = str(raised.value)
    assert "nanquantile" in text and "generic_" not in text, text
    assert all(f"broken_{n}" in text or broken == 1 for n in range(broken)), text
