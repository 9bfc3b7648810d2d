"""IPython extension: `%load_ext magics` registers the `%%helion` cell magic."""
