"""`sock` transformations of corex (corex_var.c tr_sock_eval): parts of "proto:host:port".

The text is split as Kamailio's parse_protohostport does, and a protocol counts only when it is
enabled in this program, as parse_proto checks it: udp always; tcp unless disable_tcp; tls only
with enable_tls=yes (and tcp); sctp never (cfgvm has no sctp module, so 5.6 leaves it disabled).
A disabled protocol fails the whole transformation ("bad protocol": real 5.6.3 with disable_tcp=yes
prints nothing for `tcp:[::1]:5070`).
"""
from __future__ import annotations

from cfgvm.vm.transformations import TrDef
from cfgvm.vm.transformations._util import as_str


def enabled_protocols(program) -> frozenset[str]:
    params = getattr(program, "params", None) or {}

    def on(name, default):
        v = params.get(name, default)
        return bool(v if isinstance(v, int) else str(v).lower() in ("yes", "true", "on", "1"))
    protos = {"udp"}
    if not on("disable_tcp", 0):
        protos.add("tcp")
        if on("enable_tls", 0) and not on("disable_tls", 0):
            protos.add("tls")
    return frozenset(protos)


def split_socket(s: str, protos: frozenset[str] = frozenset(("udp", "tcp"))):
    """parse_protohostport: [proto:]host[:port], colons inside [...] ignored -> (proto, host, port)
    or None (too many colons or brackets, a trailing ':', a bad port, an unknown/disabled proto)."""
    first = second = None
    depth = 0
    for i, c in enumerate(s):
        if c == "[":
            depth += 1
            if depth > 1:
                return None
        elif c == "]":
            depth -= 1
            if depth < 0:
                return None
        elif c == ":" and depth == 0:
            if first is None:
                first = i
            elif second is None:
                second = i
            else:
                return None
    if not s or s[-1] == ":":
        return None
    if first is None:
        return "", s, ""
    if second is not None:
        proto, port = s[:first], s[second + 1:]
        if proto.lower() not in protos or not _digits(port):
            return None
        return proto, s[first + 1:second], port
    tail = s[first + 1:]
    if _digits(tail):
        return "", s[:first], tail
    proto = s[:first]                     # not a port: proto:host
    return (proto, tail, "") if proto.lower() in protos else None


def _digits(t: str) -> bool:
    return bool(t) and all("0" <= c <= "9" for c in t)     # str2int: ASCII digits only


def _split(v, program):
    s = as_str(v)
    return split_socket(s, enabled_protocols(program)) if s else None


def _part(i):
    def run(v, program=None):
        t = _split(v, program)
        return None if t is None else t[i]
    return run


def _touri(v, program=None):
    if isinstance(v, int):
        return None
    t = _split(v, program)
    if t is None:
        return None
    proto, host, port = t
    if not host:
        return ""
    out = "sip:" + host
    if port:
        out += ":" + port
    if proto:
        out += ";transport=" + proto
    return out


TABLE = {
    "proto": TrDef((), _part(0), program=True),
    "host": TrDef((), _part(1), program=True),
    "port": TrDef((), _part(2), program=True),
    "touri": TrDef((), _touri, program=True),
}
