"""Kernels of several phases: device loops separated by hl.barrier() (grid-wide barriers)."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def chunked_matmul(a: torch.Tensor, b: torch.Tensor, chunks: int = 4) -> torch.Tensor:
    """a @ b with K cut into chunks: phase 1 writes one partial product per chunk, phase 2
    adds the partials of each element in a fixed order (no atomics: deterministic)."""
    m, k = a.size()
    _, n = b.size()
    chunk = helion.next_power_of_2(helion.cdiv(k, chunks))
    partials = torch.empty([helion.cdiv(k, chunk), m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n, tile_part in hl.tile([m, n, k], block_size=[None, None, chunk]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(tile_part.begin, tile_part.end):
            acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n])
        partials[tile_part.id, tile_m, tile_n] = acc
    hl.barrier()
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)  # host code between the phases
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = partials[:, tile_m, tile_n].sum(0).to(out.dtype)
    return out


@helion.kernel()
def squeeze_excite(x: torch.Tensor, w_down: torch.Tensor, w_up: torch.Tensor) -> torch.Tensor:
    """x [batch, channels, length] scaled per channel by sigmoid(relu(mean(x) @ w_down) @ w_up):
    the mean, the gate and the scaling are three phases, each reading what the last wrote."""
    batch, channels, length = x.size()
    hidden = w_down.size(1)
    squeezed = torch.empty([batch, channels], dtype=torch.float32, device=x.device)
    for tile_b, tile_c in hl.tile([batch, channels]):
        squeezed[tile_b, tile_c] = x[tile_b, tile_c, :].float().mean(-1)
    hl.barrier()
    gate = torch.empty([batch, channels], dtype=torch.float32, device=x.device)
    for tile_b, tile_c in hl.tile([batch, channels]):
        acc = hl.zeros([tile_b, tile_c], dtype=torch.float32)
        for tile_h in hl.tile(hidden):
            down = torch.relu(squeezed[tile_b, :] @ w_down[:, tile_h].float())
            acc = torch.addmm(acc, down, w_up[tile_h, tile_c].float())
        gate[tile_b, tile_c] = torch.sigmoid(acc)
    hl.barrier()
    out = torch.empty_like(x)
    for tile_b, tile_c, tile_l in hl.tile([batch, channels, length]):
        out[tile_b, tile_c, tile_l] = x[tile_b, tile_c, tile_l] * gate[tile_b, tile_c, None]
    return out


@helion.kernel()
def normalize_by_total(x: torch.Tensor) -> torch.Tensor:
    """x / sum(x): phase 1 sums each block into `parts`; phase 2, after the barrier, divides by
    the total of all blocks (every program needs every other program's part)."""
    (n,) = x.size()
    block = 64
    parts = torch.empty([helion.cdiv(n, block)], dtype=torch.float32, device=x.device)
    for tile in hl.tile(n, block_size=block):
        parts[tile.id] = x[tile].float().sum()
    hl.barrier()
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile] = (x[tile] / parts[:].sum()).to(x.dtype)
    return out
