"""`hl.register_tunable(name, fragment)` takes the config's value for `name` (Helion's
semantics); its fragment's default only when the config has none. Once the config's value was
accepted by the config check and then ignored: the kernel ran with the default (Helion's
test_register_tunable, run as a corpus)."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler
import transpiler.language as hl
from transpiler.autotuner import BooleanFragment, EnumFragment, IntegerFragment, PowerOfTwoFragment
from transpiler.compile.frontend.errors import ConfigError


@transpiler.kernel(config={"operation": 4})
def scaled_by_choice(x: torch.Tensor) -> torch.Tensor:
    (n,) = x.size()
    out = torch.empty_like(x)
    operation = hl.register_tunable("operation", EnumFragment((1, 2, 4)))
    for tile_n in hl.tile([n], block_size=[64]):
        out[tile_n] = x[tile_n] * operation
    return out


@transpiler.kernel()
def rows_times_multiplier(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    multiplier = hl.register_tunable("multiplier", IntegerFragment(1, 10, 3))
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * multiplier - bias[tile_n]
    return out


@transpiler.kernel()
def chunked_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    chunk = hl.register_tunable("chunk", PowerOfTwoFragment(16, 128, 16))
    negate = hl.register_tunable("negate", BooleanFragment())
    sign = -1.0 if negate else 1.0
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=x.dtype)
        for tile_n in hl.tile(n, block_size=chunk):
            acc = acc + x[tile_m, tile_n].sum(dim=1)
        out[tile_m] = acc * sign
    return out


def test_an_enum_value_from_the_decorators_config():
    x = torch.randn(131)
    torch.testing.assert_close(on_device(scaled_by_choice)(x).double(), x.double() * 4)


@pytest.mark.parametrize("multiplier", [1, 7, 10])
def test_an_integer_value_from_binds_config(multiplier):
    x, bias = torch.randn(23, 45, dtype=torch.float64), torch.randn(45, dtype=torch.float64)
    config = {"block_sizes": [16, 32], "multiplier": multiplier}
    bound = rows_times_multiplier.bind((x, bias), config)
    torch.testing.assert_close(on_device(bound)(x, bias), x * multiplier - bias)
    (result,) = bound.compile_for("sm_90")
    assert result.registers > 0


def test_without_the_field_the_default_is_taken():
    x, bias = torch.randn(9, 17), torch.randn(17)
    result = on_device(rows_times_multiplier)(x, bias)
    torch.testing.assert_close(result.double(), x.double() * 3 - bias)


@pytest.mark.parametrize(("chunk", "negate"), [(16, False), (64, True), (128, True)])
def test_a_block_size_and_a_flag_from_the_config(chunk, negate):
    x = torch.randn(29, 301)
    bound = chunked_sums.bind((x,), {"block_sizes": [8], "chunk": chunk, "negate": negate})
    assert f"= {chunk}" in bound.triton_source  # the inner loop's block
    expected = x.double().sum(dim=1) * (-1 if negate else 1)
    torch.testing.assert_close(on_device(bound)(x).double(), expected, atol=1e-4, rtol=1e-4)
    bound.compile_for("sm_90")


@pytest.mark.parametrize(
    ("kernel", "args", "config", "said"),
    [
        (scaled_by_choice, (torch.randn(8),), {"operation": 3}, "operation=3"),
        (rows_times_multiplier, (torch.randn(4, 4), torch.randn(4)), {"multiplier": 11},
         "multiplier=11"),
        (chunked_sums, (torch.randn(4, 40),), {"chunk": 24}, "chunk=24"),
        (chunked_sums, (torch.randn(4, 40),), {"negate": 1}, "negate=1"),
    ],
)  # fmt: skip
def test_a_value_the_fragment_does_not_allow_is_refused(kernel, args, config, said):
    with pytest.raises(ConfigError, match=said) as refused:
        kernel.bind(args, config)
    assert "register_tunable" in refused.value.source_line
