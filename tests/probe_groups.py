"""Evaluator-style probes grouped into one kernel (round 12 on): several expressions of the same
inputs, each stored to an output of its own in one loop, each compared with torch's answer in
float64, so that many probes cost one transpile, one launch and one GPU-target compile."""

from __future__ import annotations

import torch
from helpers import generated
from probe_kernels import kernel
from torch_answers import in_float64

ELEMENTS = "x.shape"  # an output shaped as x (the loop's own rows)


# two programs over 37 rows, the second partly outside: the interpreter runs each program's
# block at once, so few programs keep a group of probes quick
CONFIG = "@helion.kernel(config=helion.Config(block_sizes=[32]))"


def several(signature: str, probes: dict, *, rows: bool = False) -> str:
    """Kernel `k(signature)` storing each probe's expression (of `x[tile]`, or of `x[tile, :]`
    rows with `rows`) to an output of the probe's dtype, returned in the table's order. A probe
    is (expression, output dtype, truth, shape); shape is x's by default, `[m]` for rows."""
    lines = ["    m = x.size(0)\n"] if rows else []
    if rows:
        lines.append("    n = x.size(1)\n")
    for index, probe in enumerate(probes.values()):
        shape = probe[3] if len(probe) > 3 else ("[m]" if rows else ELEMENTS)
        lines.append(f"    out{index} = torch.empty({shape}, dtype={probe[1]}, device=x.device)\n")
    lines.append("    for tile in hl.tile(x.size(0)):\n")
    for index, probe in enumerate(probes.values()):
        target = "tile, :" if len(probe) > 3 and probe[3] != "[m]" and rows else "tile"
        lines.append(f"        out{index}[{target}] = {probe[0]}\n")
    outputs = ", ".join(f"out{index}" for index in range(len(probes)))
    lines.append(f"    return {outputs},\n")
    return kernel(signature, "".join(lines), decorator=CONFIG)


def assert_each_as_torch(signature: str, probes: dict, args: list, *, rows=False, tight=False):
    """Every probe of `several(signature, probes)` on `args` equals its truth on the float64
    arguments: integers and bools exactly, floats to 1e-5 (1e-13 with `tight`), NaN as NaN.
    A mismatch names the probe."""
    source = several(signature, probes, rows=rows)
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    got = generated(source, "k", *args)(*fresh)
    wide = [in_float64(a) for a in args]
    for result, (name, probe) in zip(got, probes.items(), strict=True):
        answer = probe[2](*wide)
        assert result.shape == answer.shape, name
        if not answer.is_floating_point():
            assert torch.equal(result.long().cpu(), answer.long()), (name, result, answer)
            continue
        bound = 1e-13 if tight else 1e-5
        torch.testing.assert_close(
            result.double().cpu(), answer.double(), rtol=bound, atol=bound, equal_nan=True,
            msg=lambda text, name=name: f"{name}: {text}",
        )  # fmt: skip
