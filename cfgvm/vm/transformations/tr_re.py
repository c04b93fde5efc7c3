"""`re` transformations of textops (txt_var.c): re.subst,/regex/replacement/flags (sed-like).
Flags: i (case-insensitive), g (all matches), s (newline-sensitive matching).  No match leaves
the value unchanged.  The regex is POSIX extended; Python's re covers the common subset.
The replacement may hold \\0-\\9 (groups) and PVs (re.c's REPLACE_SPEC: read when the match is
replaced; a null PV gives "<null>", as pv_get_null's string form)."""
from __future__ import annotations

import re
from functools import lru_cache

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._util import nonempty


class SubstError(ValueError):
    pass


@lru_cache(maxsize=256)
def compile_subst(expr: str):
    """'/re/repl/flags' -> (compiled regex, replacement template, global)."""
    if len(expr) < 4:
        raise SubstError(f"subst expression too short: {expr!r}")
    sep = expr[0]
    fields, cur, i = [], [], 1
    while i < len(expr):
        c = expr[i]
        if c == "\\" and i + 1 < len(expr) and expr[i + 1] == sep:
            cur.append(sep)
            i += 2
            continue
        if c == "\\" and i + 1 < len(expr):
            cur.append(expr[i:i + 2])
            i += 2
            continue
        if c == sep and len(fields) < 2:
            fields.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    if len(fields) != 2:
        raise SubstError(f"subst expression needs 3 fields: {expr!r}")
    flags_text = "".join(cur)
    flags = 0
    glob = False
    for f in flags_text:
        if f == "i":
            flags |= re.IGNORECASE
        elif f == "g":
            glob = True
        elif f == "s":
            flags |= re.MULTILINE
        else:
            raise SubstError(f"unknown subst flag {f!r}")
    try:
        rx = re.compile(fields[0], flags | (0 if flags & re.MULTILINE else re.DOTALL))
    except re.error as e:
        raise SubstError(f"bad regex {fields[0]!r}: {e}") from None
    return rx, _parse_repl(fields[1]), glob


def _parse_repl(r: str) -> list:
    """Replacement pieces: str literal or int group number (\\0-\\9)."""
    out: list = []
    i = 0
    while i < len(r):
        c = r[i]
        if c == "\\" and i + 1 < len(r):
            n = r[i + 1]
            if n.isdigit():
                out.append(int(n))
            else:
                out.append({"n": "\n", "r": "\r", "t": "\t"}.get(n, n))
            i += 2
            continue
        if c == "$":
            from cfgvm.vm import pvspec
            length = pvspec.locate(r, i)
            try:
                spec = pvspec.parse(r[i:i + length])
            except pvspec.PVSyntaxError as e:
                raise SubstError(f"bad PV in replacement {r!r}: {e.message}") from None
            out.append("$" if spec.is_marker else spec)
            i += length
            continue
        out.append(c)
        i += 1
    return out


def _expand(pieces, m, get_pv=None):
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, int):
            out.append(m.group(p) or "")
        else:
            out.append(_pv_text(p, get_pv))
    return "".join(out)


def _pv_text(spec, get_pv):
    from cfgvm.vm.fmt import NULL_TEXT
    from cfgvm.vm.transformations import evaluate
    if get_pv is None:
        raise SubstError(f"no PV access to expand {spec} in a subst replacement")
    v = evaluate(spec, get_pv)
    return NULL_TEXT if v is None else str(v)


def has_pvs(pieces) -> bool:
    return any(not isinstance(p, (str, int)) for p in pieces)


def _subst(v, expr, get_pv=None):
    s = nonempty(v)
    if s is None:
        return None
    try:
        rx, pieces, glob = compile_subst(expr)
    except SubstError:
        return None
    if not rx.search(s):
        return s
    return rx.sub(lambda m: _expand(pieces, m, get_pv), s, count=0 if glob else 1)


TABLE = {
    "subst": TrDef(("raw",), _subst, get_pv=True),
}
