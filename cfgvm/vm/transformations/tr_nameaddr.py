"""`nameaddr` transformations (pv_trans.c tr_eval_nameaddr): display name, URI, length."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._sipparse import parse_nameaddr
from cfgvm.vm.transformations._util import nonempty


def _na(get):
    def run(v):
        s = nonempty(v)
        if s is None:
            return None
        na = parse_nameaddr(s)
        if na is None:
            if "<" in s:
                return None      # an unclosed '<' is a parse error; no '<' at all: the whole is the URI
            return get(("", s, len(s)))
        return get((na.name, na.uri, na.length))
    return run


TABLE = {
    "name": TrDef((), _na(lambda t: t[0])),
    "uri": TrDef((), _na(lambda t: t[1])),
    "len": TrDef((), _na(lambda t: t[2])),
}
