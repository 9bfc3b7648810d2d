"""torch.nn.functional's composite ops as data: what each is lowered as, inside device loops."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CompositeOp:
    """An F.X lowered by composing the table's rows (lower/composites.py): `lowered_as` is
    torch's definition as the generated code spells it; `shape`: the shape analysis' rule
    (lower/shape_composites.py); `whole`: its normalised dimensions must be whole in the block;
    `own_operands`: it lowers its input itself (a product's factor, loaded once as stored)."""

    name: str
    lowered_as: str
    shape: str
    flops: int
    note: str = ""
    whole: bool = False
    own_operands: bool = False


COMPOSITES: tuple[CompositeOp, ...] = (
    CompositeOp(
        "layer_norm",
        "(x - mean) * rsqrt(var + eps) * weight + bias",
        "normalized", 8, "var without correction; mean and var over the normalized_shape dims", True,
    ),
    CompositeOp(
        "rms_norm",
        "x * rsqrt(mean(x * x) + eps) * weight",
        "normalized", 5, "eps=None: torch.finfo(float32).eps (float64's for float64 inputs)", True,
    ),
    CompositeOp(
        "linear", "x @ weight.T + bias", "linear", 2, "a tl.dot; weight [N, K] as loaded",
        own_operands=True,
    ),
    CompositeOp(
        "dropout", "x", "same", 0, "training=False only: the identity (training=True: hl.rand masks)"
    ),
)  # fmt: skip
COMPOSITES_BY_NAME = {op.name: op for op in COMPOSITES}
