"""Export: one standalone, self-checking Triton module per request."""
