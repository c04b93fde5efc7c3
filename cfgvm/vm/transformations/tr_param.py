"""`param` transformations (pv_trans.c tr_eval_paramlist): lists like `a=1;b=2` with a separator."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._util import nonempty


def _list(v, sep):
    s = nonempty(v)
    if s is None or sep is None or len(sep) != 1:
        return None
    if len(s) > 1 and s.endswith(sep):
        s = s[:-1]
    pl = parse_params2(s, sep)
    return pl or None          # an empty list fails


_WS = " \t\r\n"


def parse_params2(s: str, sep: str) -> list[tuple[str, str]] | None:
    """Kamailio's parse_params2 (core/parser/parse_param.c): [(name, value)] in order, or None when
    the list is malformed -- and then the whole list fails, e.g. an empty value before the next
    separator (`d=;e=5`), a name missing after a separator, text after a token. Values may be quoted
    with " or ' (a backslash escapes the next character inside); `d=` at the very end is accepted."""
    out, i, n = [], 0, len(s)
    while True:
        start = i
        while i < n and s[i] not in _WS and s[i] not in ",=" and s[i] != sep:
            i += 1
        name, value = s[start:i], ""
        while i < n and s[i] in _WS:
            i += 1
        if i < n and s[i] == "=":
            i += 1
            while i < n and s[i] in _WS:
                i += 1
            if i < n and s[i] in "\"'":
                end = _quote_end(s, i)
                if end is None:
                    return None
                value, i = s[i + 1:end], end + 1
            elif i < n:
                start = i
                while i < n and s[i] not in _WS and s[i] != "," and s[i] != sep:
                    i += 1
                if i == start:
                    return None
                value = s[start:i]
            while i < n and s[i] in _WS:
                i += 1
        out.append((name, value))
        if i >= n or s[i] in ",>":
            return out
        if s[i] != sep:
            return None
        i += 1
        while i < n and s[i] in _WS:
            i += 1
        if i >= n:
            return None


def _quote_end(s, i):
    """Index of the quote closing the one at i (q_memchr: a backslash skips a character), or None."""
    q, j, n = s[i], i + 1, len(s)
    if n - i < 2:
        return None
    while j < n:
        if s[j] == "\\":
            j += 2
            continue
        if s[j] == q:
            return j
        j += 1
    return None


def _find(pl, name):
    # Kamailio keeps the list newest-first: the last parameter of that name wins
    for n, val in reversed(pl):
        if n.lower() == name.lower():
            return val
    return None


def _value(v, name, sep=";"):
    pl = _list(v, sep)
    if pl is None:
        return None
    r = _find(pl, name)
    return "" if r is None else r


def _in(v, name, sep=";"):
    pl = _list(v, sep)
    return None if pl is None else int(_find(pl, name) is not None)


def _at(field):
    def run(v, n, sep=";"):
        pl = _list(v, sep)
        if pl is None:
            return None
        if n < 0:
            n = len(pl) + n     # -1 is the last one
        return pl[n][field] if 0 <= n < len(pl) else ""
    return run


def _count(v, sep=";"):
    pl = _list(v, sep)
    return None if pl is None else len(pl)


TABLE = {
    "value": TrDef(("s", "sep1?"), _value),
    "in": TrDef(("s", "sep1?"), _in),
    "valueat": TrDef(("n", "sep1?"), _at(1)),
    "name": TrDef(("n", "sep1?"), _at(0)),
    "count": TrDef(("sep?",), _count),
}
