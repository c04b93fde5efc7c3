"""`param` transformations (pv_trans.c tr_eval_paramlist): lists like `a=1;b=2` with a separator."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._sipparse import parse_params
from cfgvm.vm.transformations._util import nonempty


def _list(v, sep):
    s = nonempty(v)
    if s is None or sep is None or len(sep) != 1:
        return None
    if len(s) > 1 and s.endswith(sep):
        s = s[:-1]
    pl = parse_params(s, sep)
    return pl or None          # an empty list fails


def _find(pl, name):
    for n, val in pl:
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
