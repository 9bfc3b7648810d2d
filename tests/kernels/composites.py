"""Kernels calling torch.nn.functional's composite ops inside device loops (layer_norm, ...)."""

import helion
import helion.language as hl
import torch
import torch.nn.functional as F


@helion.kernel()
def layer_norm_host_weights(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.layer_norm(x[tile_m, :].float(), [n], w.float(), b.float(), eps=1e-5).to(
            x.dtype
        )
    return out


@helion.kernel()
def layer_norm_plain(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        row = x[tile_m, :]
        out[tile_m, :] = F.layer_norm(row, (x.size(-1),)) * 2.0 + 1.0
    return out


@helion.kernel()
def layer_norm_planes(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, h, d = x.size()
    out = torch.empty_like(x)
    for tile_b in hl.tile(batch):
        out[tile_b, :, :] = torch.nn.functional.layer_norm(
            x[tile_b, :, :], [h, d], weight=w[:, :], bias=b[:, :], eps=1e-3
        )
    return out


@helion.kernel()
def layer_norm_rows_3d(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    batch, s, d = x.size()
    out = torch.empty_like(x)
    for tile_b, tile_s in hl.tile([batch, s]):
        out[tile_b, tile_s, :] = F.layer_norm(x[tile_b, tile_s, :], [d], w[:], None)
    return out


@helion.kernel()
def rms_norm_host_weight(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.rms_norm(x[tile_m, :], [n], w, eps=1e-6)
    return out


@helion.kernel()
def rms_norm_default_eps(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.rms_norm(x[tile_m, :], [n])
    return out


@helion.kernel()
def rms_norm_rows_3d(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    batch, s, d = x.size()
    out = torch.empty([batch, s, d], dtype=torch.float32, device=x.device)
    for tile_b, tile_s in hl.tile([batch, s]):
        scaled = F.rms_norm(x[tile_b, tile_s, :].float(), normalized_shape=(d,), weight=w[:])
        out[tile_b, tile_s, :] = scaled + x[tile_b, tile_s, :]
    return out


@helion.kernel()
def normalize_rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.normalize(x[tile_m, :], dim=-1)
    return out


@helion.kernel()
def normalize_l1(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.normalize(x[tile_m, :], p=1.0, dim=1, eps=1e-3) - 0.5
    return out


@helion.kernel()
def normalize_middle(x: torch.Tensor) -> torch.Tensor:
    batch, h, c = x.size()
    out = torch.empty_like(x)
    for tile_b, tile_c in hl.tile([batch, c]):
        out[tile_b, :, tile_c] = F.normalize(x[tile_b, :, tile_c], dim=1)
    return out


@helion.kernel()
def linear_k_loop(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += F.linear(x[tile_m, tile_k], w[tile_n, tile_k])
        out[tile_m, tile_n] = (acc + b[tile_n]).to(out.dtype)
    return out


@helion.kernel()
def linear_bias(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.relu(F.linear(x[tile_m, :], w[tile_n, :], bias=b[tile_n]))
    return out


@helion.kernel()
def linear_host_weight(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.linear(x[tile_m, :], w)
    return out


@helion.kernel()
def dropout_off(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = F.dropout(x[tile], 0.3, training=False) * 2
    return out


@helion.kernel()
def dropout_flag(x: torch.Tensor, training: bool) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.sigmoid(F.dropout(x[tile_m, tile_n], p=0.1, training=training))
    return out


@helion.kernel()
def dropout_after_norm(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        normed = F.rms_norm(x[tile_m, :], [n], w[:])
        out[tile_m, :] = F.dropout(normed, 0.5, False, False)
    return out


@helion.kernel()
def linear_batched(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    batch, s, k = x.size()
    n = w.size(0)
    out = torch.empty([batch, s, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_s, tile_n in hl.tile([batch, s, n]):
        out[tile_b, tile_s, tile_n] = F.linear(x[tile_b, tile_s, :], w[tile_n, :])
    return out


@helion.kernel()
def norms_meet_a_row(x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        out[tile_m, :] = F.normalize(row, dim=1) * b[:] + row / torch.linalg.vector_norm(
            row, 1, 1, True
        )
    return out


@helion.kernel()
def matmul_then_layer_norm(
    x: torch.Tensor, y: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor
) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, :])
        out[tile_m, :] = F.layer_norm(acc, [n], weight[:], bias[:]).to(out.dtype)
    return out
