"""Signatures as data: every hl function and torch op the transpiler accepts, and the binder.

A call is bound against its signature before it is lowered: positional arguments get their
parameter names, a misspelt keyword is an error at its column with a "did you mean" hint, and a
keyword that Helion or torch accepts but this transpiler does not honour is refused by name.
Nothing a user writes is ever dropped.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass

import libcst as cst

from ..ops.hl import HL
from .errors import UnknownKeywordError, UnsupportedConstructError, near_names


@dataclass(frozen=True)
class Signature:
    """A function's parameters: those that may come by position (in order), keyword-only ones,
    a `*args` name, and how many leading parameters are required."""

    name: str
    positional: tuple[str, ...]
    keyword_only: tuple[str, ...] = ()
    varargs: str | None = None
    required: int = 0
    defaults: tuple[tuple[str, str], ...] = ()  # parameter → default, as source text
    positional_only: int = 0  # how many leading parameters cannot come by keyword

    @property
    def parameters(self) -> tuple[str, ...]:
        return self.positional + self.keyword_only

    def text(self) -> str:
        defaults = dict(self.defaults)
        parts = [p + (f"={defaults[p]}" if p in defaults else "") for p in self.positional]
        if self.positional_only:
            parts.insert(self.positional_only, "/")
        if self.varargs:
            parts.append(f"*{self.varargs}")
        elif self.keyword_only:
            parts.append("*")
        parts += [p + (f"={defaults[p]}" if p in defaults else "") for p in self.keyword_only]
        return f"{self.name}({', '.join(parts)})"


def parse_signature(text: str) -> Signature:
    """`"dot(mat1, mat2, acc=None, out_dtype=None)"` → a Signature."""
    call = ast.parse(f"def {text.strip()}: pass").body[0]
    assert isinstance(call, ast.FunctionDef)
    arguments = call.args
    positional = tuple(a.arg for a in arguments.posonlyargs + arguments.args)
    first_default = len(positional) - len(arguments.defaults)
    defaults = [
        (positional[first_default + i], ast.unparse(d)) for i, d in enumerate(arguments.defaults)
    ]
    defaults += [
        (a.arg, ast.unparse(d))
        for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)
        if d is not None
    ]
    return Signature(
        name=call.name,
        positional=positional,
        keyword_only=tuple(a.arg for a in arguments.kwonlyargs),
        varargs=arguments.vararg.arg if arguments.vararg else None,
        required=first_default,
        defaults=tuple(defaults),
        positional_only=len(arguments.posonlyargs),
    )


def signature_table(text: str) -> dict[str, Signature]:
    """One signature per line (blank lines and `#` comments skipped), keyed by name."""
    table = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            signature = parse_signature(line)
            table[signature.name] = signature
    return table


def bind(
    signature: Signature,
    positional: list[cst.BaseExpression],
    keywords: list[cst.Arg],
    call: cst.Call,
    error,
    *,
    taken: int = 0,
    refused: tuple[str, ...] = (),
    hints: dict[str, str] | None = None,
    owner: str = "",
    arity_error: type = UnsupportedConstructError,
) -> dict[str, cst.BaseExpression]:
    """Every argument of a call by its parameter name (what `*args` takes beyond the named
    parameters is left out: the caller reads it by position).

    `taken` leading parameters are already given (a method's owner, a function's first tensor);
    `error(kind, node, message, hint)` builds the error to raise; `refused` names parameters
    the real function has that this transpiler does not honour (an error naming them, never a
    silent drop), `hints` maps such a name to its fix.
    """
    spelled = owner or signature.name
    names = signature.positional[taken:]
    values: dict[str, cst.BaseExpression] = dict(zip(names, positional))
    if len(positional) > len(names) and signature.varargs is None:
        most = len(signature.positional)
        raise error(
            arity_error,
            positional[len(names)],
            f"{spelled}() takes at most {most} positional argument{'s' * (most != 1)}, "
            f"got {len(positional) + taken}",
            f"its signature is {signature.text()}",
        )
    for name, value in values.items():  # a refused parameter given by position
        if name in refused:
            raise error(
                UnsupportedConstructError,
                value,
                f"{name} (argument {names.index(name) + taken + 1} of {spelled}()) is not "
                "supported by this transpiler",
                (hints or {}).get(name, f"leave it out (supported: {signature.text()})"),
            )
    for argument in keywords:
        keyword = argument.keyword.value
        if keyword in refused:
            raise error(
                UnsupportedConstructError,
                argument.keyword,
                f"{keyword}= of {spelled}() is not supported by this transpiler",
                (hints or {}).get(keyword, f"leave out {keyword}= (supported: {signature.text()})"),
            )
        if keyword in signature.positional[: signature.positional_only]:
            raise error(
                UnknownKeywordError,
                argument.keyword,
                f"{spelled}()'s {keyword} is positional-only",
                f"pass it by position: its signature is {signature.text()}",
            )
        if keyword not in names + signature.keyword_only:
            close = near_names(keyword, list(signature.parameters))
            raise error(
                UnknownKeywordError,
                argument.keyword,
                f"{spelled}() has no parameter {keyword!r}",
                f"{close + ' ' if close else ''}its signature is {signature.text()}",
            )
        if keyword in values:
            raise error(
                UnknownKeywordError,
                argument.keyword,
                f"{spelled}() got {keyword!r} twice, by position and by keyword",
                f"its signature is {signature.text()}",
            )
        values[keyword] = argument.value
    missing = [p for p in signature.positional[taken : signature.required] if p not in values]
    if missing:
        raise error(
            arity_error,
            call,
            f"{spelled}() is missing its argument {missing[0]!r}",
            f"its signature is {signature.text()}",
        )
    return values


# Helion's language: the hl table's signatures (ops/hl.py).
HL_SIGNATURES = {op.name: parse_signature(op.signature) for op in HL}


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
    cumsum(input, dim, *, dtype=None)
    cumprod(input, dim, *, dtype=None)
    std(input, dim=None, unbiased=True, keepdim=False, *, correction=None)
    vector_norm(input, ord=2, dim=None, keepdim=False)
    normalize(input, p=2.0, dim=1, eps=1e-12)
    prod(input, dim=None, keepdim=False, *, dtype=None)
    nansum(input, dim=None, keepdim=False, *, dtype=None)
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
    "sub": {"alpha": "scale the operand yourself: x - alpha * y"},
    "div": {
        "rounding_mode": "write torch.floor(x / y) or x // y for 'floor', torch.trunc for 'trunc'"
    },
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
# a block; a tuple: the values (strings, None) it may be.
FLAGS = ("keepdim", "keep_dims", "reverse", "descending", "stable", "largest", "sorted", "unbiased")
SCALARS = (
    "nan posinf neginf alpha beta threshold negative_slope min_val max_val lambd eps p ord "
    "correction fill_value"
).split()
PARAMETER_KINDS: dict[str | tuple[str, str], str | tuple[object, ...]] = {
    **dict.fromkeys(FLAGS, "flag"),
    **dict.fromkeys(("dtype", "out_dtype"), "dtype"),
    **dict.fromkeys(SCALARS, "scalar"),
    ("addcmul", "value"): "scalar",
    ("addcdiv", "value"): "scalar",
    ("gelu", "approximate"): ("none", "tanh"),
    ("sort", "stable"): (None, False, True),
    ("argsort", "stable"): (None, False, True),
}
# Parameters torch takes one of, never both (two overloads): function → the pair
EXCLUSIVE = {name: ("unbiased", "correction") for name in ("var", "std", "var_mean")}


def parameter_kind(function: str, parameter: str) -> str | tuple[object, ...] | None:
    """What `parameter` of torch `function` must be (PARAMETER_KINDS); None: anything."""
    return PARAMETER_KINDS.get((function, parameter), PARAMETER_KINDS.get(parameter))
