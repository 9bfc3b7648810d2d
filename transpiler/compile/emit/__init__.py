"""Emission: generated code built from AST templates, the helpers it needs, the module's text."""
