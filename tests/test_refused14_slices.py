"""Round 14: two constant slices of one length at different offsets, combined or stored
(`out[tile, 0:7] = x[tile, 2:9]`, `x[tile, 0:4] + x[tile, 4:8]`), were refused ("cannot
broadcast the slice 0:4 against the slice 4:8", with a hint about outer products). They meet
lane by lane now (lane j of each is its start + j), the launcher checking that each slice ends
inside its tensor (torch would clip it to another length); a whole dimension of the slice's
length meets it too. Slices of different lengths are refused naming both lengths. Each kernel
that runs is compared with torch in float64 and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

ROWS = 37  # two programs of 32 rows, the second partly outside


def rows_kernel(out_shape: str, target: str, expression: str, signature="x: torch.Tensor") -> str:
    return kernel(
        signature,
        "    m = x.size(0)\n"
        f"    out = torch.empty({out_shape}, dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(m):\n"
        f"        out[{target}] = {expression}\n"
        "    return out\n",
        decorator="@helion.kernel(config=helion.Config(block_sizes=[32]))",
    )


CASES = {  # (out's shape, the target, the value, x's columns, torch's answer)
    "stored_shifted": ("[m, 7]", "tile, 0:7", "x[tile, 2:9]", 11, lambda x: x[:, 2:9]),
    "halves_added": ("[m, 4]", "tile, :", "x[tile, 0:4] + x[tile, 4:8]", 8,
                     lambda x: x[:, 0:4] + x[:, 4:8]),
    "odd_lengths_multiplied_summed": ("[m]", "tile", "(x[tile, 1:6] * x[tile, 4:9]).sum(-1)", 9,
                                      lambda x: (x[:, 1:6] * x[:, 4:9]).sum(-1)),
    "difference_mean": ("[m]", "tile", "(x[tile, 0:5] - x[tile, 6:11]).mean(dim=1)", 13,
                        lambda x: (x[:, 0:5] - x[:, 6:11]).mean(dim=1)),
    "into_a_shifted_target": ("[m, 9]", "tile, 3:6", "x[tile, 0:3] * x[tile, 5:8]", 8, None),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_slices_of_one_length_meet_lane_by_lane(case):
    """was: refused ("cannot broadcast the slice 0:4 against the slice 4:8")."""
    shape, target, expression, columns, truth = CASES[case]
    source = rows_kernel(shape, target, expression)
    x = signed_rand(ROWS, columns).to(DEVICE)
    if truth is not None:
        assert_computes_as_torch(source, lambda: [x], truth)
        return
    got = generated(source, "k", x)(x.clone())  # only columns 3:6 are written
    wide = x.double().cpu()
    torch.testing.assert_close(got[:, 3:6].double().cpu(), wide[:, 0:3] * wide[:, 5:8])


def test_a_slice_starting_at_a_host_int():
    source = rows_kernel(
        "[m, 4]", "tile, :", "x[tile, s:s + 4] - x[tile, 0:4]", "x: torch.Tensor, s: int"
    )
    assert_computes_as_torch(
        source, lambda: [signed_rand(ROWS, 10).to(DEVICE), 5], lambda x, s: x[:, 5:9] - x[:, 0:4]
    )


def test_a_slice_past_its_tensor_is_refused_at_the_launch():
    """torch would clip x[:, 4:8] of 7 columns to 3: the launcher refuses instead."""
    source = rows_kernel("[m, 4]", "tile, :", "x[tile, 0:4] + x[tile, 4:8]")
    x = signed_rand(ROWS, 7).to(DEVICE)
    with pytest.raises(RuntimeError, match=r"x.size\(1\) must be at least 8"):
        generated(source, "k", x)(x)


def test_slices_of_two_lengths_are_refused_naming_them():
    source = rows_kernel("[m, 4]", "tile, :", "x[tile, 0:4] + x[tile, 4:9]")
    assert_refused_at(
        source, 12, "x[tile, 0:4]", "the slice 0:4 against the slice 4:9 (4 and 5 indices)",
        "slice both to one length",
    )  # fmt: skip
