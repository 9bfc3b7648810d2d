"""`torch.zeros([tile], ...)` / `torch.full` / `torch.ones` / `torch.empty` inside a device loop
are refused at the call with the hl spelling as the hint. They were refused before with "a tuple
used as a value" at the shape (found running Helion's test_generate_ast as a corpus)."""

from __future__ import annotations

import pytest
import torch

import transpiler
from transpiler.errors import UnsupportedOpError

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        block = {call}
        out[tile] = block + x[tile]
    return out
"""


@pytest.mark.parametrize(
    "call",
    [
        "torch.zeros([tile], dtype=x.dtype)",
        "torch.full([tile], 2.0, dtype=torch.float32, device=x.device)",
        "torch.ones((tile,))",
        "torch.empty([tile], dtype=x.dtype)",
    ],
)
def test_a_torch_allocation_in_a_device_loop_names_the_hl_spelling(call):
    with pytest.raises(UnsupportedOpError) as caught:
        transpiler.transpile_module(
            SOURCE.format(call=call), example_args={"k": (torch.randn(33),)}
        )
    message = str(caught.value)
    assert "is not supported inside a device loop: it allocates a tensor" in message
    assert "hl.zeros([tile]" in message
    assert caught.value.lineno == 11
