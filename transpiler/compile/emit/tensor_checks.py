"""`check_tensors`, the launcher's check of the tensors it passes, written from parts: a module
carries the parts its calls' keywords ask for (the bool check only where a call passes
`arithmetic=`), each part's text kept here once."""

from __future__ import annotations

from dataclasses import dataclass

from .wrap import WIDTH

# check_tensors' keywords, in the order its signature takes them
KEYWORDS = (
    "ranks",
    "arithmetic",
    "factors",
    "integers",
    "numbers",
    "floats",
    "float_parameters",
    "float_math",
    "why",
)


@dataclass(frozen=True)
class Part:
    """A keyword's share of the helper: its parameter, its lines inside the loop over the tensors
    (each looks up its tensor's value as it tests it), its lines after that loop. Lines reading
    `why` come in two forms: where a call passes `why=` and where none does."""

    parameter: str
    each: tuple[str, str] = ("", "")  # (with why, without)
    after: str = ""


# The tensor check every module makes, first in the loop: (with why, without)
TENSOR = (
    """        if not isinstance(t, torch.Tensor):
            got = f"{name} must be a tensor, not {type(t).__name__}: {why or 'the kernel reads it'}"
            raise TypeError(f"{got}; pass torch.tensor({name}), or allocate it with torch.empty")
""",
    """        if not isinstance(t, torch.Tensor):
            got = f"{name} must be a tensor, not {type(t).__name__}: the kernel reads it"
            raise TypeError(f"{got}; pass torch.tensor({name}), or allocate it with torch.empty")
""",
)

# Last in the loop: a tensor Triton cannot read (host code's checks, `why`, launch nothing); a
# CPU tensor where Triton's interpreter is off (a module run without a GPU or TRITON_INTERPRET=1
# fails inside Triton's driver otherwise, naming none of this)
UNREADABLE = (
    """        if not why and (t.is_complex() or t.is_meta):  # (`why`: host code's ranks, no launch)
            raise ValueError(f"{name} is {t.dtype} on the {t.device} device: Triton cannot read it")
        if not why and t.is_cpu and not triton.knobs.runtime.interpret:
            raise RuntimeError(f"{name} is on the CPU: move it to a GPU ({name}.cuda()), or with "
                               "none set TRITON_INTERPRET=1 before triton is imported")
""",
    """        if t.is_complex() or t.is_meta:
            raise ValueError(f"{name} is {t.dtype} on the {t.device} device: Triton cannot read it")
        if t.is_cpu and not triton.knobs.runtime.interpret:
            raise RuntimeError(f"{name} is on the CPU: move it to a GPU ({name}.cuda()), or with "
                               "none set TRITON_INTERPRET=1 before triton is imported")
""",
)

_RANK = """        if (rank := (ranks or {}).get(name)) is not None and t.dim() != rank:
            reason = why or "the kernel indexes it so"
            raise ValueError(f"{name} must be {rank}-D, not {t.dim()}-D: {reason}")
"""
_RANK_ALONE = """        if (rank := (ranks or {}).get(name)) is not None and t.dim() != rank:
            raise ValueError(f"{name} must be {rank}-D, not {t.dim()}-D: the kernel indexes it so")
"""

# The bool refusal where every call's `arithmetic=` gives a plain line (no `(line, *names)` pair):
# a bool tensor is wrong there whatever the others are
_BOOL_ALONE = """        if t.dtype == torch.bool and (line := (arithmetic or {}).get(name)):
            fix = f"pass {name}.to(torch.int32) or {name}.float(), or combine bools with & | ~"
            raise TypeError(f"{name} is a bool tensor and line {line} does arithmetic: {fix}")
"""

PARTS: dict[str, Part] = {
    "ranks": Part(
        "ranks=None",
        (_RANK, _RANK_ALONE),
    ),
    "arithmetic": Part(
        "arithmetic=None",
        (
            """        if t.dtype == torch.bool and (line := (arithmetic or {}).get(name)):
            line, *beside = line if isinstance(line, tuple) else (line, name)  # (line, *names)
            if any(tensors[other].dtype == torch.bool for other in beside):  # wrong beside bools
                fix = f"pass {name}.to(torch.int32) or {name}.float(), or combine bools with & | ~"
                raise TypeError(f"{name} is a bool tensor and line {line} does arithmetic: {fix}")
""",
        )
        * 2,
    ),
    "factors": Part(  # dots.float_factors: a float product's factors, read as they are
        "factors=None",
        after="""    for name, line in (factors or {}).items():  # tl.dot multiplies floats and int8 only
        if not ((t := tensors[name]).is_floating_point() or t.dtype in (torch.int8, torch.uint8)):
            what = f"{name} is {t.dtype}: Triton's tl.dot multiplies floats and int8 only"
            raise TypeError(f"line {line}: {what}; convert with .float() (or .double()) first")
""",
    ),
    "integers": Part(
        "integers=None",
        after="""    ints, halves = (torch.int16, torch.int32, torch.int64), (torch.float16, torch.bfloat16)
    for line, operation in ((n, o) for n, ops in (integers or {}).items() for o in ops):
        met = {}  # each operand's dtype (torch.promote_types of its tensors') → their names
        for names in operation:
            dtype = tensors[names[0]].dtype
            for name in names[1:]:
                dtype = torch.promote_types(dtype, tensors[name].dtype)
            met.setdefault(dtype, " and ".join(names))
        for a, b in [(torch.uint8, torch.int8), *((i, h) for i in ints for h in halves)]:
            if a in met and b in met:  # torch: int16 (Triton: uint8); the int rounded to b first
                fix = f"torch promotes them apart from Triton: convert one first, .to({b})"
                raise TypeError(f"{a} {met[a]} meets {b} {met[b]} (line {line}): {fix}")
""",
    ),
    "numbers": Part(
        "numbers=None",
        after="""    for name, (line, low, high) in (numbers or {}).items():  # Python ints meeting a tensor
        dtype = tensors[name].dtype
        if dtype.is_floating_point or dtype.is_complex or dtype == torch.bool:
            continue
        info = torch.iinfo(dtype)  # a literal inside the dtype computes in it, as torch
        if not info.min <= low <= high <= info.max:
            fix = f"convert {name} first, .to(torch.int64): torch keeps {dtype}, wrapping"
            raise TypeError(f"line {line} computes with {dtype} {name} and an int: {fix}")
""",
    ),
    "floats": Part(
        "floats=None",
        after="""    for name, (line, number) in (floats or {}).items():  # Triton passes it as float32
        if tensors[name].dtype == torch.float64 and isinstance(number, float):
            fix = "annotate the argument hl.constexpr, or write the number in the kernel"
            raise TypeError(f"line {line} computes with float64 {name} and a float argument: {fix}")
""",
    ),
    "float_parameters": Part(  # integer_promotion.note_promotion: the kernel casts to float32
        "float_parameters=None",
        after="""    for name, (line, parameter, number) in (float_parameters or {}).items():
        if isinstance(number, int) and not (dtype := tensors[name].dtype).is_floating_point:
            what = f"line {line} computes {dtype} {name} with {parameter}={number!r}, an int"
            fix = f"pass {parameter}={float(number)!r}, as its annotation `float` says"
            raise TypeError(f"{what}: torch computes in {dtype}, the kernel in float32: {fix}")
""",
    ),
    "float_math": Part(  # integer_promotion.note_float_math: tl.exp and the like refuse integers
        "float_math=None",
        after="""    for names, line in (float_math or {}).items():  # a float function of these tensors
        if not any(tensors[name].is_floating_point() for name in names):
            fix = f"pass {names[0]}.float(): torch computes it in float32"
            what = f"line {line} takes a float function of integer {' and '.join(names)}"
            raise TypeError(f"{' or '.join(names)} must hold floats: {what}: {fix}")
""",
    ),
    "why": Part('why=""'),
}

# The offsets' dtype, the helper's result: int64 where a tensor holds 2**31 elements or more
INDEX_DTYPE = """    largest = max(t.untyped_storage().nbytes() // t.element_size() for t in tensors.values())
    return tl.int64 if largest >= 2**31 else tl.int32
"""

_OPEN = "def check_tensors("


def _signature(parameters: list[str]) -> str:
    """The `def` line, its parameters wrapped under the first where they pass WIDTH."""
    lines, line = [], _OPEN + "tensors"
    for parameter in parameters:
        if len(line) + len(parameter) + len(", ") + len("):") > WIDTH:
            lines.append(line + ",")
            line = " " * len(_OPEN) + parameter
        else:
            line += ", " + parameter
    return "\n".join([*lines, line + "):"]) + "\n"


def check_tensors_source(
    keywords: set[str] | frozenset[str] = frozenset(KEYWORDS), pairs: bool = True
) -> str:
    """The helper taking `keywords` (every one: the whole helper; so too where one is unknown),
    each part's lines in place; `pairs`: a call may pass `arithmetic=` a `(line, *names)` pair."""
    known = set(keywords) <= set(KEYWORDS)
    used = [keyword for keyword in KEYWORDS if keyword in keywords or not known]
    form = 0 if "why" in used else 1
    parts = [PARTS[keyword] for keyword in used]
    source = _signature([part.parameter for part in parts])
    source += "    for name, t in tensors.items():  # each refusal names the tensor and the fix\n"
    source += TENSOR[form]
    each = [part.each[form] for part in parts]
    if not pairs and "arithmetic" in used:
        each[used.index("arithmetic")] = _BOOL_ALONE
    source += "".join(each)
    source += UNREADABLE[form]
    source += "".join(part.after for part in parts)
    return source + INDEX_DTYPE
