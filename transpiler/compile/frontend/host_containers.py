"""Which host values are literal containers (`scales = [0.5, 2.0]`, `pair = (x, y)`, `mode =
"relu"`): device code reads tensors and numbers, so an item of one read in a device loop is
refused at the subscript (lower/container_reads.py), not passed as a tensor the launcher fails
on."""

from __future__ import annotations

import libcst as cst

_KINDS = {
    cst.List: "a list",
    cst.ListComp: "a list",
    cst.Tuple: "a tuple",
    cst.Dict: "a dict",
    cst.DictComp: "a dict",
    cst.Set: "a set",
    cst.SetComp: "a set",
    cst.SimpleString: "a string",
    cst.ConcatenatedString: "a string",
    cst.FormattedString: "a string",
}


def container_kind(value: cst.BaseExpression | None) -> str | None:
    """ "a list", "a tuple", ... for a literal container or string; None for anything else."""
    return _KINDS.get(type(value))
