"""`uri` transformations (pv_trans.c tr_eval_uri): parts of a SIP/tel URI; parse failure fails."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._sipparse import parse_uri, uri_param
from cfgvm.vm.transformations._util import nonempty


def _parsed(v):
    s = nonempty(v)
    if s is None:
        return None
    if len(s) > 4 and s.endswith(";"):       # a trailing ';' is ignored
        s = s[:-1]
    return parse_uri(s)


def _part(get):
    def run(v):
        u = _parsed(v)
        return None if u is None else get(u)
    return run


def _param_value(name):
    return lambda u: uri_param(u, name) or ""


def _port(v):
    u = _parsed(v)
    if u is None:
        return None
    return int(u.port) if u.port else ""


def _param(v, name):
    u = _parsed(v)
    return None if u is None else (uri_param(u, name) or "")


def _compose(with_user: bool, with_port: bool):
    """suri/saor/duri: scheme:[user@]host[:port][;transport=x]."""
    def get(u):
        out = u.scheme + ":"
        if with_user and u.user:
            out += u.user + "@"
        out += u.host
        if with_port:
            if u.port:
                out += ":" + u.port
            t = uri_param(u, "transport")
            if t:
                out += ";transport=" + t
        return out
    return get


def _tosocket(u):
    t = (uri_param(u, "transport") or "").lower()
    if t not in ("udp", "tcp", "tls", "sctp", "ws", "wss"):
        return ""               # no/unknown transport: Kamailio warns and gives ""
    proto = t
    return f"{proto}:{u.host}:{u.port or 5060}"


TABLE = {
    "user": TrDef((), _part(lambda u: u.user)),
    "host": TrDef((), _part(lambda u: u.host)),
    "domain": TrDef((), _part(lambda u: u.host)),
    "passwd": TrDef((), _part(lambda u: u.passwd)),
    "port": TrDef((), _port),
    "params": TrDef((), _part(lambda u: u.params)),
    "param": TrDef(("s",), _param),
    "headers": TrDef((), _part(lambda u: u.headers)),
    "transport": TrDef((), _part(_param_value("transport"))),
    "ttl": TrDef((), _part(_param_value("ttl"))),
    "uparam": TrDef((), _part(_param_value("user"))),
    "maddr": TrDef((), _part(_param_value("maddr"))),
    "method": TrDef((), _part(_param_value("method"))),
    "lr": TrDef((), _part(_param_value("lr"))),
    "r2": TrDef((), _part(_param_value("r2"))),
    "scheme": TrDef((), _part(lambda u: u.scheme)),
    "tosocket": TrDef((), _part(_tosocket)),
    "saor": TrDef((), _part(_compose(True, False))),
    "suri": TrDef((), _part(_compose(True, True))),
    "duri": TrDef((), _part(_compose(False, True))),
}
