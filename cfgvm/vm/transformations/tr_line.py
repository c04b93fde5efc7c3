"""`line` transformations (pv_trans.c tr_eval_line): lines of a multi-line value; a final '\\r' of
the selected line is dropped."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._util import nonempty


def _cr(s):
    return s[:-1] if s.endswith("\r") else s


def _count(v):
    s = nonempty(v)
    if s is None:
        return None
    n = s.count("\n") + (0 if s.endswith("\n") else 1)
    return str(n)     # line.* always ends with a string-typed value (flags reset to STR)


def _at(v, n):
    s = nonempty(v)
    if s is None:
        return None
    lines = s[:-1].split("\n") if s.endswith("\n") else s.split("\n")
    if n < 0:
        n = len(lines) + n
    return _cr(lines[n]) if 0 <= n < len(lines) else ""


def _sw(v, prefix):
    s = nonempty(v)
    if s is None:
        return None
    for line in s.split("\n"):
        if line.startswith(prefix):
            return _cr(line)
    return ""


TABLE = {
    "count": TrDef((), _count),
    "at": TrDef(("n",), _at),
    "sw": TrDef(("s",), _sw),
}
