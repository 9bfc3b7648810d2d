"""F.layer_norm / F.rms_norm / F.linear in device loops (lower/composites.py) on the GPU: each
kernel's max error against float64 torch and its time against torch eager (do_bench medians).

    python3 benchmarks/gpu_composites.py      (a table; rows wider than 16,384 lanes are walked
                                               in chunks by default: the looped form)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
import triton.testing

import transpiler

SOURCE = """
import torch
import torch.nn.functional as F
import helion
import helion.language as hl


@helion.kernel()
def layer_norm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.layer_norm(x[tile_m, :], [n], w, b, eps=1e-5)
    return out


@helion.kernel()
def rms_norm(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.rms_norm(x[tile_m, :], [n], w[:], eps=1e-6)
    return out


@helion.kernel()
def linear(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += F.linear(x[tile_m, tile_k], w[tile_n, tile_k])
        out[tile_m, tile_n] = (acc + b[tile_n]).to(out.dtype)
    return out
"""


def main() -> None:
    module = {}
    exec(
        compile(transpiler.transpile(SOURCE, filename="composites.py"), "composites.py", "exec"),
        module,
    )
    device, half = "cuda", torch.float16
    rows = []
    cases = [
        ("layer_norm", (4096, 4096), lambda x, w, b: F.layer_norm(x, [x.size(1)], w, b, 1e-5)),
        ("layer_norm", (2048, 32768), lambda x, w, b: F.layer_norm(x, [x.size(1)], w, b, 1e-5)),
        ("rms_norm", (4096, 4096), lambda x, w: F.rms_norm(x, [x.size(1)], w, 1e-6)),
        ("rms_norm", (2048, 32768), lambda x, w: F.rms_norm(x, [x.size(1)], w, 1e-6)),
        ("linear", (4096, 4096), lambda x, w, b: F.linear(x, w, b)),
    ]
    for name, (m, n), eager in cases:
        x = torch.randn(m, n, device=device, dtype=half)
        if name == "linear":
            args = (
                x,
                torch.randn(n, n, device=device, dtype=half) / 64,
                torch.randn(n, device=device, dtype=half),
            )
        elif name == "rms_norm":
            args = (x, torch.randn(n, device=device, dtype=half))
        else:
            args = (
                x,
                torch.randn(n, device=device, dtype=half),
                torch.randn(n, device=device, dtype=half),
            )
        ours = module[name](*args)
        exact = eager(*[a.double() for a in args])
        error = (ours.double() - exact).abs().max().item()
        ours_ms = triton.testing.do_bench(lambda f=module[name], a=args: f(*a))
        eager_ms = triton.testing.do_bench(lambda f=eager, a=args: f(*a))
        rows.append((name, f"{m}x{n}", error, ours_ms, eager_ms))
    print(f"{torch.cuda.get_device_name()}  float16")
    print(
        f"{'kernel':<11} {'shape':<11} {'max err':>9} {'ours ms':>9} {'eager ms':>9} {'eager/ours':>10}"
    )
    for name, shape, error, ours_ms, eager_ms in rows:
        print(
            f"{name:<11} {shape:<11} {error:9.2e} {ours_ms:9.4f} {eager_ms:9.4f} {eager_ms / ours_ms:10.2f}"
        )


if __name__ == "__main__":
    main()
