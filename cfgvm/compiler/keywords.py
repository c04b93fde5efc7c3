"""Legacy keyword comparisons (exp_elem, kamailio-language.md §4.7) -> closures ctx -> 1/0.

    method == "X"      request method (CSeq method for replies), case-insensitive
    uri|status, from_uri, to_uri == "..." | =~ "re" | myself
    src_ip, dst_ip == IP | net/bits | net/mask | "str" | myself ;  =~ "re"
    src_port, dst_port, af, msg:len, proto  == != < > <= >=  number
`myself` compares against the program's listening addresses and aliases (program.myself(host, port)).
"""
from __future__ import annotations

import ipaddress

from cfgvm import ast as A
from cfgvm.compiler.regex import RegexError, compile_ere
from cfgvm.compiler.resolve import fold
from cfgvm.vm.machine import EvalError
from cfgvm.vm.values import to_int, to_str

PROTO_NUMBERS = {"udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6}
_INT_CMP = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
            "eq": lambda a, b: a == b, "ne": lambda a, b: a != b}


def _method(ctx):
    m = ctx.msg
    if m.is_request:
        return m.method
    cs = m.cseq()
    return getattr(cs, "method", "") if cs is not None else ""


def _uri(ctx):
    m = ctx.msg
    return m.current_uri_str if m.is_request else str(m.status)


def _hdr_uri(name):
    def get(ctx):
        p = ctx.msg.from_() if name == "from" else ctx.msg.to()
        return str(getattr(p, "uri", "") or "") if p is not None else ""
    return get


_STR_LEFT = {"method": _method, "uri": _uri, "status": _uri, "from_uri": _hdr_uri("from"),
             "to_uri": _hdr_uri("to")}
_IP_LEFT = {"src_ip": lambda ctx: ctx.rcv.src_ip, "dst_ip": lambda ctx: ctx.rcv.dst_ip}
_INT_LEFT = {"src_port": lambda ctx: ctx.rcv.src_port, "dst_port": lambda ctx: ctx.rcv.dst_port,
             "af": lambda ctx: ctx.rcv.af, "msg:len": lambda ctx: len(ctx.msg),
             "proto": lambda ctx: PROTO_NUMBERS.get(ctx.rcv.proto, 0)}


def compile_keyword(e: A.KeywordCmp, r):
    left, op = e.left, e.op
    neg = op in ("!=", "ne")
    if left in _STR_LEFT:
        return _str_cmp(_STR_LEFT[left], op, e.right, r, e, icase=True)
    if left in _IP_LEFT:
        return _ip_cmp(_IP_LEFT[left], op, e.right, r, e)
    if left in _INT_LEFT:
        get = _INT_LEFT[left]
        right = e.right
        if left == "proto" and isinstance(right, A.Name):
            right = A.Const(value=PROTO_NUMBERS.get(right.name.lower(), 0), coord=right.coord)
        rv = _operand(right, r)
        cmp = _INT_CMP[op]
        return lambda ctx: 1 if cmp(get(ctx), to_int(rv(ctx))) else 0
    r.err(e.coord, "unsupported", f"cfgvm: keyword comparison on '{left}' is not supported yet")
    return (lambda ctx: 0) if not neg else (lambda ctx: 1)


def _operand(node, r):
    node = fold(node)
    if isinstance(node, A.Const):
        v = node.value
        return lambda ctx: v
    if isinstance(node, A.Name):
        v = node.name
        return lambda ctx: v
    d = r.expr_getter(node)
    return d.get if hasattr(d, "get") else (lambda ctx: None)


def _myself(r):
    def check(ctx, host, port=0):
        prog = ctx.program
        f = getattr(prog, "myself", None)
        if f is None:
            raise EvalError("cfgvm: 'myself' needs the listening addresses, not available here")
        return f(host, port) if port else f(host)
    return check


def _str_cmp(get, op, right, r, e, icase):
    neg = op in ("!=", "ne")
    if isinstance(right, A.Myself):
        from cfgvm.sip.uri import parse_uri
        ruri = get is _uri

        def is_myself(ctx):
            try:
                m = ctx.msg
                # a request's R-URI: the message's cached parse of the same text (same parser)
                u = m.current_uri if ruri and m.is_request else parse_uri(get(ctx))
                host, port = u.host_noport_brackets, u.port_no or 0   # check_self() compares the port too
            except Exception:        # an unparsable URI is not myself
                host, port = "", 0
            f = getattr(ctx.program, "myself", None)
            if f is None:
                raise EvalError("cfgvm: 'myself' needs the listening addresses, not available here")
            return 1 if bool(f(host, port) if port else f(host)) != neg else 0
        return is_myself
    if op == "=~":
        right = fold(right)
        if isinstance(right, A.Const):
            try:
                rx = compile_ere(to_str(right.value), icase=True)
            except RegexError as err:
                r.err(right.coord, "bad-regex", f"bad regular expression: {err}")
                return lambda ctx: 0
            return lambda ctx: 1 if rx.search(get(ctx)) else 0
        rv = _operand(right, r)
        from cfgvm.vm.machine import regex_icase
        return lambda ctx: 1 if regex_icase(to_str(rv(ctx))).search(get(ctx)) else 0
    rv = _operand(right, r)
    return lambda ctx: 1 if (get(ctx).lower() == to_str(rv(ctx)).lower()) != neg else 0


def _ip_cmp(get, op, right, r, e):
    neg = op in ("!=", "ne")
    if isinstance(right, A.Myself):
        me = _myself(r)
        return lambda ctx: 1 if bool(me(ctx, get(ctx))) != neg else 0
    if isinstance(right, (A.IP, A.Network)):
        try:
            if isinstance(right, A.IP):
                net = ipaddress.ip_network(right.text)
            else:
                mask = right.mask if isinstance(right.mask, int) else right.mask.text
                net = ipaddress.ip_network(f"{right.addr.text}/{mask}", strict=False)
        except ValueError as err:
            r.err(right.coord, "bad-ip", f"bad address: {err}")
            return lambda ctx: 0

        def inside(ctx):
            try:
                return ipaddress.ip_address(get(ctx)) in net
            except ValueError:
                return False
        return lambda ctx: 1 if inside(ctx) != neg else 0
    if isinstance(right, A.Host):
        r.err(right.coord, "unsupported", f"cfgvm: comparing an IP with a host name ({right.text}) needs DNS")
        return lambda ctx: 0
    return _str_cmp(get, op, right, r, e, icase=True)
