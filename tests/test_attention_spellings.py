"""Attention in three spellings (issue 17): a batch tile of block size 1 written in the source,
a scalar `tile.begin` index, and a batch tile whose block the config sets to 1 with the scale
applied to the queries in the loop. At one configuration all three copy 2-D tiles by TMA,
warp-specialize the key loop and multiply in the inputs' dtype; each matches float64 in the
interpreter and compiles for sm_90 and sm_100. The same constructs in other kernels below."""

from __future__ import annotations

import math
import re

import pytest
import torch
from helpers import DEVICE, assert_matches, on_device, one_line

import transpiler
import transpiler.language as hl
from transpiler.run.tile_configs import candidates


@transpiler.kernel()
def attention_unit_batch(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    batch, m, d = q.size()
    n = k.size(1)
    qk_scale = 1.44269504 / math.sqrt(d)
    out = torch.empty_like(q)
    for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):
        m_i = hl.full([tile_b, tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_m, d], dtype=torch.float32)
        queries = q[tile_b, tile_m, :]
        for tile_n in hl.tile(n):
            qk = torch.bmm(queries, k[tile_b, tile_n, :].transpose(1, 2))
            m_new = torch.maximum(m_i, torch.amax(qk, -1) * qk_scale)
            p = torch.exp2(qk * qk_scale - m_new[:, :, None])
            alpha = torch.exp2(m_i - m_new)
            l_i = l_i * alpha + torch.sum(p, -1)
            acc = torch.baddbmm(acc * alpha[:, :, None], p.to(v.dtype), v[tile_b, tile_n, :])
            m_i = m_new
        out[tile_b, tile_m, :] = (acc / l_i[:, :, None]).to(out.dtype)
    return out


@transpiler.kernel()
def attention_by_begin(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    heads, m, d = q.shape
    n = k.shape[1]
    scale = 1.0 / math.sqrt(d)
    out = torch.empty_like(q)
    for tile_h, tile_m in hl.tile([heads, m], block_size=[1, None]):
        h = tile_h.begin
        queries = q[h, tile_m, :]
        m_i = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        for tile_n in hl.tile(n):
            s = (queries @ k[h, tile_n, :].T).float() * scale
            m_new = torch.maximum(m_i, s.amax(dim=-1))
            p = torch.exp(s - m_new[:, None])
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + p.sum(dim=-1)
            acc = acc * alpha[:, None] + p.to(v.dtype) @ v[h, tile_n, :]
            m_i = m_new
        out[h, tile_m, :] = (acc / l_i[:, None]).to(out.dtype)
    return out


@transpiler.kernel()
def attention_4d(q_in: torch.Tensor, k_in: torch.Tensor, v_in: torch.Tensor):
    seq_q, head_dim = q_in.size(-2), q_in.size(-1)
    seq_k = k_in.size(-2)
    queries = q_in.reshape([-1, seq_q, head_dim])
    keys = k_in.reshape([-1, seq_k, head_dim])
    values = v_in.reshape([-1, seq_k, head_dim])
    out = torch.empty_like(queries)
    log_sums = torch.empty([queries.size(0), seq_q], dtype=torch.float32, device=q_in.device)
    scale = 1.44269504 / math.sqrt(head_dim)
    for tile_b, tile_m in hl.tile([queries.size(0), seq_q]):
        running_max = hl.full([tile_b, tile_m], float("-inf"), dtype=torch.float32)
        total = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_m, head_dim], dtype=torch.float32)
        q_tile = queries[tile_b, tile_m, :]
        for tile_n in hl.tile(seq_k):
            scores = torch.bmm(q_tile * scale, keys[tile_b, tile_n, :].transpose(1, 2))
            new_max = torch.maximum(running_max, torch.amax(scores, -1))
            p = torch.exp2(scores - new_max[:, :, None])
            alpha = torch.exp2(running_max - new_max)
            total = total * alpha + torch.sum(p, -1)
            acc = torch.baddbmm(
                acc * alpha[:, :, None], p.to(values.dtype), values[tile_b, tile_n, :]
            )
            running_max = new_max
        log_sums[tile_b, tile_m] = running_max + torch.log2(total)
        out[tile_b, tile_m, :] = (acc / total[:, :, None]).to(out.dtype)
    return out.view(q_in.size()), log_sums.view(q_in.size()[:-1])


def exact_attention(q, k, v):
    scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(q.size(-1))
    return torch.softmax(scores, dim=-1) @ v.double()


def exact_log_sums(q, k):
    scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(q.size(-1))
    return torch.logsumexp(scores, dim=-1) / math.log(2)


SPELLINGS = {  # name: (kernel, 4-D inputs, batch blocks in the config)
    "unit batch": (attention_unit_batch, False, []),
    "tile.begin": (attention_by_begin, False, []),
    "4-D, batch block from the config": (attention_4d, True, [1]),
}
WARP_SPECIALIZED = {
    "num_warps": 4, "num_stages": 2, "indexing": "tensor_descriptor",
    "range_warp_specializes": [True], "pid_type": "persistent_interleaved",
}  # fmt: skip


def spelling_inputs(four_d: bool, batch: int, m: int, n: int, d: int, dtype: torch.dtype):
    shape = (2, batch // 2) if four_d else (batch,)
    q = torch.randn(*shape, m, d, dtype=dtype) + 0.1
    k = torch.randn(*shape, n, d, dtype=dtype) * 0.7
    v = torch.randn(*shape, n, d, dtype=dtype) - 0.2
    return q, k, v


def config(spelling: str, block_m: int, block_n: int) -> dict:
    return {"block_sizes": [*SPELLINGS[spelling][2], block_m, block_n], **WARP_SPECIALIZED}


def kernel_code(source: str, name: str) -> str:
    """The @triton.jit kernel's text alone (not its launcher or helpers)."""
    start = source.index(f"@triton.jit\ndef {name}_kernel(")
    return source[start : source.index("\ndef ", start + 20)]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_copies_2d_tiles_and_warp_specializes(spelling):
    kernel, four_d, _ = SPELLINGS[spelling]
    args = spelling_inputs(four_d, 4, 64, 48, 32, torch.float16)
    code = kernel_code(kernel.bind(args, config(spelling, 32, 16)).triton_source, kernel.name)
    assert "warp_specialize=TENSOR_DESCRIPTORS" in code
    shapes = re.findall(r"block_shape=\[([^\]]*)\]", code)
    assert len(shapes) == 4 and all(s.count(",") == 1 for s in shapes), shapes  # 2-D tiles
    assert len(re.findall(r"\w+_desc\.load\(\[\w+ \* \w+ \+ ", code)) == 3  # q, k, v: joined
    assert "tl.reshape" not in code  # 2-D dots, no batch dimension of one around them
    for dot in re.findall(r"tl\.dot\((.*)", code):
        assert "upcast_half" not in dot  # factors in the inputs' dtype: tensor cores


def test_the_scaled_queries_are_rounded_to_the_inputs_dtype():
    """`q_tile * scale` is float16 in torch: the product's factor is rounded to it, not
    multiplied in float32 (a TF32 product, twice the shared memory)."""
    args = spelling_inputs(True, 4, 64, 48, 32, torch.float16)
    code = attention_4d.bind(args, config("4-D, batch block from the config", 32, 16))
    assert "as_factor(q_tile * scale, queries_ptr.dtype.element_ty)" in code.triton_source


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(
    "sizes",
    [
        (4, 64, 48, 32),  # whole tiles: TMA (joined rows)
        (2, 50, 37, 24),  # ragged: the pointer path under the same config
    ],
    ids=["whole", "ragged"],
)
@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_each_spelling_matches_float64(spelling, sizes, dtype):
    kernel, four_d, _ = SPELLINGS[spelling]
    torch.manual_seed(hash((spelling, sizes)) % 1000)
    q, k, v = spelling_inputs(four_d, *sizes, dtype)
    result = on_device(kernel.bind((q, k, v), config(spelling, 32, 16)))(q, k, v)
    out = result[0] if isinstance(result, tuple) else result
    assert_matches(out, exact_attention(q, k, v), dtype, dots=True)
    if isinstance(result, tuple):
        assert_matches(result[1], exact_log_sums(q, k), dtype, dots=True)


@pytest.mark.parametrize("target", ["sm_90", "sm_100"])
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_compiles_at_the_searchs_first_config(spelling, target):
    """bf16 at 128 x 128 tiles: fits the GPU, no register spills; warp-specialized on Hopper
    (Triton 3.6 once asserted on pointer loads there: they are never warp-specialized)."""
    kernel, four_d, _ = SPELLINGS[spelling]
    args = spelling_inputs(four_d, 4, 256, 256, 128, torch.bfloat16)
    bound = kernel.bind(args, config(spelling, 128, 128))
    (result,) = bound.compile_for(target)
    assert result.fits and result.spills == 0, result.exceeded
    if target == "sm_90":
        assert "ttg.warp_specialize" in result.asm["ttgir"]


def test_batched_attention_gets_the_warp_specialized_candidates():
    """A batch tile the config sizes (Helion's 4-D example): the same candidates as the
    [M, N] attention, with a batch block of 1, first."""
    args = spelling_inputs(True, 4, 64, 48, 32, torch.float16)
    tunables = attention_4d.transpiled(args).tunables[attention_4d.name]
    assert [role for _, role in tunables] == ["batch", "mn", "mn"]
    space = candidates(tunables)
    first = space[0]
    assert first["block_sizes"][0] == 1 and first["range_warp_specializes"] == [True]
    assert first["indexing"] == "tensor_descriptor" and "pid_type" in first


# -- the same constructs in other kernels -------------------------------------------------------


@transpiler.kernel()
def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # query heads share key and value heads in groups: the key head is computed from the
    # query head's begin (a scalar index that is no tile's begin)
    heads, m, d = q.size()
    kv_heads, n = k.size(0), k.size(1)
    group = heads // kv_heads
    scale = 1 / math.sqrt(d)
    out = torch.empty_like(q)
    for tile_h, tile_m in hl.tile([heads, m], block_size=[1, None]):
        kv = tile_h.begin // group
        queries = q[tile_h.begin, tile_m, :]
        m_i = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        for tile_n in hl.tile(n):
            s = queries @ k[kv, tile_n, :].T * scale
            m_new = torch.maximum(m_i, s.amax(dim=-1))
            p = torch.exp(s - m_new[:, None])
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + p.sum(dim=-1)
            acc = acc * alpha[:, None] + p.to(v.dtype) @ v[kv, tile_n, :]
            m_i = m_new
        out[tile_h.begin, tile_m, :] = (acc / l_i[:, None]).to(out.dtype)
    return out


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize("m, n", [(64, 32), (40, 27)], ids=["whole", "ragged"])
def test_a_computed_scalar_head_index_joins_rows_too(dtype, m, n):
    torch.manual_seed(m + n)
    q = torch.randn(6, m, 16, dtype=dtype) + 0.3
    k, v = (torch.randn(2, n, 16, dtype=dtype) - 0.1 for _ in range(2))
    bound = grouped_query_attention.bind((q, k, v), {"block_sizes": [16, 16], **WARP_SPECIALIZED})
    assert "k_desc.load([kv * n + begin_n, 0])" in bound.triton_source  # n = k.size(1)
    expected = exact_attention(q, k.repeat_interleave(3, 0), v.repeat_interleave(3, 0))
    assert_matches(on_device(bound)(q, k, v), expected, dtype, dots=True)


def test_a_batch_of_one_broadcast_by_a_scalar_index_takes_pointers():
    """k with one head read at every head's index: pointers read its one head (stride 0),
    a descriptor over its rows would read past them, so the launcher keeps pointers."""
    torch.manual_seed(4)
    q = torch.randn(3, 32, 16) + 0.3
    k, v = torch.randn(1, 32, 16), torch.randn(1, 32, 16)
    bound = attention_by_begin.bind((q, k, v), {"block_sizes": [16, 16], **WARP_SPECIALIZED})
    assert "k.size(0) != 1" in bound.triton_source
    expected = exact_attention(q, k.expand(3, -1, -1), v.expand(3, -1, -1))
    assert_matches(on_device(bound)(q, k, v), expected, torch.float32, dots=True)


@transpiler.kernel()
def flipped_heads(x: torch.Tensor) -> torch.Tensor:
    heads, m, d = x.size()
    out = torch.empty_like(x)
    for tile_h, tile_m in hl.tile([heads, m], block_size=[1, None]):
        out[tile_h.begin, tile_m, :] = x[heads - 1 - tile_h.begin, tile_m, :] * 2.0
    return out


@pytest.mark.parametrize("m", [32, 45], ids=["whole", "ragged"])
def test_a_scalar_sum_as_index_is_one_row_offset(m):
    """`x[heads - 1 - b, ...]`: the index is a sum, its rows `(heads - 1 - b) * m + i`."""
    x = torch.randn(5, m, 16) + 1
    bound = flipped_heads.bind((x,), {"block_sizes": [16], "indexing": "tensor_descriptor"})
    # the index counts from the end when negative, as torch's does (negative_indices.py)
    assert "index = heads - 1 - pid_h * BLOCK_H" in bound.triton_source
    assert "[tl.where(index < 0, index + heads, index) * m + pid_m * BLOCK_M, 0]" in one_line(
        bound.triton_source
    )
    assert_matches(on_device(bound)(x), x.flip(0).double() * 2, torch.float32)


@transpiler.kernel()
def scaled_matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = torch.addmm(acc, x[tile_m, tile_k] * 0.3 - 1.5, y[tile_k, tile_n] / 3)
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_scaled_half_factors_multiply_in_their_dtype(dtype):
    """Both factors are tiles scaled by Python numbers: torch keeps them in the inputs'
    dtype, and so does the product (as_factor rounds; float32 stays float32)."""
    torch.manual_seed(9)
    x, y = torch.randn(37, 45, dtype=dtype), torch.randn(45, 29, dtype=dtype) + 0.5
    bound = scaled_matmul.bind((x, y), {"block_sizes": [16, 16, 16]})
    assert bound.triton_source.count("as_factor(") >= 3  # two factors and the helper
    x_scaled = (x * 0.3 - 1.5).double()  # torch's own rounding of each factor
    expected = x_scaled @ (y / 3).double()
    assert_matches(on_device(bound)(x, y), expected, dtype, dots=True)


def test_an_integer_tile_scaled_by_a_float_multiplies_in_float32():
    """torch: an int32 tile times 0.3 is float32; both factors go to the product as float32."""
    torch.manual_seed(10)
    x = torch.randint(-5, 6, (21, 33), dtype=torch.int32)
    y = torch.randn(33, 19)
    bound = scaled_matmul.bind((x, y), {"block_sizes": [16, 16, 16]})
    expected = (x.double() * 0.3 - 1.5) @ (y.double() / 3)
    result = on_device(bound)(x, y)
    assert result.dtype == torch.int32  # out takes x's dtype: the sums truncated toward zero
    # a GPU multiplies float32 as TF32: a sum within 1e-2 of an integer may truncate either way
    near = (expected - expected.round()).abs() < (1e-2 if DEVICE == "cuda" else 0)
    assert_matches(result.double()[~near], expected.trunc()[~near], torch.float32, dots=True)
    assert ((result.double() - expected.trunc())[near].abs() <= 1).all()


@transpiler.kernel()
def batched_matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    b, m, kk = x.size()
    n = y.size(2)
    out = torch.empty([b, m, n], dtype=x.dtype, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([b, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = torch.baddbmm(acc, x[tile_b, tile_m, tile_k], y[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc.to(out.dtype)
    return out


@pytest.mark.parametrize("batch_block, squeezed", [(1, True), (2, False)])
def test_a_batch_block_of_one_from_the_config_is_squeezed(batch_block, squeezed):
    torch.manual_seed(batch_block)
    x, y = torch.randn(3, 33, 20), torch.randn(3, 20, 17)
    bound = batched_matmul.bind((x, y), {"block_sizes": [batch_block, 16, 16, 16]})
    code = kernel_code(bound.triton_source, "batched_matmul")
    assert ("tl.arange(0, BLOCK_B)" not in code) == squeezed
    assert_matches(on_device(bound)(x, y), x.double() @ y.double(), torch.float32, dots=True)


def test_a_tile_copied_before_the_key_loop_keeps_the_persistent_loop_unflattened():
    """Persistent TMA programs without warp specialization: the queries' tile is copied before
    the key loop and held across it; flattening the two loops made Triton 3.6's TMA lowering
    fail for sm_90 (on an H200, 2026-12-04). The persistent loop stays a plain one there."""
    args = spelling_inputs(False, 4, 256, 256, 128, torch.bfloat16)
    config = {
        "block_sizes": [128, 64], "num_warps": 8, "num_stages": 3,
        "indexing": "tensor_descriptor", "pid_type": "persistent_interleaved",
    }  # fmt: skip
    bound = attention_unit_batch.bind(args, config)
    assert "for pid in tl.range(" in bound.triton_source
    assert "flatten=True" not in bound.triton_source
    (result,) = bound.compile_for("sm_90")
    assert result.fits and result.spills == 0
