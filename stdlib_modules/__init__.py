"""Kamailio modules re-implemented in Python, one module per file (installed as cfgvm.stdlib)."""
