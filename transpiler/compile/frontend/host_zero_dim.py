"""Which host expressions make a 0-d tensor: whole reductions (`x.var()`), element-wise
functions and arithmetic of them with numbers (`torch.rsqrt(x.var() + 1e-5)`, `x.sum() /
x.numel()`), `torch.tensor(2.5)` and an element of a tensor (`x[0]` of a 1-D x). Device code
loads such a name as the one element it holds, as torch reads a 0-d tensor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .host_sizes import literal_int

if TYPE_CHECKING:
    from .host import HostInfo

# tensor methods reducing a whole tensor to a 0-d one where no dimension is given
WHOLE_REDUCTIONS = {"sum", "mean", "amax", "amin", "max", "min", "prod", "norm", "std", "var"}
WHOLE_REDUCTIONS |= {"nansum", "nanmean", "logsumexp", "all", "any", "count_nonzero", "median"}
WHOLE_REDUCTIONS |= {"argmax", "argmin"}
# torch functions reducing a whole tensor to a tuple of 0-d ones where no dimension is given
TUPLE_REDUCTIONS = {"torch.aminmax"}
# keywords naming the dimensions a reduction keeps: with one, the result is no 0-d tensor
_DIMENSION_KEYWORDS = {"dim", "axis", "keepdim"}
# element-wise functions (`t.sqrt()`, `torch.rsqrt(t)`): a 0-d tensor's result is 0-d
ELEMENTWISE = {"abs", "sqrt", "rsqrt", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1"}
ELEMENTWISE |= {"neg", "reciprocal", "square", "pow", "clamp", "clip", "clamp_min", "clamp_max"}
ELEMENTWISE |= {"sigmoid", "tanh", "relu", "floor", "ceil", "round", "trunc", "sign", "sin", "cos"}
ELEMENTWISE |= {"maximum", "minimum", "add", "sub", "mul", "div", "true_divide"}
ELEMENTWISE |= {"float", "double", "half", "bfloat16", "to", "detach", "contiguous", "clone"}
ELEMENTWISE |= {"int", "long", "short", "bool"}
# torch functions making a 0-d tensor of one number
NUMBER_TENSORS = {"torch.tensor", "torch.as_tensor", "torch.scalar_tensor"}
# torch functions allocating a tensor of a shape, and of another tensor's shape
ALLOCATIONS = {
    "torch.zeros",
    "torch.ones",
    "torch.empty",
    "torch.full",
    "torch.rand",
    "torch.randn",
}
LIKE = {"zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like"}
# methods of a tensor that give a Python number (`x.numel()`), not a tensor
NUMBER_METHODS = {"size", "stride", "dim", "numel", "item", "element_size", "nelement"}
NUMBER_FUNCTIONS = {"float", "int", "len", "min", "max", "abs", "round"}
NUMBER_TORCH_FUNCTIONS = {"torch.numel", "torch.is_tensor", "torch.is_floating_point"}


def is_zero_dim(value: cst.BaseExpression, info: HostInfo) -> bool:
    """Whether the host expression surely makes a 0-d tensor (see the module's docstring)."""
    if isinstance(value, cst.Name):
        return value.value in info.tensors and info.rank(value.value) == 0
    if isinstance(value, cst.UnaryOperation):
        return is_zero_dim(value.expression, info)
    if isinstance(value, cst.BinaryOperation):
        sides = (value.left, value.right)
        return any(is_zero_dim(s, info) for s in sides) and all(
            is_zero_dim(s, info) or is_number(s, info) for s in sides
        )
    if isinstance(value, cst.Subscript):
        return _element(value, info)
    if isinstance(value, cst.IfExp):  # x.max() if flag else x.min()
        return is_zero_dim(value.body, info) and is_zero_dim(value.orelse, info)
    if isinstance(value, cst.Call):
        return _zero_dim_call(value, info)
    return False


def is_number(value: cst.BaseExpression, info: HostInfo) -> bool:
    """Whether the host expression makes a Python number: literals, names that are no
    tensors, sizes (`x.size(0)`, `x.numel()`, `x.shape[1]`) and arithmetic of them."""
    if isinstance(value, (cst.Integer, cst.Float)):
        return True
    if isinstance(value, cst.Name):
        return _number_name(value.value, info)
    if isinstance(value, cst.UnaryOperation):
        return is_number(value.expression, info)
    if isinstance(value, cst.BinaryOperation):
        return is_number(value.left, info) and is_number(value.right, info)
    if isinstance(value, cst.Subscript) and isinstance(value.value, cst.Attribute):
        return value.value.attr.value == "shape"  # x.shape[0]
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute) and func.attr.value in NUMBER_METHODS:
        return True
    called = info.aliases.qualified(func) or (func.value if isinstance(func, cst.Name) else "")
    if called == "len":  # len(x) of a tensor too
        return True
    numbers = all(is_number(a.value, info) for a in value.args)
    return numbers and (called in NUMBER_FUNCTIONS or called.startswith("math."))


def zero_dim_tuple(value: cst.BaseExpression, info: HostInfo) -> bool:
    """`torch.aminmax(x)` / `x.aminmax()` with no dimension: a tuple of 0-d tensors."""
    if not isinstance(value, cst.Call):
        return False
    qualified = info.aliases.qualified(value.func) or ""
    positional = [a.value for a in value.args if a.keyword is None]
    keywords = {a.keyword.value for a in value.args if a.keyword is not None}
    if keywords & _DIMENSION_KEYWORDS:
        return False
    if qualified in TUPLE_REDUCTIONS:
        return len(positional) == 1 and makes_tensor(positional[0], info)
    method = value.func.attr.value if isinstance(value.func, cst.Attribute) else ""
    whole = f"torch.{method}" in TUPLE_REDUCTIONS and not positional
    return whole and not qualified and makes_tensor(value.func.value, info)


def _zero_dim_call(value: cst.Call, info: HostInfo) -> bool:
    """`x.var()`, `torch.sum(x)`, `t.sqrt()`, `torch.rsqrt(t)`, `t.clamp(min=1e-6)`,
    `torch.tensor(2.5)` where the arguments leave the result 0-d."""
    qualified = info.aliases.qualified(value.func) or ""
    positional = [a.value for a in value.args if a.keyword is None]
    keywords = {a.keyword.value for a in value.args if a.keyword is not None}
    if qualified in NUMBER_TENSORS:  # torch.tensor(2.5, device=...): a number's tensor
        return len(positional) == 1 and is_number(positional[0], info)
    if qualified in ALLOCATIONS and positional:  # torch.zeros(()), torch.full([], 2.0)
        shape = positional[0]
        return isinstance(shape, (cst.Tuple, cst.List)) and not shape.elements
    if isinstance(value.func, cst.Attribute) and value.func.attr.value == "new_tensor":
        return len(positional) == 1 and is_number(positional[0], info)  # x.new_tensor(3.0)
    if isinstance(value.func, cst.Name) and value.func.value == "abs" and len(value.args) == 1:
        return is_zero_dim(positional[0], info) if positional else False  # abs(x.sum())
    if isinstance(value.func, cst.Attribute) and not qualified.startswith("torch."):
        method, base = value.func.attr.value, value.func.value
        if method in WHOLE_REDUCTIONS:
            return (
                not positional and not keywords & _DIMENSION_KEYWORDS and makes_tensor(base, info)
            )
        arguments = [a.value for a in value.args]  # s.clamp(min=lo): lo too
        return method in ELEMENTWISE and is_zero_dim(base, info) and _numbers(arguments, info)
    name = qualified.removeprefix("torch.")
    if not qualified.startswith("torch.") or not positional:
        return False
    if name in WHOLE_REDUCTIONS:
        return len(positional) == 1 and not keywords & _DIMENSION_KEYWORDS
    first, rest = positional[0], positional[1:]
    rest += [a.value for a in value.args if a.keyword is not None]
    return name in ELEMENTWISE | LIKE and is_zero_dim(first, info) and _numbers(rest, info)


def _numbers(values: list[cst.BaseExpression], info: HostInfo) -> bool:
    """Arguments that keep a 0-d result 0-d: numbers, 0-d tensors, dtypes and devices
    (`t.to(torch.float16)`, `device=x.device`), strings (`device="cuda"`)."""
    return all(
        is_number(v, info) or is_zero_dim(v, info) or _dtype_or_device(v, info) for v in values
    )


def _dtype_or_device(value: cst.BaseExpression, info: HostInfo) -> bool:
    """`torch.float32`, `x.dtype`, `x.device`, a dtype name, a string: no tensor's values."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(value, cst.Name):
        return value.value in info.dtypes
    if not isinstance(value, cst.Attribute):
        return False
    return value.attr.value in ("dtype", "device") or info.is_dtype(value)


def makes_tensor(value: cst.BaseExpression, info: HostInfo) -> bool:
    """Whether the host expression makes a tensor of some rank: a host tensor, arithmetic or a
    comparison with one (`x * x`, `x > 0`), a method's result on one (`x.sum(0)`, not
    `x.numel()`), a torch function's (`torch.mean(x)`), an element or slice (`x[0]`)."""
    if isinstance(value, cst.Name):
        return value.value in info.tensors
    if isinstance(value, cst.Subscript):
        return makes_tensor(value.value, info)
    if isinstance(value, (cst.BinaryOperation, cst.Comparison)):
        operands = (
            (value.left, value.right)
            if isinstance(value, cst.BinaryOperation)
            else (value.left, *(c.comparator for c in value.comparisons))
        )
        return any(makes_tensor(o, info) for o in operands)
    if isinstance(value, cst.UnaryOperation):
        return makes_tensor(value.expression, info)
    if not isinstance(value, cst.Call):
        return False
    qualified = info.aliases.qualified(value.func) or ""
    if qualified.startswith("torch."):  # torch.mean(x), torch.tensor(2.5)
        return qualified not in NUMBER_TORCH_FUNCTIONS
    if isinstance(value.func, cst.Attribute) and value.func.attr.value not in NUMBER_METHODS:
        return makes_tensor(value.func.value, info)
    return False


def _element(value: cst.Subscript, info: HostInfo) -> bool:
    """`x[0]`, `x[i, -1]`: one int per dimension of a tensor of known rank."""
    if not (isinstance(value.value, cst.Name) and value.value.value in info.tensors):
        return False
    rank = info.rank(value.value.value)
    indices = [e.slice for e in value.slice]
    ints = all(
        isinstance(i, cst.Index) and i.star is None and _int_index(i.value, info) for i in indices
    )
    return rank is not None and rank == len(indices) and ints


def _int_index(value: cst.BaseExpression, info: HostInfo) -> bool:
    """A literal int, or sizes and int arguments in arithmetic (`n - 1`), no float among them."""
    return literal_int(value) is not None or (is_number(value, info) and not info.is_float(value))


def _number_name(name: str, info: HostInfo) -> bool:
    """A host name surely holding a number: a size, a Python float, an int / float argument."""
    return name in info.size_keys or name in info.floats or name in info.scalar_params
