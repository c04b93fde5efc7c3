"""`sock` transformations of corex (corex_var.c tr_sock_eval): parts of "proto:host:port"."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._util import as_str

PROTOS = ("udp", "tcp", "tls", "sctp", "ws", "wss", "any")


def split_socket(s: str):
    """parse_protohostport: [proto:]host[:port]; host may be [IPv6]. -> (proto, host, port) or None."""
    proto = ""
    head, sep, rest = s.partition(":")
    if sep and head.lower() in PROTOS and rest:
        proto, s = head, rest
    if s.startswith("["):
        end = s.find("]")
        if end < 0:
            return None
        host, tail = s[:end + 1], s[end + 1:]
        if tail and not tail.startswith(":"):
            return None
        port = tail[1:]
    else:
        host, _, port = s.partition(":")
        if ":" in port:
            return None
    if not host or (port and not port.isdigit()):
        return None
    return proto, host, port


def _part(i):
    def run(v):
        s = as_str(v)
        if not s:
            return None
        t = split_socket(s)
        return None if t is None else t[i]
    return run


def _touri(v):
    s = as_str(v)
    if not s or isinstance(v, int):
        return None
    t = split_socket(s)
    if t is None:
        return None
    proto, host, port = t
    out = "sip:" + host
    if port:
        out += ":" + port
    if proto:
        out += ";transport=" + proto
    return out


TABLE = {
    "proto": TrDef((), _part(0)),
    "host": TrDef((), _part(1)),
    "port": TrDef((), _part(2)),
    "touri": TrDef((), _touri),
}
