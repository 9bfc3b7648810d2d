"""Pipeline stages of the default config: as many as the loops' loads leave shared memory for."""

from __future__ import annotations

from .config_literals import config_value
from .values import Dims

# Triton buffers each load of a loop that feeds tl.dot once per pipeline stage in shared memory
# (an H100 has 227 KiB a block); the rest of the budget is for the dot's own operand copies.
STAGE_BUDGET_BYTES = 160 * 1024
MOST_STAGES = 3  # Triton's default on NVIDIA GPUs


class StagesMixin:
    """Loads inside loops are noted while lowering; the launcher picks `num_stages` from them."""

    def note_load(self, tensor: str, dims: Dims) -> None:
        if self.loop_depth:
            self.loop_loads.append((tensor, dims))

    def stage_lines(self, tuned: tuple[str, ...]) -> tuple[list[str], str | None]:
        """Launcher lines that bound `num_stages`, and the name they bind (None: no bound)."""
        if (
            tuned
            or not self.dot_axes
            or not self.loop_loads
            or config_value(self.settings, "num_stages") is not None
        ):
            return [], None
        terms = []
        for tensor, dims in self.loop_loads:
            factors = []
            for axis in dims:
                if axis is None or axis.squeezed:
                    continue
                if axis.block not in self.constexprs and not axis.block.isdigit():
                    return [], None  # a block the launcher does not name: no estimate
                factors.append(axis.block)
            terms.append(" * ".join([*factors, f"{tensor}.element_size()"]))
        counted = {term: terms.count(term) for term in terms}  # a load twice: buffered twice
        terms = [term if n == 1 else f"{n} * {term}" for term, n in counted.items()]
        loop_bytes = self.host_names.fresh("loop_bytes")
        stages = self.host_names.fresh("num_stages")
        budget = STAGE_BUDGET_BYTES
        lines = [
            f"# shared memory: a pipeline stage buffers the loop's loads: keep {budget // 1024} KiB"
        ]
        for index, term in enumerate(terms):
            lines.append(f"{loop_bytes} {'+=' if index else '='} {term}")
        lines.append(f"{stages} = max(1, min({MOST_STAGES}, {budget} // {loop_bytes}))")
        return lines, stages
