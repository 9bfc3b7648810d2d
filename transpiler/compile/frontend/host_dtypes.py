"""The dtype a host allocation holds, where the host code shows it: bool, another dtype, or a
tensor's (`torch.empty_like(x)`, `dtype=x.dtype`). Stores read it (lower/stores.stored)."""

from __future__ import annotations

import libcst as cst
import torch

from .aliases import Aliases, dotted_name

NOT_BOOL = "not bool"  # a dtype written out (or torch's default float) other than torch.bool
BOOL = "bool"

_LIKE = {"empty_like", "zeros_like", "ones_like", "full_like", "rand_like", "randn_like"}
_DEFAULT_FLOAT = {"empty", "zeros", "ones", "rand", "randn", "empty_strided"}  # default dtype
_NEW = {"new_empty", "new_zeros", "new_ones", "new_full"}


def allocation_dtype(
    value: cst.BaseExpression, aliases: Aliases, dtypes: dict[str, cst.BaseExpression]
) -> str | None:
    """NOT_BOOL, BOOL, a tensor's name (the allocation takes its dtype) or None (unknown)."""
    if not isinstance(value, cst.Call):
        return None
    keyword = next((a.value for a in value.args if a.keyword and a.keyword.value == "dtype"), None)
    if keyword is not None:
        return _dtype(keyword, aliases, dtypes)
    function = aliases.qualified(value.func) or ""
    name = function.removeprefix("torch.")
    positional = [a.value for a in value.args if a.keyword is None]
    if function.startswith("torch.") and name in _LIKE and positional:
        return dotted_name(positional[0])
    if function.startswith("torch.") and name in _DEFAULT_FLOAT:
        return NOT_BOOL
    if isinstance(value.func, cst.Attribute) and value.func.attr.value in _NEW:
        return dotted_name(value.func.value)
    return None


def _dtype(node: cst.BaseExpression, aliases: Aliases, dtypes) -> str | None:
    if isinstance(node, cst.Name) and node.value in dtypes:  # acc_dtype = torch.float32
        return _dtype(dtypes[node.value], aliases, {})
    if isinstance(node, cst.Attribute) and node.attr.value == "dtype":
        return dotted_name(node.value)  # dtype=x.dtype
    qualified = aliases.qualified(node) or ""
    written = getattr(torch, qualified.removeprefix("torch."), None)
    if qualified.startswith("torch.") and isinstance(written, torch.dtype):
        return BOOL if written == torch.bool else NOT_BOOL
    return None
