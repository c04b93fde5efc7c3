"""Helpers shared by the transformation classes: Kamailio's input coercions and hex tables."""
from __future__ import annotations

from cfgvm.vm.values import Value

HEX_UPPER = "0123456789ABCDEF"
HEX_LOWER = "0123456789abcdef"


def as_str(v: Value) -> str | None:
    """Input for the s class: ints are read as their decimal text, null fails."""
    if v is None:
        return None
    return str(v) if isinstance(v, int) else v


def nonempty(v: Value) -> str | None:
    """Input for uri/param/nameaddr/tobody/line/urialias/re: a non-empty string (ints as text)."""
    s = as_str(v)
    return s if s else None


def signed8(c: str) -> int:
    """A latin-1 character as C's signed char."""
    b = ord(c) & 0xFF
    return b - 256 if b > 127 else b
