"""Probes (round 17) of Python strings a device loop reads: an `hl.register_tunable` of an
`EnumFragment` (the config's choice), a string the host code writes, a `str` argument, a choice
between two strings; each against torch in float64, each launch also compiled for sm_90
(conftest).

Found in round 17 (interpreter-only): each string was passed to the kernel as a run-time
argument, which Triton's CPU interpreter takes and a GPU launch refuses ("failed to specialize
argument of type: str": sm_90's compile of the same launch failed). Now a host name holding a
string, and a `str` parameter (or one with a string default), is a `tl.constexpr`, as a bool
flag is (frontend/host_flags.is_text, host_params)."""

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
