"""Kamailio's value rules, in one place (kamailio-language.md §4.5, §10).

A script value is one of:
  None  -- null ($null, a missing header, an unset AVP, a failed transformation)
  int   -- int-typed; 32-bit signed in Kamailio 5.6 (results wrap)
  str   -- a string; SIP bytes are decoded as latin-1, so one character is one byte
"""
from __future__ import annotations

import re

Value = int | str | None

_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_HEX_RE = re.compile(r"[+-]?0[xX][0-9a-fA-F]+\Z")


def wrap32(n: int) -> int:
    """Two's-complement wrap to a C int (5.6 runtime integers are 32-bit)."""
    n &= 0xFFFFFFFF
    return n - 0x100000000 if n & 0x80000000 else n


def str_to_int(s: str) -> int:
    """The core's string -> int rule: whole string a signed decimal or 0x hex, else 0 (no error)."""
    if _INT_RE.match(s):
        n = int(s, 10)
    elif _HEX_RE.match(s):
        n = int(s, 16)
    else:
        return 0
    if not -0x80000000 <= n <= 0x7FFFFFFF:
        return 0
    return n


def to_int(v: Value) -> int:
    if v is None:
        return 0
    if isinstance(v, int):
        return v
    return str_to_int(v)


def to_str(v: Value) -> str:
    if v is None:
        return ""
    if isinstance(v, int):
        return str(v)
    return v


def is_true(v: Value) -> bool:
    """`if`/`while` truth: converted to int and tested > 0 (return_mode=0)."""
    return to_int(v) > 0
