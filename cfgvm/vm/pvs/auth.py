"""Credentials: the (Proxy-)Authorization digest parameters ($au $ar $adu ...) and $Au/$AU."""
from __future__ import annotations

from cfgvm.vm.pv import PVDef
from cfgvm.vm.pvs.common import none_if_empty, req, safe
from cfgvm.vm.pvs.nameaddr import hdr_na


def _cred(ctx):
    m = req(ctx)
    if m is None or m.method_known in ("ACK", "CANCEL"):
        return None
    h = m.header("proxy-authorization") or m.header("authorization")
    return None if h is None else safe(lambda: h.parsed)


def _auth(attr):
    def get(ctx, p=None):
        c = _cred(ctx)
        if c is None:
            return None
        if attr == "user":
            return c.user
        if attr == "domain":
            u = c.params.get("username") or ""
            return u.split("@", 1)[1] if "@" in u else ""
        return c.params.get(attr)
    return get


def _from_uri(ctx):
    h, na = hdr_na(ctx, "from")
    return None if na is None else safe(lambda: na.uri)


def get_Au(ctx, p=None):
    """$Au: accounting user; the auth modules' authorized credentials are not kept, so From."""
    u = _from_uri(ctx)
    if u is None or not hasattr(u, "host"):
        return None
    return f"{u.user}@{u.host}" if u.user else u.host


def get_AU(ctx, p=None):
    u = _from_uri(ctx)
    return None if u is None or not hasattr(u, "user") else none_if_empty(u.user)


ROWS = [
    PVDef("adu", _auth("uri")), PVDef("aa", _auth("algorithm")), PVDef("ar", _auth("realm")),
    PVDef("au", _auth("user")), PVDef("ad", _auth("domain")), PVDef("aU", _auth("username")),
    PVDef("adn", _auth("nonce")), PVDef("adc", _auth("cnonce")), PVDef("adr", _auth("response")),
    PVDef("ado", _auth("opaque")), PVDef("Au", get_Au), PVDef("AU", get_AU),
]
