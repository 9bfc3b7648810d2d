"""torch's `.dtype` overloads of the products (`torch.bmm(a, b, torch.float32)`, `torch.mm(a, b,
out_dtype=...)`, `torch.baddbmm(acc, a, b, torch.float32)`): the result's dtype passed to
tl.dot; anything else in that place is refused at its line (Helion's attention example writes
the first)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, on_device

import transpiler
import transpiler.language as hl
from transpiler.compile.frontend import errors


@transpiler.kernel()
def batched_scores(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, m, k = a.size()
    n = b.size(2)
    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n], block_size=[1, None, None]):
        out[tile_b, tile_m, tile_n] = torch.bmm(
            a[tile_b, tile_m, :], b[tile_b, :, tile_n], torch.float32
        )
    return out


@transpiler.kernel()
def matmul_by_keyword(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    n = b.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.mm(a[tile_m, :], b[:, tile_n], out_dtype=torch.float32) * 0.5
    return out


@transpiler.kernel()
def accumulated_batches(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, m, k = a.size()
    n = b.size(2)
    out = torch.empty([batch, m, n], dtype=a.dtype, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n], block_size=[1, None, None]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(
                acc, a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n], torch.float32
            )
        out[tile_b, tile_m, tile_n] = acc.to(out.dtype)
    return out


def exact_products(a, b):
    return a.double() @ b.double()


CASES = {  # name: (kernel, batched inputs, scale of the exact result)
    "bmm, out_dtype positional": (batched_scores, True, 1.0),
    "mm, out_dtype keyword": (matmul_by_keyword, False, 0.5),
    "baddbmm, out_dtype after the factors": (accumulated_batches, True, 1.0),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_the_result_dtype_reaches_the_product(case, dtype):
    kernel, batched, scale = CASES[case]
    torch.manual_seed(len(case))
    lead = (3,) if batched else ()
    a = torch.randn(*lead, 37, 45, dtype=dtype) + 0.2
    b = torch.randn(*lead, 45, 29, dtype=dtype) - 0.1
    bound = kernel.bind(
        (a, b), {"block_sizes": [16, 16] + ([16] if kernel is accumulated_batches else [])}
    )
    assert "out_dtype=tl.float32" in bound.triton_source
    assert_matches(on_device(bound)(a, b), exact_products(a, b) * scale, dtype, dots=True)


REFUSED = {
    "a tensor": "torch.bmm(a[tile_b, tile_m, :], b[tile_b, :, tile_n], a)",
    "a number": "torch.bmm(a[tile_b, tile_m, :], b[tile_b, :, tile_n], 2.0)",
    "a fourth": "torch.bmm(a[tile_b, tile_m, :], b[tile_b, :, tile_n], torch.float32, 1)",
}


@pytest.mark.parametrize("case", REFUSED)
def test_anything_but_a_dtype_after_the_factors_is_refused_at_its_line(case):
    source = (
        "import torch\nimport helion\nimport helion.language as hl\n\n"
        "@helion.kernel()\n"
        "def k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:\n"
        "    batch, m, _ = a.size()\n"
        "    n = b.size(2)\n"
        "    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)\n"
        "    for tile_b, tile_m, tile_n in hl.tile([batch, m, n], block_size=[1, None, None]):\n"
        f"        out[tile_b, tile_m, tile_n] = {REFUSED[case]}\n"
        "    return out\n"
    )
    with pytest.raises(errors.UnsupportedConstructError) as caught:
        transpiler.transpile(source)
    assert caught.value.lineno == 11


@transpiler.kernel()
def biased_rows(bias: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    n = b.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = bias[tile_m, tile_n].to(torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n], out_dtype=torch.float32)
        out[tile_m, tile_n] = acc
    return out


@transpiler.kernel()
def dot_in_float32(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    n = b.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc, out_dtype=torch.float32)
        out[tile_m, tile_n] = acc - torch.mm(a[tile_m, :], b[:, tile_n], torch.float32) * 0.25
    return out


REFERENCE_CASES = {  # name: (kernel, with a bias, batched inputs, the exact result's scale)
    **{name: (kernel, False, batched, scale) for name, (kernel, batched, scale) in CASES.items()},
    "addmm, out_dtype keyword, a float32 accumulator": (biased_rows, True, False, 1.0),
    "hl.dot's out_dtype beside mm's": (dot_in_float32, False, False, 0.75),
}


@pytest.mark.parametrize("case", REFERENCE_CASES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
def test_reference_mode_computes_the_out_dtype_overloads_on_the_cpu(case, dtype):
    """torch has no CPU kernel for `aten::bmm.dtype` and the like: reference mode computes them
    in float32 and casts, as the GPU's float32 accumulator does, on CPU tensors."""
    kernel, biased, batched, scale = REFERENCE_CASES[case]
    torch.manual_seed(len(case) + 7)
    lead = (2,) if batched else ()
    a = torch.randn(*lead, 23, 41, dtype=dtype) - 0.3
    b = torch.randn(*lead, 41, 19, dtype=dtype) + 0.1
    args = (a, b)
    expected = exact_products(a, b) * scale
    if biased:
        bias = torch.randn(23, 19, dtype=dtype)
        args = (bias, a, b)
        expected = expected + bias.double()
    result = kernel.run_reference(*args)
    assert_matches(result, expected, dtype, dots=True)
    if dtype != torch.bfloat16:  # Triton's interpreter rounds bfloat16 wrongly
        assert_matches(on_device(kernel)(*args), result.double(), dtype, dots=True)


@pytest.mark.parametrize("kernel", [batched_scores, biased_rows], ids=lambda k: k.__name__)
def test_an_exported_module_checks_the_overloads_against_its_own_reference(kernel, tmp_path):
    """The export's reference section embeds reference/products.py's definitions, so its
    self-check runs on the CPU too."""
    from test_export import run_standalone

    torch.manual_seed(11)
    lead = (3,) if kernel is batched_scores else ()
    args = (torch.randn(*lead, 21, 33, dtype=torch.float16), torch.randn(*lead, 33, 17).half())
    if kernel is biased_rows:
        args = (torch.randn(21, 17, dtype=torch.float16), *args)
    path = transpiler.export(kernel, tmp_path / "products.py", example_args=args)
    assert "def _wide(" in path.read_text()
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "PASS" in done.stdout
