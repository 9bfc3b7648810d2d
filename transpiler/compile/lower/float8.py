"""Float8 factors of a product: float8 meets only float8 (torch._scaled_mm; tl.dot refuses a mix)."""

from __future__ import annotations

import ast

import libcst as cst

from ..frontend.errors import UnsupportedDtypeError
from ..ops.table import DTYPES, FLOAT8_DTYPES
from .values import Value

_TORCH_NAMES = {triton: f"torch.{name}" for name, triton in reversed(DTYPES.items())}


def check_float8_factors(builder, left: Value, right: Value, node: cst.CSTNode) -> None:
    """Two factors taken as stored whose dtypes are known while transpiling (`.to(dtype)`
    with a torch dtype): one float8 and one not is refused at the product. (Factors loaded
    from tensors of mixed dtypes reach Triton's own refusal at the first launch.)"""
    known = [ast.unparse(v.storage) for v in (left, right) if v.storage is not None]
    known = [k for k in known if k in _TORCH_NAMES]
    if len(known) == 2 and (known[0] in FLOAT8_DTYPES) != (known[1] in FLOAT8_DTYPES):
        first, second = (_TORCH_NAMES[k] for k in known)
        raise builder.source.error(
            UnsupportedDtypeError,
            node,
            f"a product of {first} and {second}: float8 factors multiply only with float8",
            hint="convert the other factor to the same float8 dtype, or both to float32",
        )
