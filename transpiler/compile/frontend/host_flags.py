"""Host expressions that surely make a Python bool (`big = x.size(0) > 1024`) or a string (`mode =
"fast"`, an `EnumFragment` tunable): a device loop is specialised on such a flag (a
`tl.constexpr`), as on a bool argument (a GPU launch takes no Python string)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

import libcst as cst

from .aliases import Aliases

if TYPE_CHECKING:
    from .host import HostInfo

# calls whose result is a Python bool or a Python number, whatever their arguments
BOOL_CALLS = (
    "bool",
    "isinstance",
    "callable",
    "hasattr",
    "torch.is_tensor",
    "torch.is_grad_enabled",
)
NUMBER_CALLS = ("int", "float", "len")
OF_NUMBERS = ("abs", "min", "max", "round")  # numbers when their arguments are
NUMBER_METHODS = ("size", "dim", "numel", "stride", "element_size")  # of a tensor, with arguments
NUMBER_ATTRIBUTES = ("ndim",)
# a tensor's methods (no arguments) and attributes, a dtype's attributes, that are Python bools
TENSOR_FLAG_METHODS = ("is_floating_point", "is_contiguous", "is_complex", "is_signed")
TENSOR_FLAG_ATTRIBUTES = ("is_cuda", "is_cpu", "requires_grad")
DTYPE_FLAG_ATTRIBUTES = ("is_floating_point", "is_complex", "is_signed")


def is_flag(value: cst.BaseExpression, info: HostInfo) -> bool:
    """True, False, a name holding a flag, `not` / `and` / `or` of flags, a comparison of host
    numbers (never of tensors, whose comparison is a tensor) or of dtypes, an identity test
    (`bias is None`), a `BooleanFragment` tunable, `bool(...)`, a
    tensor's or a dtype's bool attributes (`x.is_floating_point()`, `x.dtype.is_signed`)."""
    if isinstance(value, cst.Name):
        return value.value in ("True", "False") or value.value in info.flags
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not):
        return is_flag(value.expression, info) or is_number(value.expression, info)
    if isinstance(value, cst.BooleanOperation):
        return is_flag(value.left, info) and is_flag(value.right, info)
    if isinstance(value, cst.Comparison):
        if all(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in value.comparisons):
            return True  # `bias is None`: identity is a Python bool whatever the operands
        operands = [value.left, *(c.comparator for c in value.comparisons)]
        if all(is_number(o, info) or is_flag(o, info) for o in operands):
            return True
        return all(_is_dtypes(o, info) for o in operands)  # x.dtype == torch.float16
    if isinstance(value, cst.Call):
        if called_name(value.func, info.aliases) in BOOL_CALLS:
            return True
        if tunable_kind(value, info) == "BooleanFragment":
            return True
        func = value.func  # x.is_floating_point(), torch.is_floating_point(x)
        if isinstance(func, cst.Attribute) and func.attr.value in TENSOR_FLAG_METHODS:
            if _is_tensor(func.value, info) and not value.args:
                return True
        name = called_name(func, info.aliases).split(".")
        return (
            name[0] == "torch"
            and name[-1] in TENSOR_FLAG_METHODS
            and len(value.args) == 1
            and _is_tensor(value.args[0].value, info)
        )
    if isinstance(value, cst.Attribute):  # x.is_cuda, x.dtype.is_floating_point
        if value.attr.value in TENSOR_FLAG_ATTRIBUTES:
            return _is_tensor(value.value, info)
        return value.attr.value in DTYPE_FLAG_ATTRIBUTES and info.is_dtype(value.value)
    return False


def is_text(value: cst.BaseExpression, info: HostInfo) -> bool:
    """A string literal, a choice between host strings or flags (`"a" if big else "b"`), an
    `hl.register_tunable` of an `EnumFragment` (the config's choice, known at the launch)."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(value, cst.IfExp):
        branches = (value.body, value.orelse)
        return all(is_text(b, info) or is_flag(b, info) for b in branches)
    return isinstance(value, cst.Call) and tunable_kind(value, info) == "EnumFragment"


def tunable_kind(value: cst.Call, info: HostInfo) -> str:
    """`EnumFragment` of `hl.register_tunable("mode", EnumFragment(...))`; "" for another call."""
    if not called_name(value.func, info.aliases).endswith("register_tunable"):
        return ""
    fragment = value.args[1].value if len(value.args) > 1 else None
    if not isinstance(fragment, cst.Call):
        return ""
    return called_name(fragment.func, info.aliases).rsplit(".", 1)[-1]


def _is_dtypes(value: cst.BaseExpression, info: HostInfo) -> bool:
    """A dtype (`x.dtype`, `torch.float16`, a name holding one), or a tuple, list or set of
    them (the right of `x.dtype in (torch.float16, torch.bfloat16)`)."""
    if isinstance(value, (cst.Tuple, cst.List, cst.Set)):
        return bool(value.elements) and all(info.is_dtype(e.value) for e in value.elements)
    return info.is_dtype(value)


def is_number(value: cst.BaseExpression, info: HostInfo) -> bool:
    """A host expression that surely makes a Python int or float: literals, sizes, scalar
    parameters, names holding them, arithmetic on them."""
    if isinstance(value, (cst.Integer, cst.Float)):
        return True
    if isinstance(value, cst.Name):
        name = value.value
        return name in info.floats or name in info.size_keys or name in info.scalar_params
    if isinstance(value, cst.UnaryOperation) and not isinstance(value.operator, cst.Not):
        return is_number(value.expression, info)
    if isinstance(value, cst.BinaryOperation):
        return is_number(value.left, info) and is_number(value.right, info)
    if isinstance(value, cst.Subscript):  # x.shape[0]
        return info.key_of(value) is not None
    if isinstance(value, cst.Attribute):
        return value.attr.value in NUMBER_ATTRIBUTES and _is_tensor(value.value, info)
    if isinstance(value, cst.Call):
        called = called_name(value.func, info.aliases)
        if called in NUMBER_CALLS:
            return True
        if called in OF_NUMBERS:
            return all(is_number(a.value, info) for a in value.args)
        func = value.func
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in NUMBER_METHODS
            and _is_tensor(func.value, info)
            and (func.attr.value != "size" or bool(value.args))
        )
    return False


def called_name(func: cst.BaseExpression, aliases: Aliases) -> str:
    """`math.sqrt` for an imported function, `bool` for a builtin the module does not rebind,
    else ""."""
    qualified = aliases.qualified(func)
    if qualified is not None:
        return qualified
    if isinstance(func, cst.Name) and func.value not in aliases.globals:
        return func.value if hasattr(builtins, func.value) else ""
    return ""


def _is_tensor(value: cst.BaseExpression, info: HostInfo) -> bool:
    return isinstance(value, cst.Name) and value.value in info.tensors
