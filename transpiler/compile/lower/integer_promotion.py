"""Where Triton promotes integers apart from torch, the facts the launcher refuses dtypes by."""

from __future__ import annotations

import ast

import libcst as cst

from ..frontend.errors import DtypeMismatchError
from .values import BLOCK, CONST, Value

# the integer dtypes a cast names (`.to(torch.int8)`), as Triton spells them: their ranges
_NARROW = {"tl.int8": (-128, 127), "tl.uint8": (0, 255), "tl.int16": (-32768, 32767)}

# Generated kernels are generic over their tensors' dtypes, and Triton's promotion is torch's
# except for integers in three places (tests/test_probes_dtypes.py checks every pair):
# - a uint8 and an int8 tensor: torch computes in int16, Triton in uint8 (C's rule); an
#   int16 / int32 / int64 tensor and a float16 / bfloat16 one: torch rounds the integers to the
#   half dtype first, Triton (the half loaded as float32 here) to float32;
# - a uint8 tensor and an int the caller passes (Triton widens to int32), or a literal outside
#   0 .. 255 (Triton refuses to compile): torch keeps uint8, wrapping; a literal inside the
#   range computes in uint8 in both (`(x >> 4) & 0xF`: sm_90's TTIR adds in i8, 2026-12-05);
# - an int8 / int16 tensor and an int the caller passes (an argument, a size, a grid index):
#   torch keeps the tensor's dtype, Triton computes in the argument's int32; and a Python int
#   outside the tensor's range (int8 & 0xFF): torch wraps it, Triton refuses to compile;
# - a float64 tensor and a float argument: Triton passes the argument as float32 (0.1 off by
#   1.5e-9), torch computes with its double (a literal, or an hl.constexpr, stays exact); the
#   tensors are those whose values the block meeting it holds unconverted (`x * y * s`:
#   `Value.fed_by`).
# Lowering notes which loaded tensors meet which (`integers`) and the range of the ints each
# meets (`numbers`) and the float arguments (`floats`; an int passed for one annotated `float`,
# which the kernel casts to float32 where torch computes in the tensor's integer dtype:
# `float_parameters`); the launcher's check_tensors refuses a tensor whose dtype is one of those,
# naming the line and the conversion that makes the kernel right.
RUNTIME_INT = (-(2**31), 2**31 - 1)  # how Triton types an int argument


def note_promotion(builder, operands: list[Value], node: cst.CSTNode) -> None:
    """Tensors meeting each other or Python ints in one operation. Each operation's operands
    by the tensors each is loaded or computed from (`v = i[t] * 2` then `h[t] + v`: i meets h;
    the launcher promotes each operand's tensors as torch would); an operand computed as a
    float (`i[t] * 1.0`, `torch.exp(...)`) meets as no int."""
    refuse_numbers_outside(builder, operands, node)
    line = builder.source.line_of(node)
    loads = [v for v in operands if v.loaded_from]
    tensors = sorted(set().union(*(v.loaded_from for v in loads))) if loads else []
    fed = sorted(set().union(*(v.loaded_from | v.fed_by for v in operands)))
    sides = {
        tuple(sorted(v.loaded_from | v.fed_by))
        for v in operands
        if (v.loaded_from or v.dtype != "float") and (v.loaded_from | v.fed_by)
    }
    if len(sides) > 1:
        meetings = builder.integers_on.setdefault(line, [])
        if tuple(sorted(sides)) not in meetings:
            meetings.append(tuple(sorted(sides)))
    for value in operands:  # a float argument: Triton passes it as float32
        argument = float_argument(builder, value)
        if argument is not None:
            for tensor in fed:
                builder.floats_on.setdefault(tensor, (line, argument))
                if argument in builder.host.floats:  # annotated `float`: cast to float32
                    builder.float_parameters_on.setdefault(tensor, (line, argument))
    for value in (v for v in operands if not v.loaded_from):
        number = int_range(builder, value)
        if number is None:
            continue
        # an int argument past int32 is Triton's int64 (torch keeps the tensor's dtype,
        # wrapping): the launcher widens the range by the argument's value
        argument = int_argument(builder, value)
        for tensor in tensors:
            first, low, high, names = builder.numbers_on.get(tensor, (line, *number, ()))
            names += (argument,) if argument and argument not in names else ()
            builder.numbers_on[tensor] = (first, min(low, number[0]), max(high, number[1]), names)


def refuse_numbers_outside(builder, operands: list[Value], node: cst.CSTNode) -> None:
    """A Python int outside the range of a value cast to int8 / uint8 / int16 meeting it:
    torch wraps the number into the dtype (`v < 200` of int8 compares with -56, `v + 200` adds
    -56), Triton refuses it (arithmetic) or compares it as it is (comparisons)."""
    for value in operands:
        dtype = ast.unparse(value.storage) if value.kind == BLOCK and value.storage else ""
        if dtype not in _NARROW:
            continue
        low, high = _NARROW[dtype]
        for number in operands:
            const = number.const if number.kind == CONST else None
            if type(const) is int and not low <= const <= high:
                name = dtype.removeprefix("tl.")
                at = node.comparator if isinstance(node, cst.ComparisonTarget) else node
                raise builder.source.error(
                    DtypeMismatchError,
                    at,  # a comparison's number, an operation's start
                    f"the int {const} meets a value of dtype {name}: torch wraps the number into "
                    f"{name} first ({low} to {high}), which this transpiler does not",
                    hint=f"convert the value first (v.to(torch.int32)), or write a number "
                    f"inside {name}'s range",
                )


def note_float_math(builder, operands: list[Value], node: cst.CSTNode) -> None:
    """Tensors a float function takes as loaded, their dtype unknown here: torch computes an
    integer tensor's in float32, Triton's tl.exp / tl.sigmoid refuse to compile, so the launcher
    requires floats (a converted operand, `x.float()`, has its dtype known and is converted)."""
    line = builder.source.line_of(node)
    for operand in operands:
        tensors = tuple(sorted(operand.loaded_from | operand.fed_by))  # (`x[t] * 2`: by x)
        if operand.kind == BLOCK and operand.dtype is None and tensors:  # floats if any is
            builder.float_math_on.setdefault(tensors, line)


def int_range(builder, value: Value) -> tuple[int, int] | None:
    """The values a Python int operand may take: a literal's own, or an argument's, a size's or
    a grid index's (Triton's int32); None for anything else."""
    if value.kind == CONST:
        number = value.const
        if isinstance(number, int) and not isinstance(number, bool):
            return (number, number)
        return None
    if value.kind != BLOCK or value.dims or value.zero_dim_tensor or value.storage is not None:
        return None
    if value.dtype == "int":
        return RUNTIME_INT
    if value.dtype is None and isinstance(value.code, ast.Name):
        param = builder.params.get(value.code.id)
        if param is not None and param.kind == "size":
            return RUNTIME_INT
        if param is not None and param.kind == "scalar" and param.launch not in builder.host.floats:
            return RUNTIME_INT
    return None


def int_argument(builder, value: Value) -> str | None:
    """The launcher's name of an int argument this value is (not a size), or None."""
    if value.kind != BLOCK or value.dims or not isinstance(value.code, ast.Name):
        return None
    param = builder.params.get(value.code.id)
    if param is None or param.kind != "scalar" or param.launch in builder.host.floats:
        return None
    return param.launch if value.dtype in (None, "int") else None


def float_argument(builder, value: Value) -> str | None:
    """The kernel parameter of a number argument that may be a float (annotated float, or not
    annotated), or None."""
    if value.kind != BLOCK or value.dims or not isinstance(value.code, ast.Name):
        return None
    param = builder.params.get(value.code.id)
    if param is None or param.kind != "scalar" or value.dtype not in (None, "float"):
        return None
    return param.launch


def launch_facts(builder, named) -> list[str]:
    """check_tensors' keywords for these facts (`named` writes a dict's text)."""
    facts = []
    if builder.integers_on:  # line: its operations, each the tensors of each operand
        lines = (
            f"{line}: (" + ", ".join(_operation(o) for o in ops) + ",)"
            for line, ops in sorted(builder.integers_on.items())
        )
        facts.append("integers={" + ", ".join(lines) + "}")
    numbers = {t: _number_text(f) for t, f in sorted(builder.numbers_on.items()) if _may_wrap(f)}
    if numbers:
        facts.append("numbers={" + ", ".join(f'"{t}": {n}' for t, n in numbers.items()) + "}")
    if builder.floats_on:
        pairs = (f'"{t}": ({line}, {arg})' for t, (line, arg) in sorted(builder.floats_on.items()))
        facts.append("floats={" + ", ".join(pairs) + "}")
    floats_only = {names[0] for names in builder.float_math_on if len(names) == 1}
    items = sorted((t, f) for t, f in builder.float_parameters_on.items() if t not in floats_only)
    if items:  # (a tensor `float_math=` requires to hold floats has no int to meet)
        pairs = (f'"{t}": ({line}, "{arg}", {arg})' for t, (line, arg) in items)
        facts.append("float_parameters={" + ", ".join(pairs) + "}")
    if builder.float_math_on:  # (names,): first line, for note_float_math
        pairs = (f"({_quoted(t)}): {line}" for t, line in sorted(builder.float_math_on.items()))
        facts.append("float_math={" + ", ".join(pairs) + "}")
    return facts


# the ints every integer dtype holds (uint8's and int8's ranges meet there): torch computes
# them as they are with any integer tensor, so the launcher's `numbers=` check could not fail
_EVERY_DTYPE_HOLDS = (0, 127)


def _may_wrap(fact: tuple[int, int, int, tuple[str, ...]]) -> bool:
    """Whether an integer tensor of some dtype may not hold the ints (line, low, high,
    arguments): an argument's value is known only at the launch."""
    _, low, high, arguments = fact
    return bool(arguments) or not _EVERY_DTYPE_HOLDS[0] <= low <= high <= _EVERY_DTYPE_HOLDS[1]


def _number_text(fact: tuple[int, int, int, tuple[str, ...]]) -> str:
    line, low, high, arguments = fact
    bound = {RUNTIME_INT[0]: "-2**31", RUNTIME_INT[1]: "2**31 - 1"}
    low_text, high_text = str(bound.get(low, low)), str(bound.get(high, high))
    if arguments:  # the arguments' values at the launch
        low_text = f"min({low_text}, {', '.join(arguments)})"
        high_text = f"max({high_text}, {', '.join(arguments)})"
    return f"({line}, {low_text}, {high_text})"


def _operation(sides: tuple[tuple[str, ...], ...]) -> str:
    """`(("x", "i"), ("h",))`: an operation's operands, each by its tensors."""
    return "(" + ", ".join(f"({_quoted(side)})" for side in sides) + ")"


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in names) + ("," if len(names) == 1 else "")
