"""rr: Record-Route and loose routing (Kamailio 5.6 src/modules/rr, RFC 3261 12.1.1, 16.4, 16.6, 16.12).

Record-Route headers are lumps at the first header. The address is not written at script time: a
Subst item (the receiving / the sending socket, cfgvm/sip/lumps.py) is resolved when the message is
built for its outgoing socket, and the second ("double") Record-Route hangs behind a Cond item
(COND_IF_DIFF_REALMS, or always with enable_double_rr=2), as Kamailio's build_rr() does. The
outbound Record-Route comes first; both carry ;r2=on when double.

loose_route() follows loose.c: a preloaded Route (no To tag) or a Route set whose R-URI is not us
goes through after_loose() (our own Route entries removed, including the second one of a double
Record-Route, $du set to the next loose hop, or the R-URI/Route swap for a strict next hop); an
R-URI that is us means the previous hop was a strict router: after_strict() restores the R-URI
from the last Route (RFC 3261 16.4). Return codes: 1 routed, -1 no Route or failure, -3 preloaded
Route pointing only at us (removed).

Per-message state (Kamailio keeps it in statics keyed by the message id) lives in
ctx.mod_state["rr"]. The outbound module is not implemented in cfgvm, so flow tokens are never
used (return code 2 and -2 cannot occur). Functions and PVs: the 5.6 export table, all implemented.
"""
from __future__ import annotations

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, FMT, IGP, INT_PARAM, PV, REGEX,
                           REQUEST_ROUTE, STR, STR_PARAM, Function, Module, Param, NEEDS_INNER)
from cfgvm.sip import SipParseError, parse_uri
from cfgvm.sip.lumps import (COND_IF_DIFF_PROTO, COND_IF_DIFF_REALMS, COND_TRUE, SUBST_RCV_ALL,
                             SUBST_RCV_PROTO, SUBST_SND_ALL, SUBST_SND_PROTO, Cond, Subst, Tagged)
from cfgvm.stdlib._common import eval_spec
from cfgvm.stdlib._common import ModuleError

L_ERR, L_WARN, L_INFO = -1, 0, 2
RR_TAG = "rr"                      # HDR_RECORDROUTE_T on lumps
RR_DRIVEN, RR_ERROR, RR_PRELOADED, RR_NOT_DRIVEN = 1, -1, -3, -1
DOWNSTREAM, UPSTREAM = 1, 2        # RR_FLOW_DOWNSTREAM / RR_FLOW_UPSTREAM
_RRB = REQUEST_ROUTE | BRANCH_ROUTE | FAILURE_ROUTE


# ---- per-message state ------------------------------------------------------------------------
def _state(ctx) -> dict:
    st = ctx.mod_state.get("rr")
    if st is None:
        st = ctx.mod_state["rr"] = {"added": False, "param_buf": "", "routed": None,
                                    "route_addr": False, "dir": 0}
    return st


def _p(mod, name):
    return mod.params[name]


# ---- URI parameter scanning (loose.c is_strict()/is_2rr(), get_route_param()) ----------------
def _split_params(params: str) -> list[str]:
    """';'-separated parameters, quotes respected."""
    out, cur, q = [], [], False
    for c in params:
        if c == '"':
            q = not q
        if c == ";" and not q:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return out


def _has_param(params: str, name: str) -> bool:
    """A parameter called name (any case, any value): ;lr marks a loose router, ;r2 a double RR."""
    for p in _split_params(params or ""):
        if p.partition("=")[0].strip(" \t\r\n").lower() == name:
            return True
    return False


def _param_value(params: str, name: str):
    """get_route_param(): the value ("" when none) of the first parameter called name, or None."""
    for p in _split_params(params or ""):
        n, eq, v = p.partition("=")
        if n.strip(" \t") == name:
            v = v.strip(" \t")
            if len(v) >= 2 and v[0] in "\"'" and v[-1] == v[0]:
                v = v[1:-1]
            return v if eq else ""
    return None


# ---- helpers around the message ---------------------------------------------------------------
def _myself(ctx, puri) -> bool:
    """check_self_uri(): the URI's host/port (and transport) are one of our sockets or aliases."""
    f = getattr(ctx.program, "is_myself", None) or getattr(ctx.program, "myself", None)
    if f is None:
        raise ModuleError("rr: loose_route needs the listening addresses (program.is_myself)")
    proto = (puri.transport or "").lower() or None
    return bool(f(puri.host, puri.port_no or 0, proto))


def _grep_sock(ctx, puri, default_port: bool):
    """grep_sock_info(): the listening socket named by the URI, as (proto, ip, port), or None."""
    table = getattr(ctx.program, "is_myself", None) or getattr(ctx.program, "myself", None)
    socks = getattr(table, "sockets", None)
    if socks is None:
        return None
    host = puri.host.strip("[]").lower()
    proto = (puri.transport or "").lower() or None
    port = puri.port_no or ((5061 if proto == "tls" else 5060) if default_port else 0)
    for s in socks:
        # cfgvm.transport SocketInfo, or the dry-run's (proto, host, port) rows
        sproto, shost, sport = (s.proto, s.ip, s.port) if hasattr(s, "ip") else s
        if shost.strip("[]").lower() == host and (not port or sport == port) \
                and (proto is None or proto == sproto):
            return (sproto, shost, sport)
    return None


def _force_socket(ctx, mod, puri, rt_uri, rr2on):
    """rr_do_force_send_socket(): send through the socket named in our (second) Route."""
    sock = _grep_sock(ctx, puri, True) or _grep_sock(ctx, puri, False)
    if sock is not None:
        ctx.force_socket = sock
    elif _p(mod, "enable_socket_mismatch_warning") and rr2on:
        ctx.log(L_WARN, f"no socket found to match second RR ({rt_uri})")
        if not _myself(ctx, puri):
            ctx.log(L_WARN, f"second RR uri is not myself ({rt_uri})")


def _maddr_uri(uri: str, puri) -> str:
    """get_maddr_uri(): a URI with maddr= becomes sip:maddr[:port]."""
    m = puri.maddr
    if not m:
        return uri
    return f"sip:{m}" + (f":{puri.port}" if puri.port else "")


def _current_ruri(msg):
    return parse_uri(msg.current_uri_str)


def _route_entries(msg):
    """[(header, [NameAddr...])] of every Route header, in order."""
    return [(h, h.parsed) for h in msg.headers("route")]


def _set_du(ctx, uri):
    ctx.msg.dst_uri = uri
    ctx.dst_uri = uri


def _rewrite_ruri(ctx, uri):
    ctx.msg.new_uri = uri


# ---- direction -------------------------------------------------------------------------------
def _routed_params(ctx):
    """redo_route_params(): the params of our own topmost Route (None when it is not us)."""
    st = _state(ctx)
    if st["routed"] is not None:
        return st["routed"]
    msg = ctx.msg
    if not msg.is_request:
        return None
    hf = msg.header("route")
    if hf is None:
        return None
    try:
        puri = parse_uri(hf.parsed[0].uri_str)
    except SipParseError:
        return None
    if _myself(ctx, puri):
        st["routed"] = puri.params_str
        return st["routed"]
    return None


def _direction(ctx) -> int:
    """is_direction(): upstream when the Route's ftag differs from the From tag (cached per message)."""
    st = _state(ctx)
    if st["dir"]:
        return st["dir"]
    d = DOWNSTREAM
    ftag = _param_value(_routed_params(ctx) or "", "ftag")
    if ftag:
        fr = ctx.msg.from_
        if fr is not None and fr.tag and fr.tag != ftag:
            d = UPSTREAM
    st["dir"] = d
    return d


# ---- record_route -------------------------------------------------------------------------------
def _username(ctx, mod, custom=True) -> str:
    """get_custom_user() then get_username(): the R-URI user (original, else the new R-URI's)."""
    if custom and mod.state.get("custom_user") is not None:
        v = eval_spec(ctx, mod.state["custom_user"])
        if isinstance(v, str) and v:
            return v
    msg = ctx.msg
    try:
        user = msg.ruri.user
        if not user and msg.new_uri is not None:
            user = parse_uri(msg.new_uri).user
    except SipParseError:
        raise _Fail("failed to extract username")
    return user or ""


class _Fail(Exception):
    pass


def _rr_tag(ctx, mod):
    """The tag for ;ftag=: the To tag on an upstream request, else the From tag."""
    if not _p(mod, "append_fromtag"):
        return None
    hf = ctx.msg.to if _direction(ctx) == UPSTREAM else ctx.msg.from_
    return (hf.tag or "") if hf is not None else ""


def _sips(ctx, mod) -> bool:
    if _p(mod, "ignore_sips"):
        return False
    try:
        return _current_ruri(ctx.msg).scheme == "sips"
    except SipParseError:
        return False


def _lr(mod):
    return ";lr=on" if _p(mod, "enable_full_lr") else ";lr"


def _double_cond(mod, cond=COND_IF_DIFF_REALMS):
    return COND_TRUE if _p(mod, "enable_double_rr") == 2 else cond


def _anchors(msg):
    """The prefix anchor is rr-typed, the suffix one is not: remove_record_route() after
    record_route() leaves the ";lr;ftag=...>" lines in the message, as Kamailio 5.6.3 does [V]."""
    at = msg.hdr_start
    return msg.lumps.anchor(at, RR_TAG), msg.lumps.anchor(at, None)


def _build_rr(mod, l, l2, user, tag, params, inbound, sips, cond=None, param_buf=""):
    """build_rr(): prefix + socket address [+ ;r2=on] after l; ;lr;ftag + params + '>' before l2."""
    prefix = ("Record-Route: <sips:" if sips else "Record-Route: <sip:") + (f"{user}@" if user else "")
    after = [prefix, Subst(SUBST_RCV_ALL if inbound else SUBST_SND_ALL)]
    if _p(mod, "enable_double_rr"):
        after += [Cond(_double_cond(mod)), ";r2=on"]
    _attach(l, l2, after, _lr(mod) + (f";ftag={tag}" if tag else "") + (params or ""), param_buf, cond)


def _build_advertised_rr(mod, l, l2, data, user, tag, inbound, sips, cond=None, param_buf=""):
    """build_advertised_rr(): the given address; ;transport=<proto> [;r2=on] only when the protocols
    differ (one chain: a false condition skips the rest of it)."""
    hdr = ("Record-Route: <sips:" if sips else "Record-Route: <sip:") + (f"{user}@" if user else "") + data
    after = [hdr, Cond(_double_cond(mod, COND_IF_DIFF_PROTO)), ";transport=",
             Subst(SUBST_RCV_PROTO if inbound else SUBST_SND_PROTO)]
    if _p(mod, "enable_double_rr"):
        after += [Cond(_double_cond(mod)), ";r2=on"]
    _attach(l, l2, after, (f";ftag={tag}" if tag else "") + _lr(mod), param_buf, cond)


def _attach(l, l2, after, suffix, param_buf, cond):
    """The header's head goes after l, its rr-typed tail (suffix, the script's params, '>') before
    l2; with cond, both halves are conditional on it."""
    before = [Tagged(suffix, RR_TAG)]
    if param_buf:
        before.append(Tagged(param_buf, RR_TAG))
    before.append(">\r\n")
    if cond is not None:
        after.insert(0, Cond(cond))
        before.insert(0, Cond(cond))
    l.after_list[0:0] = after
    l2.before_list[0:0] = before


def _check_once(ctx, mod) -> bool:
    if _state(ctx)["added"]:
        ctx.log(L_ERR, "Double attempt to record-route")
        return False
    return True


def _mark_added(ctx):
    if not ctx.route_type & BRANCH_ROUTE:
        _state(ctx)["added"] = True


def _rr_start(ctx, mod, custom):
    """What record_route() and record_route_advertised_address() start with: once per message,
    then (username, tag, sips, parameter buffer); None after logging why not."""
    if not _check_once(ctx, mod):
        return None
    try:
        user = _username(ctx, mod, custom=custom) if _p(mod, "add_username") else ""
        tag = _rr_tag(ctx, mod)
    except _Fail as e:
        ctx.log(L_ERR, str(e))
        return None
    return user, tag, _sips(ctx, mod), _state(ctx)["param_buf"]


def record_route(ctx, mod, params=None):
    got = _rr_start(ctx, mod, True)
    if got is None:
        return -1
    user, tag, sips, buf = got
    msg, st = ctx.msg, _state(ctx)
    if _p(mod, "enable_double_rr"):
        l, l2 = _anchors(msg)
        _build_rr(mod, l, l2, user, tag, params, False, sips, _double_cond(mod), buf)
    l, l2 = _anchors(msg)
    _build_rr(mod, l, l2, user, tag, params, True, sips, None, buf)
    st["param_buf"] = ""
    _mark_added(ctx)
    return 1


def record_route_advertised_address(ctx, mod, data):
    got = _rr_start(ctx, mod, False)
    if got is None:
        return -1
    user, tag, sips, buf = got
    msg = ctx.msg
    if _p(mod, "enable_double_rr"):
        l, l2 = _anchors(msg)
        _build_advertised_rr(mod, l, l2, data, user, tag, False, sips,
                             _double_cond(mod, COND_IF_DIFF_PROTO), buf)
    l, l2 = _anchors(msg)
    _build_advertised_rr(mod, l, l2, data, user, tag, True, sips, None, buf)
    _mark_added(ctx)
    return 1


def _preset_one(ctx, mod, data):
    """record_route_preset(): the given text, From tag always (ftag before lr), no socket."""
    msg = ctx.msg
    user = _username(ctx, mod, custom=False) if _p(mod, "add_username") else ""
    hdr = ("Record-Route: <sips:" if _sips(ctx, mod) else "Record-Route: <sip:") + \
        (f"{user}@" if user else "") + data
    if _p(mod, "append_fromtag"):
        fr = msg.from_
        if fr is None:
            raise _Fail("From parsing failed")
        if fr.tag:
            hdr += f";ftag={fr.tag}"
    hdr += _lr(mod) + ">\r\n"
    msg.lumps.anchor(msg.hdr_start, RR_TAG).after(hdr)


def record_route_preset(ctx, mod, data, data2=None):
    if not _check_once(ctx, mod):
        return -1
    if data2 is not None and not _p(mod, "enable_double_rr"):
        ctx.log(L_ERR, "Attempt to double record-route while 'enable_double_rr' param is disabled")
        return -1
    try:
        _preset_one(ctx, mod, data)
        if data2 is not None:
            _preset_one(ctx, mod, data2)
    except _Fail as e:
        ctx.log(L_ERR, str(e))
        return -1
    _mark_added(ctx)
    return 1


def add_rr_param(ctx, mod, param):
    """After record_route(): a new lump after the last rr-typed one of each Record-Route (both
    when double); before it: kept in a buffer that the next record_route() writes."""
    lumps = list(ctx.msg.lumps.headers) if ctx.msg._lumps is not None else []
    found = _insert_rr_param(lumps, 0, param)
    if found is None:
        st = _state(ctx)
        if len(st["param_buf"]) + len(param) > 512:
            ctx.log(L_ERR, "maximum size of rr_param_buf exceeded")
            return -1
        st["param_buf"] += param
        return 1
    if _p(mod, "enable_double_rr"):
        if _insert_rr_param(lumps, found + 1, param) is None:
            ctx.log(-3, "failed to locate double RR lump")
            return -1
    return 1


def _insert_rr_param(lumps, start, param):
    """get_rr_param_lump() + insert_rr_param_lump(): returns the index of the main lump used."""
    for i in range(start, len(lumps)):
        chain = lumps[i].before_list
        last = None
        for j, it in enumerate(chain):
            if isinstance(it, Tagged) and it.tag == RR_TAG:
                last = j
        if last is not None:
            chain.insert(last + 1, Tagged(param, RR_TAG))
            return i
    return None


def remove_record_route(ctx, mod):
    """free_rr_lump(): drop the rr-typed main lumps (and their chains) added to this message."""
    if ctx.msg._lumps is not None:
        ctx.msg.lumps.discard(RR_TAG)
    return 1


# ---- loose_route ------------------------------------------------------------------------------
def _route_uri(ctx, uri: str, failure: str):
    """uri parsed, or None after logging `failure` at ERROR (the caller returns RR_ERROR)."""
    try:
        return parse_uri(uri)
    except SipParseError:
        ctx.log(L_ERR, failure)
        return None


def _next_entry(msg, routes, hi: int, ri: int) -> tuple[int, int] | None:
    """The Route entry after entry ri of header hi; a header whose entries are all used is deleted.
    None when no entry is left."""
    if ri + 1 < len(routes[hi][1]):
        return hi, ri + 1
    hdr = routes[hi][0]
    msg.lumps.delete(hdr.start, hdr.end - hdr.start)
    return (hi + 1, 0) if hi + 1 < len(routes) else None


def _after_loose(ctx, mod, preloaded) -> int:
    msg = ctx.msg
    st = _state(ctx)
    routes = _route_entries(msg)
    hi, ri = 0, 0
    hdr, nas = routes[0]
    uri = nas[0].uri_str
    puri = _route_uri(ctx, uri, f"failed to parse the first route URI ({uri})")
    if puri is None:
        return RR_ERROR
    status = RR_DRIVEN
    if _myself(ctx, puri):
        st["routed"] = puri.params_str
        double = _p(mod, "enable_double_rr") and _has_param(puri.params_str, "r2")
        if _p(mod, "force_send_socket") and not double:
            _force_socket(ctx, mod, puri, uri, False)
        steps = 2 if double else 1
        for step in range(steps):
            nxt = _next_entry(msg, routes, hi, ri)
            if nxt is None:
                return RR_PRELOADED if preloaded else RR_DRIVEN
            hi, ri = nxt
            hdr, nas = routes[hi]
            if step == 0 and double:
                uri2 = nas[ri].uri_str
                p2 = _route_uri(ctx, uri2, f"failed to parse the double route URI ({uri2})")
                if p2 is None:
                    return RR_ERROR
                _force_socket(ctx, mod, p2, uri2, True)
        uri = nas[ri].uri_str
        puri = _route_uri(ctx, uri, f"failed to parse the next route URI ({uri})")
        if puri is None:
            return RR_ERROR
        st["route_addr"] = True
    else:
        st["routed"] = None
    if not _has_param(puri.params_str, "lr"):
        return _handle_sr(ctx, hdr, nas, ri, puri)
    _set_du(ctx, _maddr_uri(uri, puri))
    if ri > 0:   # our entries earlier in this header go
        msg.lumps.delete(hdr.body_start, nas[ri].start)
    return status


def _handle_sr(ctx, hdr, nas, ri, puri) -> int:
    """Next hop is a strict router: the R-URI goes into a last Route, the Route into the R-URI."""
    msg = ctx.msg
    msg.lumps.append_header(f"Route: <{msg.ruri_str}>\r\n")
    _rewrite_ruri(ctx, _maddr_uri(nas[ri].uri_str, puri))
    if ri + 1 >= len(nas):
        msg.lumps.delete(hdr.start, hdr.end - hdr.start)
    else:
        msg.lumps.delete(hdr.body_start, nas[ri + 1].start)
    return RR_DRIVEN


def _after_strict(ctx, mod) -> int:
    """The previous hop was a strict router: the R-URI is us (RFC 3261 16.4)."""
    msg = ctx.msg
    st = _state(ctx)
    routes = _route_entries(msg)
    hi, ri = 0, 0
    hdr, nas = routes[0]
    uri = nas[0].uri_str
    puri = _route_uri(ctx, uri, "failed to parse the first route URI")
    if puri is None:
        return RR_ERROR
    if _p(mod, "enable_double_rr") and _has_param(puri.params_str, "r2") and _myself(ctx, puri):
        sock = _grep_sock(ctx, puri, False)
        if sock is not None:
            ctx.force_socket = sock
        elif _p(mod, "enable_socket_mismatch_warning"):
            ctx.log(L_WARN, "no socket found for match second RR")
        nxt = _next_entry(msg, routes, hi, ri)
        if nxt is None:
            return RR_NOT_DRIVEN
        hi, ri = nxt
        hdr, nas = routes[hi]
        uri = nas[ri].uri_str
        puri = _route_uri(ctx, uri, "failed to parse URI")
        if puri is None:
            return RR_ERROR
    st["routed"] = _current_ruri(msg).params_str
    if not _has_param(puri.params_str, "lr"):
        # strict next hop too: behave as a strict router
        _rewrite_ruri(ctx, _maddr_uri(uri, puri))
        if ri + 1 < len(nas):
            msg.lumps.delete(hdr.body_start, nas[ri + 1].start)
        else:
            msg.lumps.delete(hdr.start, hdr.end - hdr.start)
        return RR_DRIVEN
    _set_du(ctx, _maddr_uri(uri, puri))
    if ri > 0:
        msg.lumps.delete(hdr.body_start, nas[ri].start)
    # the last Route entry is the remote target: back into the R-URI, out of the Route set
    lhdr, lnas = routes[-1]
    last = lnas[-1]
    luri = _route_uri(ctx, last.uri_str, "checking maddr failed")
    if luri is None:
        return RR_ERROR
    _rewrite_ruri(ctx, _maddr_uri(last.uri_str, luri))
    if len(lnas) > 1:
        prev = lnas[-2]
        msg.lumps.delete(lhdr.body_start + prev.end, last.end - prev.end)
    else:
        msg.lumps.delete(lhdr.start, lhdr.end - lhdr.start)
    return RR_DRIVEN


def _loose_route_mode(ctx, mod, mode) -> int:
    msg = ctx.msg
    st = _state(ctx)
    st["routed"] = None
    try:
        routes = _route_entries(msg)
    except SipParseError:
        ctx.log(L_ERR, "failed to parse Route HF")
        return -1
    if not routes:
        return -1
    try:
        ruri = _current_ruri(msg)
    except SipParseError:
        ctx.log(L_ERR, "failed to parse Request URI")
        return -1
    to = msg.to
    if to is None:
        ctx.log(L_ERR, "To header field not found")
        return -1
    if not to.tag:
        return _after_loose(ctx, mod, True)
    if not (mode & 1) and _myself(ctx, ruri):
        return _after_strict(ctx, mod)
    return _after_loose(ctx, mod, False)


def loose_route(ctx, mod):
    return _loose_route_mode(ctx, mod, _p(mod, "loose_route_mode"))


def loose_route_preloaded(ctx, mod):
    return 1 if _loose_route_mode(ctx, mod, 0) == RR_PRELOADED else -1


def loose_route_mode(ctx, mod, vmode):
    return _loose_route_mode(ctx, mod, vmode)


def check_route_param(ctx, mod, regex):
    params = _routed_params(ctx)
    if not params:
        return -1
    return 1 if regex.search(";" + params) else -1


def _direction_fixup(args, coord, program):
    from cfgvm.stdlib._common import const_text
    inst = getattr(program, "modules", {}).get("rr")
    if inst is not None and not inst.params.get("append_fromtag", 1):
        raise ValueError('usage of "is_direction" function requires parameter "append_fromtag" enabled')
    d = const_text(args[0])
    n = {"downstream": DOWNSTREAM, "upstream": UPSTREAM}.get(str(d).lower())
    if n is None:
        raise ValueError(f"unknown direction '{d}'")
    return [n]


def is_direction(ctx, mod, d):
    if not _p(mod, "append_fromtag"):
        ctx.log(L_ERR, 'usage of "is_direction" function requires parameter"append_fromtag" enabled!!')
        return -1
    return 1 if _direction(ctx) == d else -1


def rr_next_hop_route(ctx, mod):
    return 1 if _state(ctx)["route_addr"] else -1


# ---- PVs ------------------------------------------------------------------------------------------
def get_route_uri(ctx, spec=None):
    msg = ctx.msg
    hf = msg.header("route") if msg is not None else None
    if hf is None:
        ctx.log(L_INFO, "No route header present.")
        return ""            # Kamailio 5.6.3 prints it empty, not <null> [V]
    try:
        return hf.parsed[0].uri_str
    except SipParseError:
        ctx.log(L_ERR, "Error while parsing Route header")
        return None


def _tag_of(h):
    return (h.tag or None) if h is not None else None


def get_fti(ctx, spec=None):
    """$fti: the From tag of the dialog-creating request (the To tag on an upstream request)."""
    msg = ctx.msg
    return _tag_of(msg.to if _direction(ctx) == UPSTREAM else msg.from_)


def get_tti(ctx, spec=None):
    msg = ctx.msg
    return _tag_of(msg.from_ if _direction(ctx) == UPSTREAM else msg.to)


def get_rdir(ctx, spec):
    up = _direction(ctx) == UPSTREAM
    if spec.inner == "name":
        return "upstream" if up else "downstream"
    return UPSTREAM if up else DOWNSTREAM


# ---- module ----------------------------------------------------------------------------------------
def init(mod):
    if mod.params.get("sockname_mode"):
        raise ModuleError("rr: modparam sockname_mode (socket names in Record-Route) is not "
                          "implemented in cfgvm")
    mod.state = {"custom_user": None}
    spec = mod.params.get("custom_user_avp")
    if spec:
        from cfgvm.vm.pvspec import parse
        sp = parse(spec)
        if sp.cls != "avp":
            raise ValueError(f"malformed or non AVP custom_user AVP definition in '{spec}'")
        mod.state["custom_user"] = sp


EXPORTS = Module(
    name="rr",
    functions=[
        Function("loose_route", loose_route, (), REQUEST_ROUTE),
        Function("loose_route_preloaded", loose_route_preloaded, (), REQUEST_ROUTE),
        Function("loose_route_mode", loose_route_mode, (IGP,), REQUEST_ROUTE),
        Function("record_route", record_route, (), _RRB),
        Function("record_route", record_route, (FMT,), _RRB),
        Function("record_route_preset", record_route_preset, (FMT,), _RRB),
        Function("record_route_preset", record_route_preset, (FMT, FMT), _RRB),
        Function("record_route_advertised_address", record_route_advertised_address, (FMT,), _RRB),
        Function("add_rr_param", add_rr_param, (FMT,), _RRB),
        Function("check_route_param", check_route_param, (REGEX,), REQUEST_ROUTE),
        Function("is_direction", is_direction, (STR,), REQUEST_ROUTE, fixup=_direction_fixup),
        Function("remove_record_route", remove_record_route, (), REQUEST_ROUTE | FAILURE_ROUTE),
        Function("rr_next_hop_route", rr_next_hop_route, (), ANY_ROUTE),
    ],
    params=[
        Param("append_fromtag", INT_PARAM, 1),
        Param("enable_double_rr", INT_PARAM, 1),
        Param("enable_full_lr", INT_PARAM, 0),
        Param("add_username", INT_PARAM, 0),
        Param("enable_socket_mismatch_warning", INT_PARAM, 1),
        Param("custom_user_avp", STR_PARAM, None),
        Param("force_send_socket", INT_PARAM, 0),
        Param("ignore_sips", INT_PARAM, 0),
        Param("sockname_mode", INT_PARAM, 0),
        Param("loose_route_mode", INT_PARAM, 0),
    ],
    pvs=[
        PV("route_uri", get_route_uri),
        PV("fti", get_fti),
        PV("tti", get_tti),
        PV("rdir", get_rdir, inner=NEEDS_INNER),
    ],
    init=init,
)
