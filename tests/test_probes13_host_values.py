"""Evaluator-style probes (round 13) of host values a device loop reads: a size tuple
(`shape = x.shape`, then `shape[0]` in the loop), literal containers (`scales = [0.5, 2.0]`),
flags host code computes from dtypes (`half = x.dtype == torch.float16`) and dtype tests inside
the loop (`if x.dtype == torch.float64:`). Each against torch in float64; each kernel also
compiled for sm_90 (conftest).

Found in round 13 (none silently wrong, each an unhelpful failure at the launch):
- `shape = x.shape` (or `x.size()`) then `shape[0]` in a device loop: `shape` was passed as a
  tensor and the launcher failed (`AttributeError: 'torch.Size' object has no attribute
  'size'`). Now `shape[d]` is the size `x.size(d)`, as in host code.
- an item of a host or module-level list, tuple, dict or string (`scales[1]`, `SCALES[2]`,
  `pair[0][tile]`): the same AttributeError from inside the generated module. Refused now at
  the subscript, the hint naming the two fixes; so is a size tuple of a tensor the host code
  binds again before the loop (`shape = x.shape; x = x.t()`: its sizes are the old x's).
- a flag from a dtype (`flag = x.dtype == torch.float64`, `x.dtype in (...)`,
  `x.is_floating_point()`, `torch.is_floating_point(x)`, `x.dtype.is_floating_point`): it
  reached the kernel as a runtime bool, which Triton's interpreter cannot take (`ValueError:
  numpy data itemsize (32 bits) exceeds dtype primitive_bitwidth (1 bits)`). It is a
  `tl.constexpr` now, as flags from sizes were.
- `if x.dtype == torch.float64:` inside the loop was refused ("a dtype used as a value"); it is
  Triton's compile-time test now. The dtype of a block computed in the loop (`w = v * 2`,
  `tile.index`) is refused there, with its own message: Triton computes float16 in float32
  and holds indices in int32, so the test could take the other branch than torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import HEADER, kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

N = 37


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


SIZES = {  # a size tuple of the host read in the loop: signature, body, arguments, truth
    "shape_in_arithmetic": ("x: torch.Tensor", "    shape = x.shape\n    out = torch.empty_like(x)\n    for tile in hl.tile(shape[0]):\n        out[tile] = x[tile] * shape[0] - tile.index % shape[0]\n    return out\n", lambda: [floats(N)], lambda x: x * N - torch.arange(N) % N),
    "size_call_negative_dims": ("x: torch.Tensor", "    shape = x.size()\n    out = torch.empty_like(x)\n    for tm, tn in hl.tile([shape[0], shape[-1]]):\n        out[tm, tn] = x[tm, tn] * shape[1] + shape[-2] + tn.index[None, :] % shape[0]\n    return out\n", lambda: [floats(5, 7)], lambda x: x * 7 + 5 + torch.arange(7)[None, :] % 5),
    "inner_range_of_shape": ("x: torch.Tensor", "    dims = x.shape\n    out = torch.empty([dims[0]], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(dims[0]):\n        acc = hl.zeros([tm], dtype=torch.float32)\n        for j in range(dims[1]):\n            acc += x[tm, j] / dims[1]\n        out[tm] = acc\n    return out\n", lambda: [floats(11, 6)], lambda x: x.mean(1)),
}  # fmt: skip


@pytest.mark.parametrize("name", SIZES)
def test_a_size_tuple_read_in_the_loop_is_the_size(name):
    signature, body, make, truth = SIZES[name]
    assert_computes_as_torch(kernel(signature, body), make, truth)


LOOP = "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
CONTAINERS = {  # body, the store's line (SCALES is the module's line 7), caret, words
    "host_list": ("    scales = [0.5, 2.0, 3.0]\n" + LOOP + "        out[tile] = x[tile] * scales[1]\n    return out\n", 13, "scales[1]", ["scales is a list (made in host code)", "item = scales[1]"]),
    "host_tuple_of_tensors": ("    pair = (x, x)\n" + LOOP + "        out[tile] = pair[0][tile] - pair[1][tile]\n    return out\n", 13, "pair[0]", ["pair is a tuple", "item = pair[0]"]),
    "host_dict": ("    table = {'a': 0.5}\n" + LOOP + "        out[tile] = x[tile] * table['a']\n    return out\n", 13, "table", ["table is a dict"]),
    "size_tuple_of_a_rebound_tensor": ("    shape = x.shape\n    x = x * 2\n" + LOOP + "        out[tile] = x[tile] * shape[0]\n    return out\n", 14, "shape[0]", ["shape is a tuple of the sizes an earlier tensor had", "item = shape[0]"]),
    "module_list": (LOOP + "        out[tile] = x[tile] * SCALES[tile.index % 2]\n    return out\n", 12, "SCALES", ["SCALES is a list (made at the module's top level)", "torch.tensor(SCALES"]),
}  # fmt: skip


@pytest.mark.parametrize("name", CONTAINERS)
def test_an_item_of_a_python_container_in_the_loop_is_refused_at_it(name):
    body, line, caret, words = CONTAINERS[name]
    source = kernel("x: torch.Tensor", body).replace(HEADER, HEADER + "SCALES = [0.5, 2.0]\n")
    assert_refused_at(source, line, caret, *words)


def test_the_fixes_the_container_hint_names_compute_as_torch():
    item = "    scales = [0.5, 2.0, 3.0]\n    item = scales[1]\n" + LOOP
    item += "        out[tile] = x[tile] * item\n    return out\n"
    assert_computes_as_torch(kernel("x: torch.Tensor", item), lambda: [floats(N)], lambda x: x * 2)
    tensor = "    scales = torch.tensor([0.5, 2.0, 3.0], device=x.device)\n" + LOOP
    tensor += "        out[tile] = x[tile] * scales[tile.index % 3]\n    return out\n"
    weights = torch.tensor([0.5, 2.0, 3.0], dtype=torch.float64).repeat(13)[:N]
    assert_computes_as_torch(
        kernel("x: torch.Tensor", tensor), lambda: [floats(N)], lambda x: x * weights
    )


BRANCH = "        if {flag}:\n            out[tile] = x[tile] * 2\n        else:\n            out[tile] = x[tile] * 3\n    return out\n"
FLAGS = {  # host code making `flag`, then the tensors for which it holds and does not
    "dtype_equal": ("flag = x.dtype == torch.float64", torch.float64, torch.float32),
    "dtype_in_tuple": ("flag = x.dtype in (torch.float16, torch.float64)", torch.float64, torch.int32),
    "dtype_not_in_list": ("flag = x.dtype not in [torch.float16, torch.float64]", torch.int64, torch.float64),
    "dtype_name": ("wide = torch.float64\n    flag = x.dtype != wide", torch.float32, torch.float64),
    "is_floating_point": ("flag = x.is_floating_point()", torch.float32, torch.int32),
    "torch_is_floating_point": ("flag = torch.is_floating_point(x)", torch.float64, torch.int64),
    "dtype_attribute": ("flag = x.dtype.is_floating_point", torch.float32, torch.int16),
    "with_a_size": ("flag = x.dtype == torch.float32 and x.size(0) > 10", torch.float32, torch.float64),
}  # fmt: skip


@pytest.mark.parametrize("name", FLAGS)
def test_a_flag_from_a_dtype_is_specialised_on_each_call(name):
    host, holds, fails = FLAGS[name]
    body = f"    {host}\n" + LOOP + BRANCH.format(flag="flag")
    x = (torch.randn(N, device=DEVICE) * 20).to(holds)
    launcher = generated(kernel("x: torch.Tensor", body), "k", x)
    for dtype, factor in ((holds, 2), (fails, 3), (holds, 2)):  # one launcher, both branches
        x = (torch.randn(N, device=DEVICE) * 20).to(dtype)
        got = launcher(x)
        assert got.dtype == dtype
        assert torch.equal(got.cpu(), (x * factor).cpu()), (dtype, factor)


TESTS = {  # a dtype test inside the loop, the tensors x, y for which it holds and does not
    "tensor_dtype": ("x.dtype == torch.float64", torch.float64, torch.float32),
    "two_tensors": ("x.dtype == y.dtype", torch.float32, torch.float64),
    "not_in": ("x.dtype not in (torch.float16, torch.float64)", torch.float32, torch.float64),
    "loaded_block": ("v.dtype == torch.float16", torch.float16, torch.float32),
}  # fmt: skip


@pytest.mark.parametrize("name", TESTS)
def test_a_dtype_test_in_the_loop_takes_torchs_branch(name):
    test, holds, fails = TESTS[name]
    body = LOOP + "        v = x[tile]\n" + BRANCH.format(flag=test)
    source = kernel("x: torch.Tensor, y: torch.Tensor", body)
    y = torch.randn(N, device=DEVICE).float()
    x = torch.randn(N, device=DEVICE).to(holds)
    launcher = generated(source, "k", x, y)
    for dtype, factor in ((holds, 2), (fails, 3)):
        x = torch.randn(N, device=DEVICE).to(dtype)
        expected = (x.double() * factor).to(dtype)
        assert torch.equal(launcher(x, y).cpu(), expected.cpu()), (dtype, factor)


COMPUTED = {  # a block computed in the loop: its Triton dtype may not be torch's
    "float16_arithmetic": ("w = v * 2", "w.dtype == torch.float16"),
    "tile_index": ("w = tile.index", "w.dtype == torch.int64"),
    "converted": ("w = v.float()", "w.dtype != x.dtype"),
}


@pytest.mark.parametrize("name", COMPUTED)
def test_a_dtype_test_of_a_computed_block_is_refused(name):
    computed, test = COMPUTED[name]
    body = LOOP + f"        v = x[tile]\n        {computed}\n" + BRANCH.format(flag=test)
    words = ["a block computed in the loop", "x.dtype"]
    assert_refused_at(kernel("x: torch.Tensor", body), 13, test, *words)
