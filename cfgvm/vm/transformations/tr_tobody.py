"""`tobody` transformations (pv_trans.c tr_eval_tobody): a To/From header body."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._sipparse import parse_nameaddr, parse_params, parse_uri
from cfgvm.vm.transformations._util import nonempty


def _body(v):
    """-> (display, uri, tag, params-text, parsed uri) or None."""
    s = nonempty(v)
    if s is None:
        return None
    s = s.strip(" \t")
    na = parse_nameaddr(s)
    if na is not None:
        display, uri, rest = na.name.rstrip(" \t"), na.uri, na.rest
    else:
        if "<" in s:
            return None
        uri, semi, rest = s.partition(";")
        rest = semi + rest
        display = ""
    rest = rest.strip(" \t")
    if rest and not rest.startswith(";"):
        return None
    ptext = rest[1:].strip(" \t") if rest else ""
    plist = parse_params(ptext) if ptext else []
    if plist is None:
        return None
    u = parse_uri(uri.strip(" \t"))
    if u is None:
        return None
    tag = next((val for n, val in plist if n.lower() == "tag"), "")
    return display, uri.strip(" \t"), tag, ptext, u


def _tb(i):
    def run(v):
        b = _body(v)
        if b is None:
            return None
        if i == "user":
            return b[4].user
        if i == "host":
            return b[4].host
        return b[i]
    return run


TABLE = {
    "display": TrDef((), _tb(0)),
    "uri": TrDef((), _tb(1)),
    "tag": TrDef((), _tb(2)),
    "params": TrDef((), _tb(3)),
    "user": TrDef((), _tb("user")),
    "host": TrDef((), _tb("host")),
}
