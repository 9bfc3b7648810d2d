"""Does a load after a store through an aliasing argument see the store on the GPU? (device check)

python benchmarks/lab/alias_probe.py      # prints both results and the PTX's global loads
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import torch

import transpiler
from transpiler.run.runtime import load_module

sys.path.insert(0, str(Path(__file__).parents[2] / "tests"))
from test_one_load import SOURCE  # noqa: E402


def main() -> None:
    x = torch.rand(99, device="cuda") + 0.5
    expected = x.double() * 3 - x.double()
    name = "store_elsewhere_then_read"
    code = transpiler.transpile_module(SOURCE, example_args={name: (x, x)}, only=(name,)).code
    module = load_module(code, stem=name)
    function = getattr(module, name)
    actual = function(x.clone(), x.clone())
    print(
        "separate tensors, max |out - 2x|:", (actual.double() - 2 * x.double()).abs().max().item()
    )
    y = x.clone()
    actual = function(y, y)
    print("aliased, max |out - expected|:", (actual.double() - expected).abs().max().item())
    print("aliased, out[:4]:", actual[:4].tolist(), "expected:", expected[:4].tolist())
    jit = getattr(module, f"{name}_kernel")
    for cache in jit.device_caches.values():
        for compiled in cache[0].values():
            ptx = compiled.asm["ptx"]
            print(
                "ld.global lines:",
                [line.strip() for line in ptx.splitlines() if "ld.global" in line],
            )
            print(
                "st.global lines:",
                [line.strip() for line in ptx.splitlines() if "st.global" in line],
            )
            print("ttgir loads:", len(re.findall(r"tt\.load", compiled.asm["ttgir"])))


if __name__ == "__main__":
    main()
