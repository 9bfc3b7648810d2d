"""Every argument honoured or refused: generated kernels per parameter, run three ways."""
