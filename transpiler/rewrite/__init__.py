"""Small libcst transformers over the user's code, one job each."""
