"""Probes (round 17) of Python strings and bools a device loop reads: an `hl.register_tunable`
of an `EnumFragment` or a `BooleanFragment` (the config's choice), a string the host code writes,
a `str` argument, a choice between two strings, `flag = bias is None`; each against torch in
float64, each launch also compiled for sm_90 (conftest).

Found in round 17 (interpreter-only): each string was passed to the kernel as a run-time
argument, which Triton's CPU interpreter takes and a GPU launch refuses ("failed to specialize
argument of type: str": sm_90's compile of the same launch failed). Now a host name holding a
string, and a `str` parameter (or one with a string default), is a `tl.constexpr`, as a bool
flag is (frontend/host_flags.is_text, host_params).

Found in round 17 (internal traceback): a `BooleanFragment` tunable and an identity test made in
host code (`flag = bias is None`) read in the loop were run-time bools, which Triton's
interpreter refused ("numpy data itemsize (32 bits) exceeds dtype primitive_bitwidth (1 bits)
for triton type int1"). Now both are flags (host_flags.is_flag); and any other bool the host code
makes (`flag = x.sum().item() > 0`, `act == "relu"`, `act.startswith("re")`), which host analysis
cannot know for one, is taken by the interpreter as a GPU takes it, an i1 scalar
(run/interpreter_bools.py). `torch.is_grad_enabled()` was refused as "the whole tensor 'flag'";
it is a flag now."""

from __future__ import annotations

import pytest
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

N = 37
LOOP = """{before}    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        if mode == "double":
            out[tile] = x[tile] * 2
        elif mode == "negate":
            out[tile] = -x[tile]
        else:
            out[tile] = x[tile] + 1
    return out
"""
ANSWERS = {"double": lambda x: x * 2, "negate": lambda x: -x, "shift": lambda x: x + 1}
TUNABLE = (
    '    mode = hl.register_tunable("mode", helion.autotuner.EnumFragment(("negate", "double")))\n'
)
CASES = {  # signature, lines before the loop, decorator, the arguments after x, the mode taken
    "the_user_s_enum_tunable": ("x: torch.Tensor", TUNABLE, "@helion.kernel()", (), "negate"),
    "an_enum_tunable_the_config_sets": ("x: torch.Tensor", TUNABLE, "@helion.kernel(config=helion.Config(block_sizes=[16], mode='double'))", (), "double"),
    "a_string_the_host_writes": ("x: torch.Tensor", '    mode = "double"\n', "@helion.kernel()", (), "double"),
    "a_choice_of_two_strings": ("x: torch.Tensor", '    mode = "negate" if x.size(0) > 8 else "double"\n', "@helion.kernel()", (), "negate"),
    "a_str_argument_left_at_its_default": ("x: torch.Tensor, mode: str = 'shift'", "", "@helion.kernel()", (), "shift"),
    "a_str_argument_given": ("x: torch.Tensor, mode: str = 'shift'", "", "@helion.kernel()", ("negate",), "negate"),
    "an_unannotated_string_default_given": ("x: torch.Tensor, mode='shift'", "", "@helion.kernel()", ("double",), "double"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_string_read_in_the_loop_is_specialised_on(case):
    signature, before, decorator, given, mode = CASES[case]
    source = kernel(signature, LOOP.format(before=before), decorator)
    answer = ANSWERS[mode]
    assert_computes_as_torch(
        source, lambda: [signed_rand(N).to(DEVICE), *given], lambda x, *_: answer(x)
    )


FLAG = """{before}    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        if flag:
            out[tile] = x[tile] * 2
        else:
            out[tile] = x[tile] + 1
    return out
"""
BOOLEAN = '    flag = hl.register_tunable("flag", helion.autotuner.BooleanFragment())\n'
FLAGS = {  # signature, lines before the loop, decorator, the arguments after x, the flag taken
    "the_user_s_boolean_tunable": ("x: torch.Tensor", BOOLEAN, "@helion.kernel()", (), False),
    "a_boolean_tunable_the_config_sets": ("x: torch.Tensor", BOOLEAN, "@helion.kernel(config=helion.Config(block_sizes=[16], flag=True))", (), True),
    "a_missing_bias": ("x: torch.Tensor, bias=None", "    flag = bias is None\n", "@helion.kernel()", (), True),
    "a_given_bias": ("x: torch.Tensor, bias=None", "    flag = bias is None\n", "@helion.kernel()", ("bias",), False),
}  # fmt: skip


@pytest.mark.parametrize("case", FLAGS)
def test_a_bool_read_in_the_loop_is_specialised_on(case):
    signature, before, decorator, given, flag = FLAGS[case]
    source = kernel(signature, FLAG.format(before=before), decorator)

    def make():
        x = signed_rand(N).to(DEVICE)
        return [x, *(x.clone() for _ in given)]

    assert_computes_as_torch(source, make, lambda x, *_: x * 2 if flag else x + 1)


MADE = {  # signature, the host line making the flag, the flag it makes on x (its sum > -100)
    "a_compared_item": ("x: torch.Tensor", "flag = x.sum().item() > -100", True),
    "an_all_item": ("x: torch.Tensor", "flag = (x > -5).all().item()", True),
    "a_string_argument_compared": ("x: torch.Tensor, act: str = 'gelu'", 'flag = act == "relu"', False),
    "a_string_in_a_tuple": ("x: torch.Tensor, act: str = 'gelu'", 'flag = act in ("relu", "gelu")', True),
    "a_string_method": ("x: torch.Tensor, act: str = 'relu'", 'flag = act.startswith("re")', True),
    "grad_enabled": ("x: torch.Tensor", "flag = torch.is_grad_enabled()", True),
}  # fmt: skip


@pytest.mark.parametrize("case", MADE)
def test_a_bool_the_host_code_makes_is_read_as_on_a_gpu(case):
    signature, line, flag = MADE[case]
    source = kernel(signature, FLAG.format(before=f"    {line}\n"))
    assert_computes_as_torch(
        source, lambda: [signed_rand(N).to(DEVICE)], lambda x: x * 2 if flag else x + 1
    )
