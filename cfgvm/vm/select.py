"""Selects (kamailio-language.md §8): `@a.b[1].c` in expressions and `$sel(a.b[1].c)`.

Grammar (select.c's parser):
    select ::= ['@'] item { '.' item }
    item   ::= ID [ '[' ( ['-'] DIGITS | '"' text '"' ) ']' ]
Indexes are 1-based (`@via[1]` is the top-most Via) [V]. A select is compiled once into a chain of
steps; each step maps (ctx, object) to the next object, and the last object is rendered as a string.
A missing part makes the whole select null. Unknown names are compile errors (SelectError).
"""
from __future__ import annotations

import re

from cfgvm.sip.errors import SipParseError


class SelectError(ValueError):
    pass


_ITEM = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)(?:\[(-?[0-9]+|"[^"]*")\])?(?:\[(-?[0-9]+)\])?')


def parse_select(text: str, extra_index=frozenset()) -> list[tuple[str, object]]:
    """'a.b[1].c' -> [('a', None), ('b', 1), ('c', None)]; string params keep no quotes. Items named in
    `extra_index` may carry a second `[n]`, which is dropped."""
    s = text[1:] if text.startswith("@") else text
    items = []
    pos = 0
    while True:
        m = _ITEM.match(s, pos)
        if m is None:
            raise SelectError(f"bad select syntax at {s[pos:pos + 20]!r} in '{text}'")
        p = m.group(2)
        if p is not None:
            p = p[1:-1] if p.startswith('"') else int(p)
        if m.group(3) is not None and m.group(1) not in extra_index:
            raise SelectError(f"'{m.group(1)}' takes one bracket parameter, in '{text}'")
        items.append((m.group(1), p))
        pos = m.end()
        if pos == len(s):
            return items
        if s[pos] != ".":
            raise SelectError(f"bad select syntax at {s[pos:pos + 20]!r} in '{text}'")
        pos += 1


def safe(f, *a):
    """f(*a), or None when the message part does not parse."""
    try:
        return f(*a)
    except (SipParseError, ValueError, IndexError, AttributeError, TypeError):
        return None


def _s(v):
    if v is None:
        return None
    return str(v)


# ---- object kinds: name -> (function(obj, param) -> obj, next kind) --------------------------

def _uri_port(u):
    return u.port or None


URI_FIELDS = {
    "type": (lambda u, p: u.scheme, "str"), "user": (lambda u, p: u.user or None, "str"),
    "rn_user": (lambda u, p: (u.user or "").split(";", 1)[0] or None, "str"),
    "pwd": (lambda u, p: u.password, "str"), "host": (lambda u, p: u.host, "str"),
    "port": (lambda u, p: _uri_port(u), "str"), "params": (lambda u, p: u.params_str or None if p is None
                                                           else u.params.get(p), "str"),
    "param": (lambda u, p: u.params.get(p), "str"),
    "hostport": (lambda u, p: f"{u.host}:{u.port or u.default_port}", "str"),
    "transport": (lambda u, p: u.params.get("transport"), "str"),
}


def uri_of(text):
    from cfgvm.sip.uri import parse_uri
    return None if not text else safe(parse_uri, text)


NAMEADDR_FIELDS = {
    "uri": (lambda na, p: uri_of(na.uri_str), "uri"),
    "name": (lambda na, p: na.display or None, "str"),
    "tag": (lambda na, p: na.params.get("tag"), "str"),
    "params": (lambda na, p: (na.params_str or None) if p is None else na.params.get(p), "str"),
    "q": (lambda na, p: na.params.get("q"), "str"),
    "expires": (lambda na, p: na.params.get("expires"), "str"),
    "methods": (lambda na, p: na.params.get("methods"), "str"),
    "received": (lambda na, p: na.params.get("received"), "str"),
    "instance": (lambda na, p: na.params.get("+sip.instance"), "str"),
}

VIA_FIELDS = {
    "name": (lambda v, p: v.name, "str"), "version": (lambda v, p: v.version, "str"),
    "transport": (lambda v, p: v.transport, "str"), "host": (lambda v, p: v.host, "str"),
    "port": (lambda v, p: v.port or None, "str"), "comment": (lambda v, p: v.comment, "str"),
    "branch": (lambda v, p: v.branch, "str"), "received": (lambda v, p: v.received, "str"),
    "rport": (lambda v, p: v.rport or None, "str"), "i": (lambda v, p: v.i, "str"),
    "alias": (lambda v, p: v.params.get("alias"), "str"),
    "params": (lambda v, p: (v.params_str or None) if p is None else v.params.get(p), "str"),
}

CSEQ_FIELDS = {"num": (lambda c, p: c.number, "str"), "method": (lambda c, p: c.method, "str")}

ADDR_FIELDS = {"ip": (lambda a, p: a[0], "str"), "port": (lambda a, p: a[1], "str"),
               "ip_port": (lambda a, p: f"{a[0]}:{a[1]}", "str")}

RCV_FIELDS = {"proto": (lambda r, p: r.proto, "str"), "ip": (lambda r, p: r.dst_ip, "str"),
              "port": (lambda r, p: r.dst_port, "str"),
              "ip_port": (lambda r, p: f"{r.dst_ip}:{r.dst_port}", "str"),
              "proto_ip_port": (lambda r, p: f"{r.proto}:{r.dst_ip}:{r.dst_port}", "str")}

REQ_FIELDS = {"method": (lambda m, p: m.method, "str"), "uri": (lambda m, p: m.ruri_str, "str"),
              "version": (lambda m, p: m.version, "str")}
RES_FIELDS = {"version": (lambda m, p: m.version, "str"), "status": (lambda m, p: m.status, "str"),
              "code": (lambda m, p: m.status, "str"), "reason": (lambda m, p: m.reason, "str")}

HEADER_FIELDS = {"nameaddr": (lambda h, p: safe(nameaddr_of, h), "nameaddr"),
                 "params": (lambda h, p: None, "str")}


def nameaddr_of(text):
    from cfgvm.sip.nameaddr import parse_nameaddr
    return parse_nameaddr(text)


MSG_FIELDS = {
    "first_line": (lambda m, p: m.first_line, "str"),
    "flags": (lambda m, p: None, "flags"),
    "len": (lambda m, p: len(m.buf), "str"),
    "type": (lambda m, p: 1 if m.is_request else 2, "str"),
    "header": (lambda m, p: m.hdr(p) if isinstance(p, str) else None, "header"),
    "h": (lambda m, p: m.hdr(p) if isinstance(p, str) else None, "header"),
    "body": (lambda m, p: m.body_str if m.body_start is not None else None, "str"),
    "content": (lambda m, p: m.body_str if m.body_start is not None else None, "str"),
    "request": (lambda m, p: m if m.is_request else None, "req"),
    "req": (lambda m, p: m if m.is_request else None, "req"),
    "response": (lambda m, p: None if m.is_request else m, "res"),
    "res": (lambda m, p: None if m.is_request else m, "res"),
}

AUTH_FIELDS = {n: (lambda c, p: None, "auth") for n in (
    "username", "user", "domain", "realm", "nonce", "uri", "cnonce", "nc", "response", "opaque",
    "algorithm", "qop")}

KINDS = {"uri": URI_FIELDS, "nameaddr": NAMEADDR_FIELDS, "via": VIA_FIELDS, "cseq": CSEQ_FIELDS,
         "addr": ADDR_FIELDS, "rcv": RCV_FIELDS, "req": REQ_FIELDS, "res": RES_FIELDS,
         "msg": MSG_FIELDS, "header": HEADER_FIELDS, "auth": AUTH_FIELDS, "str": {}, "flags": {}}

RENDER = {"uri": lambda u: u.raw, "nameaddr": lambda na: na.raw, "via": lambda v: v.raw,
          "cseq": lambda c: f"{c.number} {c.method}", "msg": lambda m: m.text,
          "req": lambda m: m.first_line, "res": lambda m: m.first_line,
          "addr": lambda a: f"{a[0]}:{a[1]}", "rcv": lambda r: f"{r.proto}:{r.dst_ip}:{r.dst_port}",
          "auth": lambda c: None}


# ---- roots: name -> (function(ctx, param) -> obj, kind) ------------------------------------

def _req(ctx):
    m = ctx.msg
    return m if m is not None and m.is_request else None


def _ruri(ctx, p):
    m = _req(ctx)
    return None if m is None else safe(lambda: m.current_uri)


def _dst_uri(ctx, p):
    m = ctx.msg
    du = getattr(m, "dst_uri", None) if m is not None else None
    return uri_of(du if du is not None else ctx.dst_uri)


def _next_hop(ctx, p):
    return _dst_uri(ctx, p) or _ruri(ctx, p)


def _first_na(hname):
    def get(ctx, p):
        m = ctx.msg
        h = None if m is None else m.header(hname)
        if h is None:
            return None
        got = safe(lambda: h.parsed)
        if isinstance(got, list):
            return got[0] if got else None
        return got
    return get


def _via(ctx, p):
    m = ctx.msg
    vs = None if m is None else safe(m.vias)
    if not vs:
        return None
    i = 1 if p is None else p
    if not isinstance(i, int):
        return None
    i = i - 1 if i > 0 else len(vs) + i
    return vs[i] if 0 <= i < len(vs) else None


def _hbody(hname):
    def get(ctx, p):
        m = ctx.msg
        return None if m is None else m.hdr(hname)
    return get


def _first_line_part(attr):
    def get(ctx, p):
        m = ctx.msg
        if m is None:
            return None
        if attr == "method":
            return m.method if m.is_request else None
        if attr in ("status", "code"):
            return None if m.is_request else m.status
        if attr == "reason":
            return None if m.is_request else m.reason
        return m.version
    return get


def _branch_count(ctx, p):
    return len(ctx.branches)


ROOTS = {
    "ruri": (_ruri, "uri"), "request_uri": (_ruri, "uri"), "dst_uri": (_dst_uri, "uri"),
    "next_hop": (_next_hop, "uri"),
    "from": (_first_na("from"), "nameaddr"), "f": (_first_na("from"), "nameaddr"),
    "to": (_first_na("to"), "nameaddr"), "t": (_first_na("to"), "nameaddr"),
    "refer_to": (_first_na("refer-to"), "nameaddr"),
    "remote_party_id": (_first_na("remote-party-id"), "nameaddr"),
    "rpid": (_first_na("remote-party-id"), "nameaddr"),
    "contact": (_first_na("contact"), "nameaddr"), "m": (_first_na("contact"), "nameaddr"),
    "record_route": (_first_na("record-route"), "nameaddr"),
    "rr": (_first_na("record-route"), "nameaddr"),
    "via": (_via, "via"), "v": (_via, "via"),
    "cseq": (lambda ctx, p: None if ctx.msg is None else safe(lambda: ctx.msg.cseq), "cseq"),
    "msg": (lambda ctx, p: ctx.msg, "msg"), "message": (lambda ctx, p: ctx.msg, "msg"),
    "method": (_first_line_part("method"), "str"), "version": (_first_line_part("version"), "str"),
    "status": (_first_line_part("status"), "str"), "code": (_first_line_part("code"), "str"),
    "reason": (_first_line_part("reason"), "str"),
    # credentials are parsed only by the auth modules: without them the select is null [V]
    "authorization": (lambda ctx, p: None, "auth"),
    "proxy_authorization": (lambda ctx, p: None, "auth"),
    "src": (lambda ctx, p: None if ctx.rcv is None else (ctx.rcv.src_ip, ctx.rcv.src_port), "addr"),
    "dst": (lambda ctx, p: None if ctx.rcv is None else (ctx.rcv.dst_ip, ctx.rcv.dst_port), "addr"),
    "received": (lambda ctx, p: ctx.rcv, "rcv"),
}
for _name, _hdr in (("call_id", "call-id"), ("expires", "expires"), ("max_forwards", "max-forwards"),
                    ("content_type", "content-type"), ("content_length", "content-length"),
                    ("subject", "subject"), ("organization", "organization"),
                    ("priority", "priority"), ("session_expires", "session-expires"),
                    ("min_se", "min-se"), ("user_agent", "user-agent"),
                    ("sip_if_match", "sip-if-match"), ("event", "event"), ("date", "date"),
                    ("identity", "identity"), ("identity_info", "identity-info")):
    ROOTS[_name] = (_hbody(_hdr), "str")


def _module_selects(program) -> dict:
    """Select roots the program's loaded modules export (cfgvm.exports.Select rows), by name."""
    out = {}
    for inst in (getattr(program, "modules", None) or {}).values():
        for sel in getattr(getattr(inst, "exports", None), "selects", ()):
            out[sel.name] = sel
    return out


def compile_select(text: str, program=None):
    """Compile a select to a callable(ctx) -> str | None; SelectError for unknown names."""
    mods = _module_selects(program)
    items = parse_select(text, {n for n, sel in mods.items() if sel.extra_index})
    name, param = items[0]
    kinds = KINDS
    if name in ROOTS:
        get_root, kind = ROOTS[name]
    elif name in mods:
        sel = mods[name]
        get_root, kind = sel.getter, sel.kind
        if sel.fields:
            kinds = {**KINDS, kind: sel.fields}
    else:
        raise SelectError(f"unknown select '@{name}'")
    steps = []
    for name, p in items[1:]:
        fields = kinds.get(kind, {})
        f = fields.get(name)
        if f is None:
            raise SelectError(f"unknown select field '.{name}' in '@{text.lstrip('@')}'")
        steps.append((f[0], p))
        kind = f[1]
    render = RENDER.get(kind, lambda v: v)

    def run(ctx):
        obj = safe(get_root, ctx, param)
        for fn, p in steps:
            if obj is None:
                return None
            obj = safe(fn, obj, p)
        if obj is None:
            return None
        v = render(obj)
        return None if v is None else str(v)
    return run


class SelectRef:
    """An `@select` operand: read-only, always a string or null (the compiler's resolve_select)."""
    __slots__ = ("text", "get", "writable")

    def __init__(self, text: str, get):
        self.text, self.get, self.writable = text, get, False

    def set(self, ctx, value):
        raise SelectError(f"select {self.text} is read-only")

    def check_writable(self, coord=None):
        from cfgvm.diagnostics import SYNTHETIC, error
        raise error(coord or SYNTHETIC, "pv-readonly", f"select {self.text} cannot be assigned")


def resolve_select(text: str, program=None) -> SelectRef:
    return SelectRef(text, compile_select(text, program))
