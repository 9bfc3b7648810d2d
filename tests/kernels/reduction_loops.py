"""Row kernels for looped reductions (config reduction_loops): each spelled as users write it."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def row_reductions(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, 9], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        out[tile_m, 0] = row.sum(dim=-1)
        out[tile_m, 1] = row.mean(dim=1)
        out[tile_m, 2] = torch.amax(row, dim=1)
        out[tile_m, 3] = torch.amin(row, dim=1)
        out[tile_m, 4] = torch.argmax(row, dim=1).float()
        values, indices = torch.min(row, dim=1)
        out[tile_m, 5] = values + indices
        out[tile_m, 6] = torch.logsumexp(row, dim=1)
        out[tile_m, 7] = row.var(dim=1)
        out[tile_m, 8] = torch.std(row * 2, dim=-1, correction=0)
    return out


@helion.kernel()
def softmax_builtin(x: torch.Tensor) -> torch.Tensor:
    n, _m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        out[tile_n, :] = torch.nn.functional.softmax(x[tile_n, :], dim=-1)
    return out


@helion.kernel()
def log_softmax_scaled(x: torch.Tensor, temperature: float) -> torch.Tensor:
    n, _m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        scaled = x[tile_n, :] / temperature
        out[tile_n, :] = torch.log_softmax(scaled.to(torch.float32), dim=-1) + 1.0
    return out


@helion.kernel()
def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        mean = row.mean(dim=-1, keepdim=True)
        centred = row - mean
        variance = (centred * centred).mean(dim=-1, keepdim=True)
        normed = centred * torch.rsqrt(variance + 1e-5)
        out[tile_m, :] = (normed * weight[None, :] + bias[None, :]).to(out.dtype)
    return out


@helion.kernel()
def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        inverse = torch.rsqrt(torch.mean(row * row, dim=-1) + eps)
        out[tile_m, :] = (row * inverse[:, None] * weight[:].to(torch.float32)).to(out.dtype)
    return out


@helion.kernel()
def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.zeros([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n):
        rows = logits[tile_n, :]
        lse = torch.logsumexp(rows, dim=-1)
        labels_tile = labels[tile_n]
        picked = torch.gather(rows, 1, labels_tile[:, None]).squeeze(1)
        losses[tile_n] = lse - picked
    return losses.mean()


@helion.kernel()
def column_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype=torch.float32, device=x.device)
    for tile_n in hl.tile(n):
        column = x[:, tile_n]
        out[tile_n] = column.sum(dim=0) + column.amax(dim=0)
    return out


@helion.kernel()
def running_cumsum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.cumsum(x[tile_m, :], dim=1)
    return out


@helion.kernel()
def cross_entropy_one_row(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        row = row - row.amax(dim=-1, keepdim=True)
        target = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
        losses[tile_n] = torch.logsumexp(row, dim=-1) - target
    return losses.mean()


@helion.kernel()
def argmax_and_rms(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, 2], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = torch.abs(x[tile_m, :]) * 3.0
        out[tile_m, 0] = torch.argmax(row - 1.0, dim=-1).float()
        out[tile_m, 1] = torch.sqrt(torch.mean(row.pow(2), dim=1))
    return out


@helion.kernel()
def rows_times_matrix(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = w.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :] @ w[:, :]
    return out


@helion.kernel()
def shifted_rows(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        total = shift[tile_m][:, None]
        total = total + x[tile_m, :]
        out[tile_m, :] = total / total.sum(dim=-1, keepdim=True)
    return out


@helion.kernel()
def two_phases(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    p, q = y.size()
    sums = torch.empty([m], dtype=torch.float32, device=x.device)
    out = torch.empty_like(y)
    for tile_m in hl.tile(m):
        sums[tile_m] = x[tile_m, :].sum(-1)
    for tile_p in hl.tile(p):
        out[tile_p, :] = torch.softmax(y[tile_p, :], dim=-1)
    return sums, out
