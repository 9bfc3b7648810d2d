"""torch's ops as lowering honours them: their signatures, the parameters refused, their kinds."""

from __future__ import annotations

import functools

from .signatures import Signature, signature_table

# The torch ops lowering honours, with the parameters it honours (torch's names: `input` for
# aten's `self`). Element-wise ops not listed take `(input)` or `(input, other)` by their
# template's arity. Any other parameter torch has is refused by name (`torch_parameters`).
TORCH_SIGNATURES = signature_table(
    """
    sum(input, dim=None, keepdim=False, *, dtype=None)
    mean(input, dim=None, keepdim=False, *, dtype=None)
    amax(input, dim=None, keepdim=False)
    amin(input, dim=None, keepdim=False)
    max(input, dim=None, keepdim=False)
    min(input, dim=None, keepdim=False)
    argmax(input, dim=None, keepdim=False)
    argmin(input, dim=None, keepdim=False)
    softmax(input, dim=None, *, dtype=None)
    log_softmax(input, dim=None, *, dtype=None)
    logsumexp(input, dim, keepdim=False)
    var(input, dim=None, unbiased=True, keepdim=False, *, correction=None)
    var_mean(input, dim=None, unbiased=True, keepdim=False, *, correction=None)
    aminmax(input, *, dim=None, keepdim=False)
    cumsum(input, dim, *, dtype=None)
    cumprod(input, dim, *, dtype=None)
    std(input, dim=None, unbiased=True, keepdim=False, *, correction=None)
    vector_norm(input, ord=2, dim=None, keepdim=False)
    norm(input, p="fro", dim=None, keepdim=False)
    normalize(input, p=2.0, dim=1, eps=1e-12)
    layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05)
    rms_norm(input, normalized_shape, weight=None, eps=None)
    linear(input, weight, bias=None)
    dropout(input, p=0.5, training=True, inplace=False)
    prod(input, dim=None, keepdim=False, *, dtype=None)
    nansum(input, dim=None, keepdim=False, *, dtype=None)
    nanmean(input, dim=None, keepdim=False, *, dtype=None)
    count_nonzero(input, dim=None)
    softmin(input, dim=None, *, dtype=None)
    sort(input, dim=-1, descending=False, *, stable=False)
    argsort(input, dim=-1, descending=False, *, stable=False)
    msort(input)
    topk(input, k, dim=-1, largest=True, sorted=True)
    flip(input, dims)
    cummax(input, dim)
    cummin(input, dim)
    logcumsumexp(input, dim)
    any(input, dim=None, keepdim=False)
    all(input, dim=None, keepdim=False)
    to(input, dtype)
    size(input, dim=None)
    unsqueeze(input, dim)
    squeeze(input, dim=None)
    transpose(input, dim0, dim1)
    t(input)
    permute(input, *dims)
    contiguous(input)
    view(input, *shape)
    reshape(input, *shape)
    expand(input, *size)
    expand_as(input, other)
    flatten(input, start_dim=0, end_dim=-1)
    unflatten(input, dim, sizes)
    zeros_like(input, *, dtype=None, device=None)
    ones_like(input, *, dtype=None, device=None)
    full_like(input, fill_value, *, dtype=None, device=None)
    new_zeros(input, *size, dtype=None, device=None)
    new_ones(input, *size, dtype=None, device=None)
    new_full(input, size, fill_value, *, dtype=None, device=None)
    clamp(input, min=None, max=None)
    gelu(input, *, approximate="none")
    where(condition, input, other)
    masked_fill(input, mask, value)
    pow(input, exponent)
    round(input)
    nan_to_num(input, nan=0.0, posinf=None, neginf=None)
    clamp_min(input, min)
    clamp_max(input, max)
    lerp(input, end, weight)
    addcmul(input, tensor1, tensor2, *, value=1)
    addcdiv(input, tensor1, tensor2, *, value=1)
    logit(input)
    softplus(input, beta=1.0, threshold=20.0)
    elu(input, alpha=1.0)
    celu(input, alpha=1.0)
    leaky_relu(input, negative_slope=0.01)
    hardtanh(input, min_val=-1.0, max_val=1.0)
    threshold(input, threshold, value)
    softshrink(input, lambd=0.5)
    hardshrink(input, lambd=0.5)
    float(input)
    half(input)
    bfloat16(input)
    double(input)
    int(input)
    long(input)
    bool(input)
    """
)

# How to get what a refused torch parameter asks for, where there is a spelling that works.
TORCH_HINTS: dict[str, dict[str, str]] = {
    "add": {"alpha": "scale the operand yourself: x + alpha * y"},
    "rsub": {"alpha": "scale the operand yourself: other - alpha * x"},
    "sub": {"alpha": "scale the operand yourself: x - alpha * y"},
    "to": {"device": "a device loop's values are on the kernel's device already: leave it out"},
    "round": {"decimals": "write torch.round(x * 10**d) / 10**d"},
    "logit": {"eps": "clamp first: torch.logit(torch.clamp(x, eps, 1 - eps))"},
}
_ANY_TORCH_OP = {
    "out": "assign the result instead: out[tile] = op(...)",
    "inplace": "assign the result instead",
}


def torch_signature(name: str, arity: int | None) -> Signature | None:
    """The honoured signature of torch op `name` (element-wise ops by their arity)."""
    if name in TORCH_SIGNATURES:
        return TORCH_SIGNATURES[name]
    if arity is None:
        return None
    return Signature(name, ("input", "other")[:arity], required=arity)


_ATEN_NAMES = {"vector_norm": "linalg_vector_norm"}  # torch.linalg.X is aten's linalg_X


@functools.cache
def torch_parameters(name: str) -> frozenset[str]:
    """Every parameter torch gives op `name` (aten schemas, and torch.nn.functional's Python
    signature where there is one), with aten's `self` spelled `input`."""
    import inspect

    import torch

    names = {
        "input" if argument.name == "self" else argument.name
        for schema in torch._C._jit_get_schemas_for_operator(f"aten::{_ATEN_NAMES.get(name, name)}")
        for argument in schema.arguments
    }
    functional = getattr(torch.nn.functional, name, None)
    if inspect.isfunction(functional):
        names |= set(inspect.signature(functional).parameters)
    return frozenset(names)


def torch_refusals(name: str, signature: Signature) -> dict[str, str]:
    """Parameters torch has and lowering does not honour, each with its fix."""
    hints = {**_ANY_TORCH_OP, **TORCH_HINTS.get(name, {})}
    refused = torch_parameters(name) - set(signature.parameters) - {"input"}
    return {p: hints.get(p, f"leave out {p}= (supported: {signature.text()})") for p in refused}


# What a parameter's value must be, checked once the call is bound (lower/argument_values.py),
# by parameter name, or by (function, parameter) where one torch function's differs (an hl row's
# own are its `kinds`): "flag": True or False known while transpiling (a literal or a bool
# argument of the kernel, which is specialised on it); "dtype": a dtype; "scalar": a number, not
# a block; "order": a number or a named order ("fro"); a tuple: the values (strings, None) it may
# be.
FLAGS = ("keepdim", "keep_dims", "reverse", "descending", "stable", "largest", "sorted", "unbiased")
SCALARS = (
    "nan posinf neginf alpha beta threshold negative_slope min_val max_val lambd eps p ord "
    "correction fill_value"
).split()
# Tensor-only parameters (no Scalar overload in torch: torch.maximum(x, 0.5) is a TypeError)
_TENSOR_OTHERS = "maximum minimum fmax fmin atan2 hypot logaddexp logical_and logical_or"
TENSOR_ONLY = {
    **{(name, "other"): "tensor" for name in (*_TENSOR_OTHERS.split(), "logical_xor")},
    ("lerp", "end"): "tensor",
    **{(name, f"tensor{i}"): "tensor" for name in ("addcmul", "addcdiv") for i in (1, 2)},
}
# torch functions whose `input` may be a Python number (torch.add(2, x), torch.pow(2, x)):
# the others refuse one (torch.maximum(0.5, x), torch.exp(2.0)), and so does lowering
NUMBER_INPUTS = frozenset(
    "add sub mul div true_divide floor_divide pow remainder bitwise_and bitwise_or "
    "bitwise_xor bitwise_left_shift bitwise_right_shift xlogy where".split()
)
PARAMETER_KINDS: dict[str | tuple[str, str], str | tuple[object, ...]] = {
    **TENSOR_ONLY,
    **dict.fromkeys(FLAGS, "flag"),
    **dict.fromkeys(("dtype", "out_dtype"), "dtype"),
    **dict.fromkeys(SCALARS, "scalar"),
    ("addcmul", "value"): "scalar",
    ("addcdiv", "value"): "scalar",
    ("gelu", "approximate"): ("none", "tanh"),
    ("sort", "stable"): (None, False, True),
    ("rms_norm", "eps"): "optional scalar",
    ("norm", "p"): "order",
    ("dropout", "inplace"): "flag",
    ("argsort", "stable"): (None, False, True),
}
# Parameters torch takes one of, never both (two overloads): function → the pair
EXCLUSIVE = {name: ("unbiased", "correction") for name in ("var", "std", "var_mean")}


def parameter_kind(function: str, parameter: str) -> str | tuple[object, ...] | None:
    """What `parameter` of torch `function` must be (PARAMETER_KINDS); None: anything."""
    return PARAMETER_KINDS.get((function, parameter), PARAMETER_KINDS.get(parameter))
