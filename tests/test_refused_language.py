"""Helion names of its newest snapshot refused on purpose (issue 15's nvfp4 examples, its types):
each call is an UnsupportedOpError at its line that says why and how to write it instead."""

from __future__ import annotations

import pytest
import torch

import transpiler
from transpiler.compile.frontend.errors import UnsupportedOpError
from transpiler.compile.frontend.kernels import REFUSED_LANGUAGE

SOURCE = """\
import helion
import helion.language as hl
import torch


@helion.kernel()
def unpack(packed: torch.Tensor, groups: torch.Tensor) -> torch.Tensor:
    out = torch.empty([packed.size(0), 16], dtype=torch.float16, device=packed.device)
    for tile in hl.tile(packed.size(0)):
        lanes = CALL
        out[tile, 0] = lanes[0]
    return out
"""
CALLS = {
    "float4_e2m1fn_x2_to_float32": "hl.float4_e2m1fn_x2_to_float32(packed[tile, 0])",
    "load_float4_e2m1fn_x16_to_float16": "hl.load_float4_e2m1fn_x16_to_float16(packed, groups[tile])",
    "load_bfloat16_x16_to_float16": "hl.load_bfloat16_x16_to_float16(packed, groups[tile], None)",
    # Helion's types: names for annotations, refused where a kernel calls them
    "Tile": "hl.Tile(0)",
    "StackTensor": "hl.StackTensor(packed, groups)",
    "AsyncCopyDescriptor": "hl.AsyncCopyDescriptor(packed[tile, 0])",
    "ProcessGroupName": 'hl.ProcessGroupName("world")',
}


def test_every_refused_name_has_a_case():
    assert set(CALLS) == set(REFUSED_LANGUAGE)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_refused_at_the_call_with_why_and_a_hint(name):
    packed = torch.randint(0, 255, (13, 8), dtype=torch.uint8)
    groups = torch.arange(13, dtype=torch.int32)
    source = SOURCE.replace("CALL", CALLS[name])
    with pytest.raises(UnsupportedOpError) as error:
        transpiler.transpile_module(source, example_args={"unpack": (packed, groups)})
    text = str(error.value)
    assert f"hl.{name} is not supported: it " in text
    assert "<string>:10:" in text  # the caret at the user's call
    assert "hint: " + REFUSED_LANGUAGE[name][1][:30] in text
