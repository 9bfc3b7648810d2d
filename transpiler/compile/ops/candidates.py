"""The ops Inductor lowers that could run on a tile, from torch's own tables, and which are in.

`python -m transpiler.compile.ops.candidates` prints the list from the installed torch (Inductor's
lowerings and decomposition table, ops tagged pointwise or reduction, plus the scans and sorts);
CANDIDATES is that list as recorded, and a test keeps it equal to torch's.
"""

from __future__ import annotations

RECORDED_WITH = "torch 2.13.0, 2026-12-04"
_SCANS_AND_SORTS = ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "sort", "topk")


def from_torch() -> list[str]:
    """Inductor's pointwise and reduction ops (aten names, out-of-place, public), and scans."""
    import torch
    from torch._inductor.decomposition import select_decomp_table
    from torch._inductor.lowering import lowerings

    wanted = (torch.Tag.pointwise, torch.Tag.reduction)
    names = set(_SCANS_AND_SORTS)
    for op in [*lowerings, *select_decomp_table()]:
        if not isinstance(op, torch._ops.OpOverload) or op.namespace != "aten":
            continue
        name = op.overloadpacket.__name__
        if name.startswith("_") or name.endswith(("_", "_backward")):
            continue  # private, in-place, autograd's
        if any(tag in op.tags for tag in wanted):
            names.add(name)
    return sorted(names)


CANDIDATES: tuple[str, ...] = (
    "abs",
    "acos",
    "acosh",
    "add",
    "addcdiv",
    "addcmul",
    "all",
    "amax",
    "amin",
    "aminmax",
    "angle",
    "any",
    "argmax",
    "argmin",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "celu",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "clone",
    "conj_physical",
    "copysign",
    "cos",
    "cosh",
    "count_nonzero",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "deg2rad",
    "digamma",
    "div",
    "elu",
    "eq",
    "erf",
    "erfc",
    "erfinv",
    "exp",
    "exp2",
    "expm1",
    "float_power",
    "floor",
    "fmax",
    "fmin",
    "fmod",
    "frac",
    "frexp",
    "gcd",
    "ge",
    "gelu",
    "gt",
    "hardshrink",
    "hardsigmoid",
    "hardtanh",
    "heaviside",
    "hypot",
    "i0",
    "igamma",
    "igammac",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "lcm",
    "ldexp",
    "le",
    "leaky_relu",
    "lerp",
    "lgamma",
    "linalg_vector_norm",
    "log",
    "log10",
    "log1p",
    "log2",
    "logaddexp",
    "logaddexp2",
    "logcumsumexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logit",
    "logsumexp",
    "lt",
    "masked_fill",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mish",
    "mul",
    "mvlgamma",
    "nan_to_num",
    "nansum",
    "ne",
    "neg",
    "nextafter",
    "norm",
    "polygamma",
    "pow",
    "prod",
    "rad2deg",
    "reciprocal",
    "relu",
    "relu6",
    "remainder",
    "round",
    "rrelu",
    "rsqrt",
    "rsub",
    "selu",
    "sgn",
    "sigmoid",
    "sign",
    "signbit",
    "silu",
    "sin",
    "sinc",
    "sinh",
    "softplus",
    "softshrink",
    "sort",
    "special_airy_ai",
    "special_bessel_j0",
    "special_bessel_j1",
    "special_bessel_y0",
    "special_bessel_y1",
    "special_chebyshev_polynomial_t",
    "special_chebyshev_polynomial_u",
    "special_chebyshev_polynomial_v",
    "special_chebyshev_polynomial_w",
    "special_entr",
    "special_erfcx",
    "special_hermite_polynomial_h",
    "special_hermite_polynomial_he",
    "special_i0e",
    "special_i1",
    "special_i1e",
    "special_laguerre_polynomial_l",
    "special_legendre_polynomial_p",
    "special_log_ndtr",
    "special_modified_bessel_i0",
    "special_modified_bessel_i1",
    "special_modified_bessel_k0",
    "special_modified_bessel_k1",
    "special_ndtri",
    "special_scaled_modified_bessel_k0",
    "special_scaled_modified_bessel_k1",
    "special_shifted_chebyshev_polynomial_t",
    "special_shifted_chebyshev_polynomial_u",
    "special_shifted_chebyshev_polynomial_v",
    "special_shifted_chebyshev_polynomial_w",
    "special_spherical_bessel_j0",
    "special_xlog1py",
    "special_zeta",
    "sqrt",
    "square",
    "std",
    "std_mean",
    "sub",
    "sum",
    "tan",
    "tanh",
    "threshold",
    "topk",
    "true_divide",
    "trunc",
    "var",
    "var_mean",
    "where",
    "xlogy",
)

# Candidates that stay out, and why (those with an equivalent spelling name it in
# op_alternatives.ALTERNATIVES, which the error hint shows).
_NO_INTERPRETER_SPELLING = "a special function with no tl spelling the CPU interpreter runs"
OUT: dict[str, str] = {
    "angle": "complex numbers are not device values here",
    "conj_physical": "complex numbers are not device values here",
    "frexp": "two results of different dtypes; not lowered",
    "ldexp": "write x * torch.exp2(e)",
    "nextafter": "needs the bits of the float: not lowered",
    "gcd": "a data-dependent loop per element: not lowered",
    "lcm": "a data-dependent loop per element: not lowered",
    "native_dropout": "use hl.rand for the mask: torch.where(hl.rand(...) > p, x / (1 - p), 0)",
    "__xor__": "the ^ operator on device values",
    "__lshift__": "the << operator on device values",
    "__rshift__": "the >> operator on device values",
    "__and__": "the & operator on device values",
    "__or__": "the | operator on device values",
    "kthvalue": "order statistics are not generated: compute them on the host",
    "median": "order statistics are not generated: compute them on the host",
    "nanmedian": "order statistics are not generated: compute them on the host",
    "mode": "order statistics are not generated: compute them on the host",
    "histc": "a data-dependent scatter: not a tile op",
    "bincount": "a data-dependent scatter: not a tile op",
    "scatter_reduce": "a data-dependent scatter: use hl.atomic_add and friends",
    "index_reduce": "a data-dependent scatter: use hl.atomic_add and friends",
    "segment_reduce": "a data-dependent scatter: use hl.atomic_add and friends",
    "float_power": "float64 arithmetic: write torch.pow(x.double(), y)",
    "deg2rad": "write x * (math.pi / 180)",
    "rad2deg": "write x * (180 / math.pi)",
    "heaviside": "write torch.where(x == 0, values, (x > 0).float())",
    "logaddexp2": "write torch.log2(torch.exp2(x) + torch.exp2(y))",
    "rrelu": "random in training: write F.leaky_relu(x, (lower + upper) / 2) for inference",
    "glu": "halves of a row: write a * torch.sigmoid(b) over the two halves",
    "mvlgamma": "write a sum of torch.lgamma terms",
    "clip": "write torch.clamp",
    "special_entr": "write -x * torch.log(x)",
    "special_xlog1py": "write x * torch.log1p(y)",
    "special_log_ndtr": "write torch.log(0.5 * torch.erfc(-x * 0.7071067811865476))",
    "special_ndtr": "write 0.5 * torch.erfc(-x * 0.7071067811865476)",
}


# Candidates lowered outside the op table, or under another name: aten name → torch name.
LOWERED_AS = {
    "clone": "clone",
    "var_mean": "var_mean",
    "special_erf": "erf",
    "linalg_vector_norm": "vector_norm",
    "aminmax": "aminmax",
    "norm": "norm",
}


def reason(name: str) -> str:
    """Why candidate `name` is out (it is not in the op table)."""
    if name in OUT:
        return OUT[name]
    if name.startswith("special_") or name in ("digamma", "erfinv", "i0", "polygamma", "zeta"):
        return _NO_INTERPRETER_SPELLING
    if name.startswith(("igamma", "special_gamma")):
        return _NO_INTERPRETER_SPELLING
    return "not lowered yet"


if __name__ == "__main__":
    print(from_torch())
