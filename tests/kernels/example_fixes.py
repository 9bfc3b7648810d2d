"""Kernels in the shape of Helion examples that once generated broken code on the GPU."""

from collections.abc import Callable

import helion
import helion.language as hl
import torch


@helion.kernel()
def rms_norm_grad_input(
    grad_out: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, inv_rms: torch.Tensor
) -> torch.Tensor:
    # inv_rms is [m, 1] (one value a row): its whole last dimension broadcasts against weight
    m, n = x.size()
    grad_x = torch.empty_like(x)
    for tile_m in hl.tile(m):
        x_m = x[tile_m, :].to(torch.float32)
        grad_m = grad_out[tile_m, :].to(torch.float32)
        inv_rms_m = inv_rms[tile_m, :].to(torch.float32)
        scaled_grad = weight[None, :].to(torch.float32) * grad_m
        projection = (scaled_grad * x_m).mean(-1)[:, None]
        grad_x[tile_m, :] = (scaled_grad * inv_rms_m - x_m * inv_rms_m**3 * projection).to(x.dtype)
    return grad_x


@helion.kernel()
def scaled_rows_then_sum(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    # scale is [m, 1] or [m, n]; the host code reads it again after the loop
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :] * scale[tile_m, :]
    total = scale.sum()
    return out * total


@helion.kernel()
def split_k_with_epilogue(
    x: torch.Tensor,
    y: torch.Tensor,
    epilogue: Callable[[torch.Tensor, tuple], torch.Tensor] = lambda acc, tile: acc,
) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.zeros([m, n], dtype=torch.float32, device=x.device)
    k_block = helion.next_power_of_2(helion.cdiv(k, 3))
    for tile_m, tile_n, outer_k in hl.tile([m, n, k], block_size=[None, None, k_block]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for inner_k in hl.tile(outer_k.begin, outer_k.end):
            acc = torch.addmm(acc, x[tile_m, inner_k], y[inner_k, tile_n])
        if outer_k.begin == 0:  # the epilogue once per output tile: on the first split
            acc = epilogue(acc, (tile_m, tile_n))
        hl.atomic_add(out, [tile_m, tile_n], acc)
    return out


@helion.kernel()
def float8_matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # float8 tiles go to the dot as stored; the product accumulates in float32
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc.to(torch.float16)
    return out


@helion.kernel()
def causal_row_sums(x: torch.Tensor, causal: int) -> torch.Tensor:
    # the inner loop's bound is a name both branches of an `if` assign
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float16, device=x.device)
    for tile_m in hl.tile(m):
        if causal:
            high = tile_m.end
        else:
            high = n
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(0, high):
            values = x[tile_m, tile_n].to(torch.float32)
            if causal:
                values = torch.where(tile_n.index[None, :] <= tile_m.index[:, None], values, 0.0)
            acc = acc + values.sum(-1)
        out[tile_m] = acc  # stored in out's dtype, float16
    return out


@helion.aot_kernel(batched=[[0, None], None])
def scale_rows_ahead_of_time(x: torch.Tensor, scale: float) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :] * scale
    return out


@helion.kernel()
def chunked_outer_products(k: torch.Tensor, v: torch.Tensor, chunk: int) -> torch.Tensor:
    # out[b] = sum over chunks of k_chunk.T @ v_chunk: the loop's loads feed a dot, and a
    # chunk the caller fixes can make them too big for three pipeline stages
    batch, seqlen, d = k.shape
    e = v.size(2)
    chunk = hl.specialize(chunk)
    out = torch.empty([batch, d, e], dtype=torch.float32, device=k.device)
    for tile_b, tile_e in hl.tile([batch, e], block_size=[1, None]):
        state = hl.zeros([d, tile_e], dtype=torch.float32)
        for tile_t in hl.tile(seqlen, block_size=chunk):
            k_chunk = k[tile_b.begin, tile_t, :]
            v_chunk = v[tile_b.begin, tile_t, tile_e]
            state = hl.dot(k_chunk.T, v_chunk, acc=state)
        out[tile_b.begin, :, tile_e] = state
    return out


@helion.kernel()
def gated_two_layer(x: torch.Tensor, w_in: torch.Tensor, w_out: torch.Tensor) -> torch.Tensor:
    # hidden = x @ w_in is stored, then read back by the same program as a dot operand, and
    # gate is stored and read back too: on a GPU other threads of the program read them
    rows, width = x.size()
    inner = w_in.size(1)
    hidden = torch.empty([rows, inner], dtype=x.dtype, device=x.device)
    gate = torch.empty([rows, width], dtype=x.dtype, device=x.device)
    out = torch.empty([rows, width], dtype=x.dtype, device=x.device)
    for tile_r in hl.tile(rows):
        for tile_i in hl.tile(inner):
            hidden[tile_r, tile_i] = torch.tanh(x[tile_r, :] @ w_in[:, tile_i])
        for tile_w in hl.tile(width):
            acc = hl.zeros([tile_r, tile_w], dtype=torch.float32)
            for tile_i in hl.tile(inner):
                acc = torch.addmm(acc, hidden[tile_r, tile_i], w_out[tile_i, tile_w])
            gate[tile_r, tile_w] = torch.sigmoid(acc)
            out[tile_r, tile_w] = x[tile_r, tile_w] * gate[tile_r, tile_w]
    return out
