"""Core PVs and the pv module's PVs (kamailio-language.md §6.2-6.3): accessors and the tables.

Getters are `g(ctx, p)`; those without a fixup are declared `g(ctx, p=None)` so a PVRef calls them
directly. A read Kamailio cannot do (no message, unparsable header) is null, as in Kamailio. Values
Kamailio types "str+i" ($rp, $rm, $pr, $cs) are strings here: `+` and `==` treat them as strings [V].
The PV set is exactly what 5.6.3 resolves (probed with `kamailio -c`, one PV per run).
"""
from __future__ import annotations

import os
import time as _time

from cfgvm import exports as X
from cfgvm.sip.errors import SipParseError
from cfgvm.vm import avp as A
from cfgvm.vm import pvspec
from cfgvm.vm.pv import PVDef, PVError, PVRuntimeError, dyn_name, eval_index, index_of
from cfgvm.vm.values import Value, str_to_int, to_int, to_str, wrap32

NI, NEED, OPT = X.NO_INNER, X.NEEDS_INNER, X.OPTIONAL_INNER
KAMAILIO_VERSION = "5.6.3"
L_ERR = -1

PROTO_IDS = {"udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6}
K_CONSTANTS = {"UDP": 1, "TCP": 2, "TLS": 3, "SCTP": 4, "WS": 5, "WSS": 6,
               "IPv4": 2, "IPv6": 10, "INET": 2, "INET6": 10, "IP4": 2, "IP6": 10}
# Kamailio's method ids (parser/msg_parser.h enum request_method)
METHOD_IDS = {"INVITE": 1, "CANCEL": 2, "ACK": 4, "BYE": 8, "INFO": 16, "REGISTER": 32,
              "SUBSCRIBE": 64, "NOTIFY": 128, "MESSAGE": 256, "OPTIONS": 512, "PRACK": 1024,
              "UPDATE": 2048, "REFER": 4096, "PUBLISH": 8192, "KDMQ": 16384, "GET": 32768,
              "POST": 65536, "PUT": 131072, "DELETE": 262144}
METHOD_OTHER = 524288


def _safe(f):
    """Kamailio's getters return null when the message part cannot be parsed."""
    try:
        return f()
    except (SipParseError, ValueError, IndexError, AttributeError):
        return None


def _none_if_empty(s):
    return s if s else None


def _req(ctx):
    m = ctx.msg
    return m if m is not None and m.is_request else None


# ---- core: $null $rc $def $env -------------------------------------------------------------

def get_null(ctx, p=None):
    return None


def get_rc(ctx, p=None):
    return ctx.rc


def _fix_def(spec, program):
    defines = getattr(program, "defines", None) or {}
    if spec.inner not in defines:
        return (None,)
    v = defines[spec.inner]
    return ("" if v is None else v,)


def get_def(ctx, p):
    return p[0]


def get_defn(ctx, p):
    return None if p[0] is None else str_to_int(p[0].strip())


def _fix_env(spec, program):
    return spec.inner


def get_env(ctx, name):
    return os.environ.get(name)


def get_envn(ctx, name):
    v = os.environ.get(name)
    return None if v is None else str_to_int(v)


CORE_PVS = [
    PVDef("null", get_null),
    PVDef("rc", get_rc), PVDef("retcode", get_rc), PVDef("?", get_rc),
    PVDef("def", get_def, inner=NEED, fixup=_fix_def),
    PVDef("defn", get_defn, inner=NEED, fixup=_fix_def),
    PVDef("env", get_env, inner=NEED, fixup=_fix_env),
    PVDef("envn", get_envn, inner=NEED, fixup=_fix_env),
]


# ---- R-URI, original URI, dst URI, next hop ----------------------------------------------------

def _ruri(ctx):
    m = _req(ctx)
    return None if m is None else _safe(lambda: m.current_uri)


def _ouri(ctx):
    m = _req(ctx)
    return None if m is None else _safe(lambda: m.ruri)


def _uri_port(u):
    return u.port if u.port else "5060"


def _uri_proto(u):
    t = u.params.get("transport")
    return t if t else "UDP"


URI_ATTRS = {
    "uri": lambda u: u.raw, "user": lambda u: _none_if_empty(u.user), "host": lambda u: u.host,
    "port": _uri_port, "proto": _uri_proto, "scheme": lambda u: u.scheme,
    "ulen": lambda u: len(u.user),
}


def _uri_getter(source, attr):
    f = URI_ATTRS[attr]

    def get(ctx, p=None):
        u = source(ctx)
        return None if u is None else f(u)
    return get


def get_ru(ctx, p=None):
    m = _req(ctx)
    return None if m is None else m.current_uri_str


def get_ou(ctx, p=None):
    m = _req(ctx)
    return None if m is None else m.ruri_str


def _set_ruri_text(ctx, text):
    from cfgvm.sip.uri import parse_uri
    m = _req(ctx)
    if m is None:
        return
    try:
        parse_uri(text, where="R-URI")
    except SipParseError:
        ctx.log(L_ERR, f"pv_set_ruri(): bad uri value [{text}]")
        return
    m.new_uri = text


def set_ru(ctx, p, value):
    if value is None or isinstance(value, int):
        ctx.log(L_ERR, "pv_set_ruri(): str value required to set R-URI")
        return
    _set_ruri_text(ctx, value)


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
    return None if not t else _safe(lambda: parse_uri(t))


def _nexthop(ctx):
    from cfgvm.sip.uri import parse_uri
    t = _dst_text(ctx)
    if t:
        return _safe(lambda: parse_uri(t))
    return _ruri(ctx)


def _lower_proto(u):
    t = u.params.get("transport")
    return t.lower() if t else "udp"


NH_ATTRS = {"u": lambda u: u.raw, "U": lambda u: _none_if_empty(u.user), "d": lambda u: u.host,
            "p": _uri_port, "P": _lower_proto,
            "i": lambda u: PROTO_IDS.get(_lower_proto(u), 0)}


def _fix_nh(spec, program):
    f = NH_ATTRS.get(spec.inner)
    if f is None:
        raise PVError(f"$nh: unknown attribute '{spec.inner}' (u U d p P i)")
    return f


def get_nh(ctx, f):
    u = _nexthop(ctx)
    return None if u is None else f(u)


# ---- From / To ------------------------------------------------------------------------------

def _hdr_na(ctx, name):
    m = ctx.msg
    if m is None:
        return None, None
    h = m.header(name)
    if h is None:
        return None, None
    return h, _safe(lambda: h.parsed)


def _na_attr(attr):
    def get(ctx, p=None, _attr=attr):
        return None
    return get


def _mk_na_getter(hname, attr):
    def get(ctx, p=None):
        h, na = _hdr_na(ctx, hname)
        if na is None:
            return None
        if attr == "uri":
            return na.uri_str
        if attr == "display":
            return _none_if_empty(na.display)
        if attr == "tag":
            return na.tag
        u = _safe(lambda: na.uri)
        if u is None or not hasattr(u, "user"):
            return None
        if attr == "user":
            return _none_if_empty(u.user)
        if attr == "host":
            return u.host
        if attr == "ulen":
            return len(u.user)
        return None
    return get


def _user_host_span(uri_str):
    """(start, end) of the user part and of the host part inside URI text."""
    colon = uri_str.find(":")
    at = uri_str.find("@", colon + 1)
    if at >= 0:
        ustart = colon + 1
        uend = ustart
        while uend < at and uri_str[uend] != ":":
            uend += 1
        hstart = at + 1
    else:
        ustart = uend = colon + 1
        hstart = colon + 1
    hend = hstart
    if uri_str[hstart:hstart + 1] == "[":
        hend = uri_str.find("]", hstart) + 1
    else:
        while hend < len(uri_str) and uri_str[hend] not in ":;?>":
            hend += 1
    return (ustart, uend), (hstart, hend), at >= 0


def _mk_na_setter(hname, attr):
    """Writes to From/To parts are lumps (visible after msg_apply_changes) [V]."""
    def set_(ctx, p, value):
        h, na = _hdr_na(ctx, hname)
        if na is None:
            ctx.log(L_ERR, f"pv_set_{hname}_{attr}(): no {hname} header")
            return
        lumps = ctx.msg.lumps
        base = h.body_start
        v = None if value is None else to_str(value)
        if attr == "uri":
            if not v:
                ctx.log(L_ERR, f"pv_set_{hname}_uri(): str value required")
                return
            lumps.replace(base + na.uri_start, na.uri_end - na.uri_start, v)
            return
        if attr == "display":
            dstart = base + na.start
            if na.display:
                lumps.delete(dstart, len(na.display) + (1 if ctx.msg.text[dstart + len(na.display)] == " " else 0))
                if v:
                    lumps.anchor(dstart).after(v + " ")
            elif v:
                if na.angle:
                    lumps.insert_before(dstart, v + " ")
                else:
                    lumps.insert_before(base + na.uri_start, v + " <")
                    lumps.insert_after(base + na.uri_end, ">")
            return
        (us, ue), (hs, he), has_user = _user_host_span(na.uri_str)
        ub = base + na.uri_start
        if attr == "user":
            if has_user:
                if v:
                    lumps.replace(ub + us, ue - us, v)
                else:
                    lumps.delete(ub + us, hs - us)
            elif v:
                lumps.insert_after(ub + us, v + "@")
        elif attr == "host":
            if not v:
                ctx.log(L_ERR, f"pv_set_{hname}_domain(): str value required")
                return
            lumps.replace(ub + hs, he - hs, v)
    return set_


# ---- other headers --------------------------------------------------------------------------

def _hbody(name):
    def get(ctx, p=None):
        m = ctx.msg
        return None if m is None else m.hdr(name)
    return get


def get_ci(ctx, p=None):
    m = ctx.msg
    if m is None:
        return None
    v = m.hdr("call-id")
    return None if v is None else v.strip(" \t\r\n")


def _cseq(ctx):
    m = ctx.msg
    return None if m is None else _safe(lambda: m.cseq)


def get_cs(ctx, p=None):
    c = _cseq(ctx)
    return None if c is None else c.number


def get_rm(ctx, p=None):
    m = ctx.msg
    if m is None:
        return None
    if m.is_request:
        return m.method
    c = _cseq(ctx)
    return None if c is None else c.method


def get_rmid(ctx, p=None):
    v = get_rm(ctx)
    if v is None:
        return None
    return METHOD_IDS.get(v.upper(), METHOD_OTHER)


def get_rs(ctx, p=None):
    m = ctx.msg
    return None if m is None or m.is_request else m.status


def get_rsi(ctx, p=None):
    m = ctx.msg
    return 0 if m is None or m.is_request else m.status


def get_rr(ctx, p=None):
    m = ctx.msg
    return None if m is None or m.is_request else m.reason


def get_rv(ctx, p=None):
    m = ctx.msg
    return None if m is None else m.version


def get_cl(ctx, p=None):
    m = ctx.msg
    return None if m is None else _safe(lambda: m.content_length)


def get_bs(ctx, p=None):
    m = ctx.msg
    return None if m is None else len(m.body)


def get_rb(ctx, p=None):
    m = ctx.msg
    return None if m is None or m.body_start is None else m.body_str


def _first_uri(hname):
    def get(ctx, p=None):
        h, na = _hdr_na(ctx, hname)
        if na is None:
            return None
        if isinstance(na, list):
            na = na[0] if na else None
        return None if na is None else na.uri_str
    return get


def _nalist(ctx, hname):
    m = ctx.msg
    if m is None:
        return []
    out = []
    for h in m.headers(hname):
        got = _safe(lambda: h.parsed)
        if got is None:
            return out
        out.extend(got)
    return out


def _fix_idx(spec, program):
    return index_of(spec, program)


def _mk_list_getter(hname, attr):
    def get(ctx, idx):
        lst = _nalist(ctx, hname)
        i = eval_index(idx, ctx) or 0
        if i == A.ALL or not lst:
            return None if not lst else ",".join(_na_part(na, attr) or "" for na in lst)
        try:
            na = lst[i]
        except IndexError:
            return None
        return _na_part(na, attr)
    return get


def _na_part(na, attr):
    if attr == "uri":
        return na.uri_str
    if attr == "display":
        return _none_if_empty(na.display)
    u = _safe(lambda: na.uri)
    if u is None or not hasattr(u, "host"):
        return None
    return _none_if_empty(u.user) if attr == "user" else u.host


def _diversion(attr):
    def get(ctx, p=None):
        lst = _nalist(ctx, "diversion")
        if not lst:
            return None
        na = lst[0]
        if attr == "uri":
            return na.uri_str
        return na.params.get(attr)
    return get


# ---- credentials ----------------------------------------------------------------------------

def _cred(ctx):
    m = _req(ctx)
    if m is None or m.method_known in ("ACK", "CANCEL"):
        return None
    h = m.header("proxy-authorization") or m.header("authorization")
    return None if h is None else _safe(lambda: h.parsed)


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


def get_Au(ctx, p=None):
    """$Au: accounting user; the auth modules' authorized credentials are not kept, so From."""
    h, na = _hdr_na(ctx, "from")
    u = None if na is None else _safe(lambda: na.uri)
    if u is None or not hasattr(u, "host"):
        return None
    return f"{u.user}@{u.host}" if u.user else u.host


def get_AU(ctx, p=None):
    h, na = _hdr_na(ctx, "from")
    u = None if na is None else _safe(lambda: na.uri)
    return None if u is None or not hasattr(u, "user") else _none_if_empty(u.user)


# ---- $hdr $hdrc $hfl $hflc ------------------------------------------------------------------

def _fix_hdr(spec, program):
    name = dyn_name(spec, program) or spec.inner.strip()
    if isinstance(name, str) and not name:
        raise PVError("$hdr: empty header name")
    return name, index_of(spec, program)


def _name(n, ctx):
    return n(ctx) if callable(n) else n


def get_hdr(ctx, p):
    m = ctx.msg
    if m is None:
        return None
    idx = eval_index(p[1], ctx)
    return m.hdr(_name(p[0], ctx), 0 if idx is None else idx)


def get_hdrc(ctx, p):
    m = ctx.msg
    return 0 if m is None else m.header_count(_name(p[0], ctx))


HFL_SPLIT = ("via", "route", "record-route", "contact")


def _hfl_values(m, name):
    from cfgvm.sip.hdrnames import key_of
    key = key_of(name)
    if key not in HFL_SPLIT:
        return None
    out = []
    for h in m.headers(name):
        got = _safe(lambda: h.parsed)
        if got is None or got == "*":
            out.append(h.body_raw)
            continue
        body = h.body_raw
        for i, v in enumerate(got):
            if key == "via":
                # the via body spans up to the comma that ends it (bsize) [V]
                out.append(v.raw + ("," if i + 1 < len(got) else ""))
            else:
                out.append(body[v.start:v.end])
    return out


def get_hfl(ctx, p):
    m = ctx.msg
    if m is None:
        return None
    name = _name(p[0], ctx)
    vals = _hfl_values(m, name)
    idx = eval_index(p[1], ctx)
    if vals is None:
        return m.hdr(name, 0 if idx is None else idx)
    if idx is None:
        idx = 0
    if idx == A.ALL:
        return ",".join(vals) if vals else None
    if idx < 0 or idx >= len(vals):
        return None                                   # negative indexes are null for $hfl [V]
    return vals[idx]


def get_hflc(ctx, p):
    m = ctx.msg
    if m is None:
        return 0
    name = _name(p[0], ctx)
    vals = _hfl_values(m, name)
    return m.header_count(name) if vals is None else len(vals)


# ---- Via ------------------------------------------------------------------------------------

VIA_ATTRS = {
    "host": lambda v: v.host, "port": lambda v: v.port_no, "proto": lambda v: v.transport,
    "protoid": lambda v: PROTO_IDS.get(v.transport.lower(), 0), "branch": lambda v: v.branch,
    "rport": lambda v: _none_if_empty(v.rport), "received": lambda v: v.received,
    "i": lambda v: v.i, "params": lambda v: _none_if_empty(v.params_str),
}


def _fix_via(spec, program):
    f = VIA_ATTRS.get(spec.inner)
    if f is None:
        raise PVError(f"${spec.cls}: unknown attribute '{spec.inner}' ({' '.join(VIA_ATTRS)})")
    return f


def _via_getter(which):
    def get(ctx, f):
        m = ctx.msg
        if m is None:
            return None
        if which == "Z":
            hs = m.headers("via")
            v = _safe(lambda: hs[-1].parsed[0]) if hs else None
        else:
            vs = _safe(m.vias)
            v = vs[which] if vs and len(vs) > which else None
        return None if v is None else f(v)
    return get


# ---- message ---------------------------------------------------------------------------------

def get_ml(ctx, p=None):
    m = ctx.msg
    return None if m is None else len(m.buf)


def get_mb(ctx, p=None):
    m = ctx.msg
    return None if m is None else m.text


def get_mbu(ctx, p=None):
    m = ctx.msg
    return None if m is None else m.to_bytes().decode("latin-1")


def get_mt(ctx, p=None):
    m = ctx.msg
    return 0 if m is None else (1 if m.is_request else 2)


def get_mts(ctx, p=None):
    m = ctx.msg
    return None if m is None else ("rq" if m.is_request else "rp")


def get_mi(ctx, p=None):
    mid = getattr(ctx, "msg_id", None)
    if mid is None:
        raise PVRuntimeError("$mi: the runtime context has no msg_id (message id) yet")
    return mid


def _eoh(m):
    return m.eoh if m.eoh is not None else len(m.text)


def _hdrs(m):
    """The header block without the last header's line end (1291 bytes for the oracle INVITE) [V]."""
    t = m.text[m.hdr_start:_eoh(m)]
    return t[:-2] if t.endswith("\r\n") else t[:-1] if t.endswith("\n") else t


MSG_ATTRS = {
    "len": lambda m: len(m.buf), "buf": lambda m: m.text,
    "body": lambda m: m.body_str if m.body_start is not None else None,
    "body_len": lambda m: len(m.body),
    "hdrs": lambda m: _hdrs(m),
    "hdrs_len": lambda m: len(_hdrs(m)),
    "hdrc": lambda m: len(m._h),
    "fline": lambda m: m.first_line,
    "fpart": lambda m: m.text[:m.body_start if m.body_start is not None else len(m.text)],
    "lpart": lambda m: m.text[m.hdr_start:],
}


def _fix_msg(spec, program):
    f = MSG_ATTRS.get(spec.inner)
    if f is None:
        raise PVError(f"$msg: unknown attribute '{spec.inner}' ({' '.join(MSG_ATTRS)})")
    return f


def get_msg(ctx, f):
    m = ctx.msg
    return None if m is None else f(m)


def _fix_int_inner(spec, program):
    t = spec.inner.strip()
    if not t.lstrip("-").isdigit():
        raise PVError(f"${spec.cls}: the inner name must be a number")
    return int(t)


def get_msgbuf(ctx, i):
    m = ctx.msg
    if m is None or not 0 <= i < len(m.text):
        return None
    return m.text[i]


def set_msgbuf(ctx, i, value):
    raise PVRuntimeError("$msgbuf: writing the message buffer is not implemented yet")


def _expires_values(m):
    exp_hdr = _safe(lambda: m.parsed("expires"))
    out = []
    for c in _safe(m.contacts) or []:
        if c == "*":
            continue
        e = c.params.get("expires")
        if e is not None and e.isdigit():
            out.append(int(e))
        elif exp_hdr is not None:
            out.append(exp_hdr)
    if not out and exp_hdr is not None:
        out.append(exp_hdr)
    return out


def _fix_expires(spec, program):
    if spec.inner not in ("min", "max"):
        raise PVError("$expires: attribute must be min or max")
    return min if spec.inner == "min" else max


def get_expires(ctx, f):
    m = ctx.msg
    vals = [] if m is None else _expires_values(m)
    return f(vals) if vals else None


def _fix_K(spec, program):
    if spec.inner not in K_CONSTANTS:
        raise PVError(f"$K: unknown constant '{spec.inner}'")
    return K_CONSTANTS[spec.inner]


def get_const(ctx, v):
    return v


VERSION_ATTRS = {"num": KAMAILIO_VERSION, "full": f"kamailio {KAMAILIO_VERSION} (x86_64/linux)",
                 "hash": "cfgvm"}


def _fix_version(spec, program):
    if spec.inner not in VERSION_ATTRS:
        raise PVError("$version: attribute must be num, full or hash")
    return VERSION_ATTRS[spec.inner]


def _fix_ksr(spec, program):
    if spec.inner == "ver":
        return KAMAILIO_VERSION
    if spec.inner == "verval":
        return 0x050603
    raise PVError("$ksr: attribute must be ver or verval")


# ---- transport ------------------------------------------------------------------------------

def _rcv(ctx):
    return ctx.rcv


def _br6(ip):
    return f"[{ip}]" if ":" in ip else ip


def get_si(ctx, p=None):
    r = ctx.rcv
    return None if r is None else r.src_ip


def get_siz(ctx, p=None):
    r = ctx.rcv
    return None if r is None else _br6(r.src_ip)


def get_sp(ctx, p=None):
    r = ctx.rcv
    return None if r is None else r.src_port


def _rcv_address(side: str, form: str):
    """The getter of the received message's source ("src") or local ("dst") address as a SIP URI
    ("uri": ;transport only when not UDP; "uri_t": always) or as proto:ip:port ("sock")."""
    def get(ctx, p=None):
        r = ctx.rcv
        if r is None:
            return None
        ip, port = (r.src_ip, r.src_port) if side == "src" else (r.dst_ip, r.dst_port)
        if form == "sock":
            return f"{r.proto}:{_br6(ip)}:{port}"
        uri = f"sip:{_br6(ip)}:{port}"
        return uri if form == "uri" and r.proto == "udp" else f"{uri};transport={r.proto}"
    return get


get_su, get_sut, get_sas = (_rcv_address("src", f) for f in ("uri", "uri_t", "sock"))
get_Ru, get_Rut, get_Ras = (_rcv_address("dst", f) for f in ("uri", "uri_t", "sock"))


def get_Ri(ctx, p=None):
    r = ctx.rcv
    return None if r is None else r.dst_ip


def get_Rp(ctx, p=None):
    r = ctx.rcv
    return None if r is None else r.dst_port


def _advertised(ctx):
    """(host, port) the receiving socket advertises (listen=... advertise), None when it does not."""
    from cfgvm.transport.sockets import recv_socket
    s = recv_socket(ctx)
    if s is None or not s.adv_host:
        return None
    return s.adv_host, s.adv_port or s.port


def get_RAi(ctx, p=None):
    adv = _advertised(ctx)
    return get_Ri(ctx) if adv is None else adv[0]


def get_RAp(ctx, p=None):
    adv = _advertised(ctx)
    return get_Rp(ctx) if adv is None else adv[1]


def _rcv_adv_uri(form: str):
    """$RAu/$RAut: $Ru/$Rut on the advertised address and port when the socket has them."""
    plain = _rcv_address("dst", form)

    def get(ctx, p=None):
        adv = _advertised(ctx)
        if adv is None:
            return plain(ctx)
        uri = f"sip:{_br6(adv[0].strip('[]'))}:{adv[1]}"
        proto = ctx.rcv.proto
        return uri if form == "uri" and proto == "udp" else f"{uri};transport={proto}"
    return get


get_RAu, get_RAut = _rcv_adv_uri("uri"), _rcv_adv_uri("uri_t")


def get_pr(ctx, p=None):
    r = ctx.rcv
    return None if r is None else r.proto


def get_prid(ctx, p=None):
    r = ctx.rcv
    return None if r is None else PROTO_IDS.get(r.proto, 0)


def _fix_af(spec, program):
    if spec.inner not in ("id", "name"):
        raise PVError("$af: attribute must be id or name")
    return spec.inner == "name"


def get_af(ctx, name):
    r = ctx.rcv
    if r is None:
        return None
    af = r.af
    return ("IPv6" if af == 10 else "IPv4") if name else af


def get_conid(ctx, p=None):
    r = ctx.rcv
    if r is None or r.proto in ("udp", "sctp"):
        return None
    raise PVRuntimeError("$conid: TCP connection ids are not implemented yet")


def get_fs(ctx, p=None):
    fs = ctx.force_socket
    if isinstance(fs, tuple):            # force_send_socket()'s (proto, host, port): the listening socket
        from cfgvm.transport.sockets import forced_info
        fs = forced_info(ctx)
    return None if fs is None else str(fs)


def set_fs(ctx, p, value):
    if value is None:
        ctx.force_socket = None
        return
    v = to_str(value)
    proto, sep, rest = v.partition(":")
    if not sep or proto.lower() not in PROTO_IDS:
        ctx.log(L_ERR, f"pv_set_force_sock(): invalid socket specification [{v}]")
        return
    ctx.force_socket = v


def get_fsp(ctx, p=None):
    fs = ctx.force_socket
    if fs is None:
        return None
    port = str(fs).rpartition(":")[2]
    return int(port) if port.isdigit() else None


def get_fsn(ctx, p=None):
    from cfgvm.transport.sockets import force_socket_name
    return force_socket_name(ctx)


def set_fsn(ctx, p, value):
    from cfgvm.transport.sockets import set_force_socket_name
    set_force_socket_name(ctx, value)


def get_Rn(ctx, p=None):
    from cfgvm.transport.sockets import recv_socket_name
    return recv_socket_name(ctx)


def get_sid(ctx, p=None):
    params = getattr(ctx.program, "params", None) or {}
    return to_int(params.get("server_id", 0))


def get_pp(ctx, p=None):
    return ctx.worker.pid


# ---- flags ------------------------------------------------------------------------------------

def _flag_pvs(attr, hexname, single):
    def get(ctx, p=None):
        return getattr(ctx, attr)

    def get_hex(ctx, p=None):
        return "%08x" % (getattr(ctx, attr) & 0xFFFFFFFF)

    def set_(ctx, p, value):
        setattr(ctx, attr, to_int(value) & 0xFFFFFFFF)

    def get_one(ctx, n):
        return 1 if getattr(ctx, attr) & (1 << n) else 0

    def set_one(ctx, n, value):
        cur = getattr(ctx, attr)
        setattr(ctx, attr, (cur | (1 << n)) if to_int(value) else (cur & ~(1 << n)))
    return get, get_hex, set_, get_one, set_one


def _fix_flag(spec, program):
    t = spec.inner.strip()
    if not t.isdigit() or int(t) > 31:
        raise PVError(f"${spec.cls}: flag must be a number 0..31")
    return int(t)


_MF = _flag_pvs("flags", "mF", "Mf")
_SF = _flag_pvs("sflags", "sF", "Sf")
_BF = _flag_pvs("bflags", "bF", "Bf")


# ---- branches -----------------------------------------------------------------------------

def _branch_uri(b):
    return getattr(b, "uri", None)


def get_br(ctx, p=None):
    if ctx.route_type & X.BRANCH_ROUTE:
        raise PVRuntimeError("$br in branch_route needs tm (not implemented yet)")
    return None


def set_br(ctx, p, value):
    raise PVRuntimeError("$br: writing the branch URI needs tm (not implemented yet)")


def get_bR(ctx, p=None):
    uris = [_branch_uri(b) for b in ctx.branches]
    uris = [u for u in uris if u]
    return ",".join(uris) if uris else None


def get_ds(ctx, p=None):
    uris = [u for u in (_branch_uri(b) for b in ctx.branches) if u]
    return ", ".join(f"<{u}>" for u in uris) if uris else None


BRANCH_ATTRS = ("uri", "dst_uri", "path", "q", "send_socket", "count", "flags", "ruid",
                "location_ua", "otcpid", "instance")


def _fix_branch(spec, program):
    if spec.inner not in BRANCH_ATTRS:
        raise PVError(f"$branch: unknown attribute '{spec.inner}'")
    return spec.inner, index_of(spec, program)


def get_branch(ctx, p):
    attr, idx = p
    if attr == "count":
        return len(ctx.branches)
    i = eval_index(idx, ctx) or 0
    if i == A.ALL or not 0 <= i < len(ctx.branches):
        return None
    b = ctx.branches[i]
    if attr == "flags":
        return getattr(b, "bflags", 0)
    v = getattr(b, attr, None)
    return v if v is None or isinstance(v, (int, str)) else str(v)


def set_branch(ctx, p, value):
    attr, idx = p
    i = eval_index(idx, ctx) or 0
    if not isinstance(i, int) or not 0 <= i < len(ctx.branches) or attr == "count":
        ctx.log(L_ERR, f"pv_set_branchx(): no branch {i} to set {attr}")
        return
    setattr(ctx.branches[i], "bflags" if attr == "flags" else attr,
            to_int(value) if attr == "flags" else value)


def _fix_sbranch(spec, program):
    if spec.inner not in BRANCH_ATTRS or spec.inner == "count":
        raise PVError(f"$sbranch: unknown attribute '{spec.inner}'")
    return spec.inner


def sbranch_of(ctx) -> dict:
    """The static branch: per worker process in Kamailio (pv_branch.c's _pv_sbranch)."""
    sb = getattr(ctx.worker, "pv_sbranch", None)
    if sb is None:
        sb = {}
        ctx.worker.pv_sbranch = sb
    return sb


def get_sbranch(ctx, attr):
    return sbranch_of(ctx).get(attr)


def set_sbranch(ctx, attr, value):
    sb = sbranch_of(ctx)
    if value is None:
        sb.pop(attr, None)
    else:
        sb[attr] = to_int(value) if attr == "flags" else value


# ---- script variables ---------------------------------------------------------------------

def _pv_state(program):
    mods = getattr(program, "modules", None) or {}
    m = mods.get("pv")
    return None if m is None else m.state


def _fix_var(spec, program):
    if spec.dyn is not None:
        raise PVError(f"${spec.cls}: the variable name cannot hold PVs")
    st = _pv_state(program)
    init = None if st is None else st.varset.get(spec.inner)
    return spec.inner, init


def get_var(ctx, p):
    v = ctx.worker.vars.get(p[0], A.ALL)
    if v is A.ALL:
        return 0 if p[1] is None else p[1]
    return v


def set_var(ctx, p, value):
    ctx.worker.vars[p[0]] = 0 if value is None else value


def _vn_store(worker) -> dict:
    s = getattr(worker, "pv_vn", None)
    if s is None:
        s = {}
        worker.pv_vn = s
    return s


def get_vn(ctx, p):
    s = _vn_store(ctx.worker)
    if p[0] in s:
        return s[p[0]]
    return p[1]


def set_vn(ctx, p, value):
    _vn_store(ctx.worker)[p[0]] = value


def _fix_shv(spec, program):
    if spec.dyn is not None:
        raise PVError("$shv: the variable name cannot hold PVs")
    st = _pv_state(program)
    return spec.inner, (None if st is None else st.shvset.get(spec.inner))


def get_shv(ctx, p):
    shv = ctx.shared.shv
    v = shv.get(p[0], A.ALL)
    if v is A.ALL:
        return 0 if p[1] is None else p[1]
    return v


def set_shv(ctx, p, value):
    ctx.shared.shv[p[0]] = 0 if value is None else value


# ---- AVPs ----------------------------------------------------------------------------------

def _avp_key(inner: str, program):
    st = _pv_state(program)
    if st is not None and inner in st.avp_aliases:
        return st.avp_aliases[inner]
    try:
        n = pvspec.parse_avp_name(inner)
    except pvspec.PVSyntaxError as e:
        raise PVError(f"$avp: {e.message}") from None
    return n.name


def _fix_avp(spec, program):
    d = dyn_name(spec, program)
    key = d if d is not None else _avp_key(spec.inner, program)
    return key, index_of(spec, program), program


def _avp_name(p, ctx):
    k = p[0]
    return _avp_key(k(ctx), p[2]) if callable(k) else k


def get_avp(ctx, p):
    return A.avp_get(ctx.avps, _avp_name(p, ctx), eval_index(p[1], ctx))


def set_avp(ctx, p, value):
    A.avp_set(ctx.avps, _avp_name(p, ctx), value, p[1] == A.ALL)


def avp_count(ctx, p):
    return A.avp_count(ctx.avps, _avp_name(p, ctx))


# ---- XAVPs ---------------------------------------------------------------------------------

def parse_xname(text: str):
    """'root[i]=>field[j]' -> (root, rindex, field, findex); indexes None | int | '*'."""
    root, arrow, field = text.partition("=>")
    r, ri = _split_idx(root.strip())
    if not r:
        raise PVError(f"xavp: empty name in '{text}'")
    if not arrow:
        return r, ri, None, None
    f, fi = _split_idx(field.strip())
    if not f:
        raise PVError(f"xavp: empty field name in '{text}'")
    return r, ri, f, fi


def _split_idx(s: str):
    if not s.endswith("]") or "[" not in s:
        return s, None
    b = s.index("[")
    t = s[b + 1:-1].strip()
    if t == "*":
        return s[:b], A.ALL
    if not t.lstrip("-").isdigit():
        raise PVError(f"xavp: bad index [{t}]")
    return s[:b], int(t)


def _fix_xavp(spec, program):
    d = dyn_name(spec, program)
    if d is not None:
        return d
    return parse_xname(spec.inner)


def _xname(p, ctx):
    return parse_xname(p(ctx)) if callable(p) else p


def xavu_store(ctx) -> dict:
    return ctx.mod_state.setdefault("pv.xavu", {})


def xavi_store(ctx) -> dict:
    return ctx.mod_state.setdefault("pv.xavi", {})


def _xavp_value(v):
    if isinstance(v, A.Record):
        return f"<<xavp:{id(v):#x}>>"
    return v


def _xgetter(store_of, lower=False):
    def get(ctx, p):
        r, ri, f, fi = _xname(p, ctx)
        if lower:
            r, f = r.lower(), (f.lower() if f else f)
        store = store_of(ctx)
        if ri == A.ALL or fi == A.ALL:
            return None if (ri == A.ALL and f is None) else _xavp_value(
                A.xavp_get(store, r, None if ri == A.ALL else ri, f, None))
        return _xavp_value(A.xavp_get(store, r, ri, f, fi))
    return get


def _xsetter(store_of, lower=False):
    def set_(ctx, p, value):
        r, ri, f, fi = _xname(p, ctx)
        if lower:
            r, f = r.lower(), (f.lower() if f else f)
        A.xavp_set(store_of(ctx), r, ri, f, fi, value)
    return set_


def _xavps(ctx):
    return ctx.xavps


def get_xavu(ctx, p):
    r, ri, f, fi = _xname(p, ctx)
    return _xavp_value(A.xavp_get(xavu_store(ctx), r, None, f, None))


def set_xavu(ctx, p, value):
    r, ri, f, fi = _xname(p, ctx)
    A.xavu_set(xavu_store(ctx), r, f, value)


def xavp_count(ctx, p, store_of=_xavps):
    r, ri, f, fi = _xname(p, ctx)
    return A.xavp_count(store_of(ctx), r, None if ri == A.ALL else ri, f)


# ---- $cnt $_s $sel $stat -------------------------------------------------------------------

def _fix_cnt(spec, program):
    from cfgvm.vm.pv import _resolve
    inner = spec.dyn
    if not isinstance(inner, pvspec.PVSpec):
        raise PVError("$cnt: the inner name must be an AVP, XAVP or header PV")
    ref = _resolve(inner, program, True)
    cls = inner.cls
    if cls == "avp":
        return lambda ctx: avp_count(ctx, ref.param)
    if cls in ("xavp", "xavi"):
        store = _xavps if cls == "xavp" else xavi_store
        return lambda ctx: xavp_count(ctx, ref.param, store)
    if cls == "xavu":
        return lambda ctx: xavp_count(ctx, ref.param, xavu_store)
    raise PVError(f"$cnt: cannot count ${cls} (only $avp, $xavp, $xavu, $xavi)")


def get_cnt(ctx, f):
    return f(ctx)


def _fix__s(spec, program):
    from cfgvm.vm import fmt
    from cfgvm.vm.pv import check_format
    try:
        f = fmt.parse(spec.inner)
    except pvspec.PVSyntaxError as e:
        raise PVError(f"$_s: {e.message}") from None
    for sub in f.pvs:
        from cfgvm.vm.pv import _resolve
        _resolve(sub, program, True)
    return f


def get__s(ctx, f):
    from cfgvm.vm.pv import render
    return render(ctx, f)


def _fix_sel(spec, program):
    from cfgvm.vm import select
    try:
        return select.compile_select(spec.inner, program)
    except select.SelectError as e:
        raise PVError(f"$sel: {e}") from None


def get_sel(ctx, sel):
    return sel(ctx)


def _fix_stat(spec, program):
    """$stat(name) finds a statistic by its bare name: a counters script counter "plain" is found,
    one declared as "grp.name" is not (Kamailio logs null for $stat(grp.name)) [V]."""
    mods = getattr(program, "modules", None) or {}
    cnt = mods.get("counters")
    if cnt is not None:
        grp = cnt.params.get("script_cnt_grp_name") or "script"
        names = [n for n in cnt.params.get("script_counter") or () if isinstance(n, str)]
        if spec.inner in names and "." not in spec.inner:
            return f"{grp}.{spec.inner}"
    if "." in spec.inner:
        return None
    return spec.inner, "unknown"


def get_stat(ctx, key):
    if key is None:
        return None
    if isinstance(key, tuple):
        raise PVRuntimeError(f"$stat({key[0]}): core and module statistics are not implemented yet")
    return ctx.shared.modules.get("counters", {}).get(key, 0)


# ---- time (from ctx.clock, never the wall clock) -----------------------------------------

def msg_time(ctx) -> float:
    """The message's time, read once per message (Kamailio caches it per message)."""
    t = ctx.mod_state.get("pv.time")
    if t is None:
        t = ctx.clock()
        ctx.mod_state["pv.time"] = t
    return t


def get_Ts(ctx, p=None):
    return int(msg_time(ctx))


def get_TS(ctx, p=None):
    return int(ctx.clock())


def _ctime(t):
    return _time.strftime("%a %b %e %H:%M:%S %Y", _time.localtime(t))


def get_Tf(ctx, p=None):
    return _ctime(int(msg_time(ctx)))


def get_TF(ctx, p=None):
    return _ctime(int(ctx.clock()))


def get_Tb(ctx, p=None):
    t = getattr(ctx.program, "start_time", None)
    if t is None:
        raise PVRuntimeError("$Tb: the program has no start_time")
    return int(t)


def _tv(attr):
    def f(ctx):
        t = msg_time(ctx) if attr in ("s", "u") else ctx.clock()
        s, us = int(t), int(round((t - int(t)) * 1e6)) % 1000000
        if attr in ("s", "sn"):
            return s
        if attr in ("u", "un"):
            return us
        if attr == "Sn":
            return f"{s}.{us:06d}"
        if attr == "Fn":
            return _time.strftime("%Y-%m-%d %H:%M:%S", _time.localtime(s)) + f".{us:06d}"
        return s * 1000 + us // 1000            # Sm: milliseconds
    return f


def _fix_TV(spec, program):
    if spec.inner not in ("s", "u", "sn", "un", "Sn", "Fn", "Sm"):
        raise PVError("$TV: attribute must be s u sn un Sn Fn Sm")
    return _tv(spec.inner)


def get_call(ctx, f):
    return f(ctx)


TIME_ATTRS = {"sec": lambda t: t.tm_sec, "min": lambda t: t.tm_min, "hour": lambda t: t.tm_hour,
              "mday": lambda t: t.tm_mday, "mon": lambda t: t.tm_mon, "year": lambda t: t.tm_year,
              "wday": lambda t: (t.tm_wday + 1) % 7 + 1, "yday": lambda t: t.tm_yday,
              "isdst": lambda t: t.tm_isdst}


def _fix_time(spec, program):
    f = TIME_ATTRS.get(spec.inner)
    if f is None:
        raise PVError(f"${spec.cls}: unknown attribute '{spec.inner}'")
    conv = _time.gmtime if spec.cls == "utime" else _time.localtime
    return lambda ctx: f(conv(int(msg_time(ctx))))


def _fix_timef(spec, program):
    conv = _time.gmtime if spec.cls == "utimef" else _time.localtime
    fmt_ = spec.inner
    return lambda ctx: _time.strftime(fmt_, conv(int(msg_time(ctx))))


# ---- event/onsend-only and unimplemented families ----------------------------------------

def _outside(route_mask, what):
    """Null outside the route where Kamailio fills the PV; a clear error inside (not implemented)."""
    def fix(spec, program):
        return spec.inner

    def get(ctx, p=None):
        if ctx.route_type & route_mask:
            raise PVRuntimeError(f"{what} is not implemented yet")
        return None
    return fix, get


_snd_fix, _snd_get = _outside(X.ONSEND_ROUTE, "$snd/$sndto/$sndfrom (onsend_route data)")


def get_rcv(ctx, p):
    if ctx.mod_state.get("core.msg_received"):
        raise PVRuntimeError("$rcv (event_route[core:msg-received]) is not implemented yet")
    return None


def get_rpl(ctx, p):
    m = ctx.msg
    if m is None or m.is_request:
        return None
    raise PVRuntimeError("$rpl (reply routing attributes) is not implemented yet")


def get_err(ctx, p=None):
    raise PVRuntimeError("$err.* (error_route information) is not implemented yet")


def get_ccp(ctx, p):
    raise PVRuntimeError("$ccp (cfg framework variables) is not implemented yet")


def set_ccp(ctx, p, value):
    get_ccp(ctx, p)


def get_tm_pv(ctx, p=None):
    raise PVRuntimeError("tm is not implemented yet: $T_* pseudo-variables have no value")


def get_registrar_result(ctx, p=None):
    """$ruid / $location_ua: set by registrar's lookup(); null until then (registrar absent)."""
    return None


def _dsturi_attr(attr):
    def get(ctx, p=None):
        u = _duri(ctx)
        if u is None:
            return None
        if attr == "host":
            return u.host
        if attr == "port":
            return _uri_port(u)
        return _lower_proto(u)
    return get


# ---- the pv module's table ----------------------------------------------------------------

def _uri_row(name, src, attr, setter=None, int_form=None):
    return PVDef(name, _uri_getter(src, attr), setter, int_form=int_form)


# The int side of Kamailio's dual-typed PVs (pv_core.c pv_get_strintval/pv_get_intstrval), for
# cfgt: ports as numbers, protocols as enum sip_protos, schemes as enum _uri_type, methods as
# METHOD_* bits, hex flags as the (signed) int. $rs/$rsi/$cl/$Rp/$RAp/$fsp/$true are ints already.
_PROTO_IDS = {"none": 0, "udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6}
_SCHEME_IDS = {"none": 0, "sip": 1, "sips": 2, "tel": 3, "tels": 4, "urn": 5}


def _INT_PORT(v):
    return int(v) if isinstance(v, int) or (isinstance(v, str) and v.isdigit()) else None


def _INT_PROTO(v):
    return None if v is None else _PROTO_IDS.get(str(v).lower(), 7)     # PROTO_OTHER


def _INT_SCHEME(v):
    return None if v is None else _SCHEME_IDS.get(str(v).lower(), 0)


def _INT_METHOD(v):
    return None if v is None else METHOD_IDS.get(str(v).upper(), METHOD_OTHER)


def _INT_HEX(v):
    return None if v is None else wrap32(int(v, 16))


_FROM = {a: _mk_na_getter("from", a) for a in ("uri", "user", "host", "display", "tag", "ulen")}
_TO = {a: _mk_na_getter("to", a) for a in ("uri", "user", "host", "display", "tag", "ulen")}
_SFROM = {a: _mk_na_setter("from", a) for a in ("uri", "user", "host", "display")}
_STO = {a: _mk_na_setter("to", a) for a in ("uri", "user", "host", "display")}


PV_MODULE_PVS = [
    # request URI, original URI, destination, next hop
    PVDef("ru", get_ru, set_ru), PVDef("ruri", get_ru, set_ru),
    _uri_row("rU", _ruri, "user", set_rU), _uri_row("ruri.user", _ruri, "user", set_rU),
    _uri_row("rd", _ruri, "host", set_rd), _uri_row("ruri.domain", _ruri, "host", set_rd),
    _uri_row("rp", _ruri, "port", set_rp, _INT_PORT), _uri_row("rP", _ruri, "proto", None, _INT_PROTO),
    _uri_row("rz", _ruri, "scheme", None, _INT_SCHEME), _uri_row("rUl", _ruri, "ulen"),
    PVDef("ou", get_ou), PVDef("ouri", get_ou),
    _uri_row("oU", _ouri, "user"), _uri_row("od", _ouri, "host"), _uri_row("op", _ouri, "port", None, _INT_PORT),
    _uri_row("oP", _ouri, "proto", None, _INT_PROTO), _uri_row("oUl", _ouri, "ulen"),
    PVDef("du", get_du, set_du), PVDef("duri", get_du, set_du),
    PVDef("dd", _dsturi_attr("host")), PVDef("dp", _dsturi_attr("port"), int_form=_INT_PORT),
    PVDef("dP", _dsturi_attr("proto"), int_form=_INT_PROTO),
    PVDef("nh", get_nh, inner=NEED, fixup=_fix_nh),
    # From / To
    PVDef("fu", _FROM["uri"], _SFROM["uri"]), PVDef("from", _FROM["uri"], _SFROM["uri"]),
    PVDef("fU", _FROM["user"], _SFROM["user"]), PVDef("from.user", _FROM["user"], _SFROM["user"]),
    PVDef("fd", _FROM["host"], _SFROM["host"]), PVDef("from.domain", _FROM["host"], _SFROM["host"]),
    PVDef("fn", _FROM["display"], _SFROM["display"]), PVDef("ft", _FROM["tag"]),
    PVDef("fUl", _FROM["ulen"]),
    PVDef("tu", _TO["uri"], _STO["uri"]), PVDef("to", _TO["uri"], _STO["uri"]),
    PVDef("tU", _TO["user"], _STO["user"]), PVDef("to.user", _TO["user"], _STO["user"]),
    PVDef("td", _TO["host"], _STO["host"]), PVDef("to.domain", _TO["host"], _STO["host"]),
    PVDef("tn", _TO["display"], _STO["display"]), PVDef("tt", _TO["tag"]),
    PVDef("tUl", _TO["ulen"]),
    # first line, common headers, body
    PVDef("rm", get_rm, int_form=_INT_METHOD), PVDef("rmid", get_rmid), PVDef("rs", get_rs), PVDef("rsi", get_rsi),
    PVDef("rr", get_rr), PVDef("rv", get_rv),
    PVDef("ci", get_ci), PVDef("cs", get_cs), PVDef("csb", _hbody("cseq")),
    PVDef("ct", _hbody("contact")), PVDef("cT", _hbody("content-type")), PVDef("cl", get_cl),
    PVDef("bs", get_bs), PVDef("rb", get_rb), PVDef("ua", _hbody("user-agent")),
    PVDef("re", _first_uri("remote-party-id")), PVDef("rt", _first_uri("refer-to")),
    PVDef("ai", _mk_list_getter("p-asserted-identity", "uri"), fixup=_fix_idx, index=True),
    PVDef("pu", _mk_list_getter("p-preferred-identity", "uri"), fixup=_fix_idx, index=True),
    PVDef("pU", _mk_list_getter("p-preferred-identity", "user"), fixup=_fix_idx, index=True),
    PVDef("pd", _mk_list_getter("p-preferred-identity", "host"), fixup=_fix_idx, index=True),
    PVDef("pn", _mk_list_getter("p-preferred-identity", "display"), fixup=_fix_idx, index=True),
    PVDef("di", _diversion("uri")), PVDef("dir", _diversion("reason")),
    PVDef("dip", _diversion("privacy")), PVDef("dic", _diversion("counter")),
    # credentials
    PVDef("adu", _auth("uri")), PVDef("aa", _auth("algorithm")), PVDef("ar", _auth("realm")),
    PVDef("au", _auth("user")), PVDef("ad", _auth("domain")), PVDef("aU", _auth("username")),
    PVDef("adn", _auth("nonce")), PVDef("adc", _auth("cnonce")), PVDef("adr", _auth("response")),
    PVDef("ado", _auth("opaque")), PVDef("Au", get_Au), PVDef("AU", get_AU),
    # headers by name
    PVDef("hdr", get_hdr, inner=NEED, fixup=_fix_hdr, index=True),
    PVDef("hdrc", get_hdrc, inner=NEED, fixup=_fix_hdr),
    PVDef("hfl", get_hfl, inner=NEED, fixup=_fix_hdr, index=True),
    PVDef("hflc", get_hflc, inner=NEED, fixup=_fix_hdr),
    PVDef("via0", _via_getter(0), inner=NEED, fixup=_fix_via),
    PVDef("via1", _via_getter(1), inner=NEED, fixup=_fix_via),
    PVDef("viaZ", _via_getter("Z"), inner=NEED, fixup=_fix_via),
    # whole message
    PVDef("ml", get_ml), PVDef("mb", get_mb), PVDef("mbu", get_mbu), PVDef("mt", get_mt),
    PVDef("mts", get_mts), PVDef("mi", get_mi),
    PVDef("msg", get_msg, inner=NEED, fixup=_fix_msg),
    PVDef("msgbuf", get_msgbuf, set_msgbuf, inner=NEED, fixup=_fix_int_inner),
    PVDef("expires", get_expires, inner=NEED, fixup=_fix_expires),
    # transport
    PVDef("si", get_si), PVDef("src_ip", get_si), PVDef("siz", get_siz), PVDef("sp", get_sp),
    PVDef("su", get_su), PVDef("sut", get_sut), PVDef("sas", get_sas),
    PVDef("Ri", get_Ri), PVDef("Rp", get_Rp), PVDef("Ru", get_Ru), PVDef("Rut", get_Rut),
    PVDef("Ras", get_Ras), PVDef("Rn", get_Rn),
    PVDef("RAi", get_RAi), PVDef("RAp", get_RAp), PVDef("RAu", get_RAu), PVDef("RAut", get_RAut),
    PVDef("pr", get_pr, int_form=_INT_PROTO), PVDef("proto", get_pr, int_form=_INT_PROTO), PVDef("prid", get_prid),
    PVDef("af", get_af, inner=NEED, fixup=_fix_af), PVDef("conid", get_conid),
    PVDef("fs", get_fs, set_fs), PVDef("fsn", get_fsn, set_fsn), PVDef("fsp", get_fsp),
    PVDef("snd", _snd_get, inner=NEED, fixup=_snd_fix),
    PVDef("sndto", _snd_get, inner=NEED, fixup=_snd_fix),
    PVDef("sndfrom", _snd_get, inner=NEED, fixup=_snd_fix),
    PVDef("rcv", get_rcv, inner=NEED, fixup=_fix_env),
    PVDef("rpl", get_rpl, inner=NEED, fixup=_fix_env),
    # flags
    PVDef("mf", _MF[0], _MF[2]), PVDef("mF", _MF[1], _MF[2], int_form=_INT_HEX),
    PVDef("Mf", _MF[3], _MF[4], inner=NEED, fixup=_fix_flag),
    PVDef("sf", _SF[0], _SF[2]), PVDef("sF", _SF[1], _SF[2], int_form=_INT_HEX),
    PVDef("Sf", _SF[3], _SF[4], inner=NEED, fixup=_fix_flag),
    PVDef("bf", _BF[0], _BF[2]), PVDef("bF", _BF[1], _BF[2], int_form=_INT_HEX),
    PVDef("Bf", _BF[3], _BF[4], inner=NEED, fixup=_fix_flag),
    # branches
    PVDef("br", get_br, set_br), PVDef("bR", get_bR), PVDef("ds", get_ds),
    PVDef("branch", get_branch, set_branch, inner=NEED, fixup=_fix_branch, index=True),
    PVDef("sbranch", get_sbranch, set_sbranch, inner=NEED, fixup=_fix_sbranch),
    PVDef("ruid", get_registrar_result), PVDef("location_ua", get_registrar_result),
    # variables
    PVDef("var", get_var, set_var, inner=NEED, fixup=_fix_var),
    PVDef("vz", get_var, set_var, inner=NEED, fixup=_fix_var),
    PVDef("vn", get_vn, set_vn, inner=NEED, fixup=_fix_var),
    PVDef("shv", get_shv, set_shv, inner=NEED, fixup=_fix_shv),
    PVDef("avp", get_avp, set_avp, inner=NEED, fixup=_fix_avp, index=True),
    PVDef("xavp", _xgetter(_xavps), _xsetter(_xavps), inner=NEED, fixup=_fix_xavp),
    PVDef("xavu", get_xavu, set_xavu, inner=NEED, fixup=_fix_xavp),
    PVDef("xavi", _xgetter(xavi_store, True), _xsetter(xavi_store, True), inner=NEED,
          fixup=_fix_xavp),
    # misc
    PVDef("cnt", get_cnt, inner=NEED, fixup=_fix_cnt),
    PVDef("_s", get__s, inner=NEED, fixup=_fix__s),
    PVDef("sel", get_sel, inner=NEED, fixup=_fix_sel),
    PVDef("stat", get_stat, inner=NEED, fixup=_fix_stat),
    PVDef("K", get_const, inner=NEED, fixup=_fix_K),
    PVDef("version", get_const, inner=NEED, fixup=_fix_version),
    PVDef("ksr", get_const, inner=NEED, fixup=_fix_ksr),
    PVDef("true", lambda ctx, p=None: 1),
    PVDef("sid", get_sid), PVDef("pp", get_pp),
    PVDef("ccp", get_ccp, set_ccp, inner=NEED, fixup=_fix_env),
    PVDef("err.class", get_err), PVDef("err.level", get_err), PVDef("err.info", get_err),
    PVDef("err.rcode", get_err), PVDef("err.rreason", get_err),
    # time
    PVDef("Ts", get_Ts), PVDef("TS", get_TS), PVDef("Tf", get_Tf), PVDef("TF", get_TF),
    PVDef("Tb", get_Tb),
    PVDef("TV", get_call, inner=NEED, fixup=_fix_TV),
    PVDef("time", get_call, inner=NEED, fixup=_fix_time),
    PVDef("utime", get_call, inner=NEED, fixup=_fix_time),
    PVDef("timef", get_call, inner=NEED, fixup=_fix_timef),
    PVDef("utimef", get_call, inner=NEED, fixup=_fix_timef),
]

# tmx's PVs: they resolve when tmx is loaded and fail clearly at run time until tm exists.
TMX_PVS = [PVDef(n, get_tm_pv) for n in (
    "T_branch_idx", "T_reply_code", "T_reply_reason", "T_reply_last", "T_reply_ruid",
    "T_reply_type", "T_branch_ruid")] + [
    PVDef(n, get_tm_pv, inner=NEED, fixup=_fix_env) for n in (
        "T_req", "T_rpl", "T_inv", "T", "T_branch")]
