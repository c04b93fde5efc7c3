"""`urialias` transformations (core dset.c ksr_uri_alias_encode/decode): sip URI <-> host~port~proto.
A conversion error gives "" (not a failure), as in 5.6."""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._sipparse import parse_uri, uri_param
from cfgvm.vm.transformations._util import nonempty

PROTOS = ["none", "udp", "tcp", "tls", "sctp", "ws", "wss"]   # Kamailio's proto ids


def _encode(v):
    s = nonempty(v)
    if s is None:
        return None
    u = parse_uri(s)
    if u is None:
        return ""
    t = (uri_param(u, "transport") or "").lower()
    proto = PROTOS.index(t) if t in PROTOS[1:] else 0
    port = u.port or ("5061" if proto in (3, 6) else "5060")
    return f"{u.host}~{port}~{proto or 1}"


def _decode(v):
    s = nonempty(v)
    if s is None:
        return None
    parts = s.split("~")
    if len(parts) < 3 or parts[2] == "":
        return ""
    p = ord(parts[2][0]) - 48
    p = 1 if p == 0 else p
    base = f"sip:{parts[0]}:{parts[1]}"
    if p == 1:
        return base
    if not 1 < p < len(PROTOS):
        return ""
    return f"{base};transport={PROTOS[p]}"


TABLE = {
    "encode": TrDef((), _encode),
    "decode": TrDef((), _decode),
}
