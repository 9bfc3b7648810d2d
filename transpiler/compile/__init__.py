"""The compiler: parse and check the source (frontend), the op and hl tables (ops), lower device loops (lower), emit and tidy the module (emit), driven by pipeline.py."""
