"""Reference mode: the kernel's own source run eagerly in PyTorch."""
