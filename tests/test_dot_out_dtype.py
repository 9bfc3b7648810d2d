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
