"""The request URI ($ru and its parts, writable), the original URI ($ou), the destination URI ($du,
$dd $dp $dP) and the next hop ($nh)."""
from __future__ import annotations

from cfgvm.sip.errors import SipParseError
from cfgvm.vm.pv import PVDef
from cfgvm.vm.pvs.common import (INT_PORT, INT_PROTO, INT_SCHEME, L_ERR, NEED, PROTO_IDS, attr_fixup,
                                 none_if_empty, req, safe)
from cfgvm.vm.values import to_str


def _ruri(ctx):
    m = ctx.msg
    if m is None or not m.is_request:
        return None
    try:                    # safe() inlined: read on every message's path
        return m.current_uri
    except (SipParseError, ValueError, IndexError, AttributeError):
        return None


def _ouri(ctx):
    m = req(ctx)
    return None if m is None else safe(lambda: m.ruri)


def _uri_port(u):
    return u.port if u.port else "5060"


def _uri_proto(u):
    t = u.params.get("transport")
    return t if t else "UDP"


def _lower_proto(u):
    t = u.params.get("transport")
    return t.lower() if t else "udp"


URI_ATTRS = {
    "uri": lambda u: u.raw, "user": lambda u: none_if_empty(u.user), "host": lambda u: u.host,
    "port": _uri_port, "proto": _uri_proto, "scheme": lambda u: u.scheme,
    "ulen": lambda u: len(u.user),
}


def _uri_getter(source, f):
    """A getter of f(uri) for the URI source(ctx) gives; null without one."""
    def get(ctx, p=None):
        u = source(ctx)
        return None if u is None else f(u)
    return get


def get_ru(ctx, p=None):
    m = req(ctx)
    return None if m is None else m.current_uri_str


def get_ou(ctx, p=None):
    m = req(ctx)
    return None if m is None else m.ruri_str


def set_ru(ctx, p, value):
    from cfgvm.sip.uri import parse_uri
    if value is None or isinstance(value, int):
        ctx.log(L_ERR, "pv_set_ruri(): str value required to set R-URI")
        return
    m = req(ctx)
    if m is None:
        return
    try:
        parse_uri(value, where="R-URI")
    except SipParseError:
        ctx.log(L_ERR, f"pv_set_ruri(): bad uri value [{value}]")
        return
    m.new_uri = value


def _rewrite(ctx, value, part, null_ok):
    u = _ruri(ctx)
    if u is None:
        return
    if value is None and not null_ok:
        ctx.log(L_ERR, f"pv_set_ruri_{part}(): str value required")
        return
    v = "" if value is None else to_str(value)
    try:
        new = u.replace(**{part: v})
    except SipParseError:
        ctx.log(L_ERR, f"pv_set_ruri_{part}(): bad value [{v}]")
        return
    ctx.msg.new_uri = new.raw


def set_rU(ctx, p, value):
    _rewrite(ctx, value, "user", True)


def set_rd(ctx, p, value):
    _rewrite(ctx, value, "host", False)


def set_rp(ctx, p, value):
    _rewrite(ctx, value, "port", True)


def _dst_text(ctx):
    m = ctx.msg
    du = getattr(m, "dst_uri", None) if m is not None else None
    return du if du is not None else ctx.dst_uri


def get_du(ctx, p=None):
    return _dst_text(ctx)


def set_du(ctx, p, value):
    v = None if value is None else to_str(value)
    if v == "":
        v = None
    ctx.dst_uri = v
    if ctx.msg is not None:
        ctx.msg.dst_uri = v


def _duri(ctx):
    from cfgvm.sip.uri import parse_uri
    t = _dst_text(ctx)
    return None if not t else safe(lambda: parse_uri(t))


def _nexthop(ctx):
    from cfgvm.sip.uri import parse_uri
    t = _dst_text(ctx)
    if t:
        return safe(lambda: parse_uri(t))
    return _ruri(ctx)


NH_ATTRS = {"u": lambda u: u.raw, "U": lambda u: none_if_empty(u.user), "d": lambda u: u.host,
            "p": _uri_port, "P": _lower_proto,
            "i": lambda u: PROTO_IDS.get(_lower_proto(u), 0)}


def get_nh(ctx, f):
    u = _nexthop(ctx)
    return None if u is None else f(u)


def _row(name, src, attr, setter=None, int_form=None):
    return PVDef(name, _uri_getter(src, URI_ATTRS[attr]), setter, int_form=int_form)


ROWS = [
    PVDef("ru", get_ru, set_ru), PVDef("ruri", get_ru, set_ru),
    _row("rU", _ruri, "user", set_rU), _row("ruri.user", _ruri, "user", set_rU),
    _row("rd", _ruri, "host", set_rd), _row("ruri.domain", _ruri, "host", set_rd),
    _row("rp", _ruri, "port", set_rp, INT_PORT), _row("rP", _ruri, "proto", None, INT_PROTO),
    _row("rz", _ruri, "scheme", None, INT_SCHEME), _row("rUl", _ruri, "ulen"),
    PVDef("ou", get_ou), PVDef("ouri", get_ou),
    _row("oU", _ouri, "user"), _row("od", _ouri, "host"), _row("op", _ouri, "port", None, INT_PORT),
    _row("oP", _ouri, "proto", None, INT_PROTO), _row("oUl", _ouri, "ulen"),
    PVDef("du", get_du, set_du), PVDef("duri", get_du, set_du),
    _row("dd", _duri, "host"), _row("dp", _duri, "port", None, INT_PORT),
    PVDef("dP", _uri_getter(_duri, _lower_proto), int_form=INT_PROTO),
    PVDef("nh", get_nh, inner=NEED, fixup=attr_fixup(NH_ATTRS)),
]
