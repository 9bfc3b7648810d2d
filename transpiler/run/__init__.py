"""Running kernels: the `kernel` decorator, the module cache, autotuning and torch custom ops."""
