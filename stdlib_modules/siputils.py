"""siputils: SIP helpers (Kamailio 5.6 src/modules/siputils) -- the part cfgvm implements so far.

Implemented: has_totag, is_request, is_reply, is_first_hop/0/1, is_user, uri_param/1/2,
add_uri_param, is_uri, is_e164, is_uri_user_e164, is_tel_number, is_numeric, is_alphanum,
is_alphanumex, cmp_uri, cmp_aor, cmp_hdr_name, is_gruu/0/1.
Not implemented (absent from the export table): options_reply, uri_param_any, get_uri_param,
uri_param_rm, tel2sip, encode_contact, decode_contact, decode_contact_header, append_rpid_hf/0/2,
is_rpid_user_e164, set_uri_user, set_uri_host, is_supported, sip_p_charging_vector and $pcv,
contact_param_encode/decode/decode_ruri/rm, hdr_date_check. Params are all accepted.
"""
from __future__ import annotations

import re

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, FMT, IGP, LOCAL_ROUTE, PVSPEC,
                           REQUEST_ROUTE, STR, STR_PARAM, Function, Module, Param)
from cfgvm.sip import SipParseError, parse_uri

_RBF = REQUEST_ROUTE | BRANCH_ROUTE | FAILURE_ROUTE


def has_totag(ctx, mod):
    to = ctx.msg.to
    return 1 if to is not None and to.tag else -1


def is_request(ctx, mod):
    return 1 if ctx.msg.is_request else -1


def is_reply(ctx, mod):
    return 1 if ctx.msg.is_reply else -1


def is_first_hop(ctx, mod, mode=0):
    """Request: one Via header carrying one Via body. Reply: two Via bodies (ours and the UA's)."""
    try:
        n = len(ctx.msg.vias())
    except SipParseError:
        return -1
    if ctx.msg.is_request:
        return 1 if n == 1 else -1
    return 1 if n == 2 else -1


def is_user(ctx, mod, user):
    """The username of the credentials (Authorization/Proxy-Authorization) equals user."""
    for name in ("proxy-authorization", "authorization"):
        h = ctx.msg.header(name)
        if h is not None:
            try:
                return 1 if h.parsed.username == user else -1
            except (SipParseError, AttributeError):
                return -1
    return -1


def _ruri(ctx):
    try:
        return ctx.msg.current_uri
    except SipParseError:
        return None


def uri_param(ctx, mod, name, value=None):
    u = _ruri(ctx)
    if u is None:
        return -1
    for k, v in u.params:
        if k.lower() == name.lower():
            if value is None:
                return 1 if v is None else -1
            return 1 if v == value else -1
    return -1


def add_uri_param(ctx, mod, param):
    u = _ruri(ctx)
    if u is None:
        return -1
    if u.headers_str:
        return -1
    ps = f"{u.params_str};{param}" if u.params_str else param
    ctx.msg.new_uri = str(u.replace(params_str=ps))
    return 1


def is_uri(ctx, mod, text):
    try:
        parse_uri(text)
    except SipParseError:
        return -1
    return 1


_E164 = re.compile(r"\+[0-9]{2,15}\Z")


def is_e164(ctx, mod, ref):
    v = ref.get(ctx)
    return 1 if isinstance(v, str) and _E164.match(v) else -1


def is_uri_user_e164(ctx, mod, ref):
    v = ref.get(ctx)
    if not isinstance(v, str):
        return -1
    try:
        u = parse_uri(v)
    except SipParseError:
        return -1
    return 1 if _E164.match(u.user) else -1


def is_tel_number(ctx, mod, text):
    t = text[1:] if text.startswith("+") else text
    return 1 if t and t.isascii() and t.isdigit() and (len(t) > 0) else -1


def is_numeric(ctx, mod, text):
    return 1 if text and text.isascii() and text.isdigit() else -1


def is_alphanum(ctx, mod, text):
    return 1 if text and text.isascii() and text.isalnum() else -1


def is_alphanumex(ctx, mod, text, extra):
    return 1 if text and all((c.isascii() and c.isalnum()) or c in extra for c in text) else -1


def _cmp_uris(a, b, aor=False):
    try:
        ua, ub = parse_uri(a), parse_uri(b)
    except SipParseError:
        return -1
    same = (ua.scheme == ub.scheme and ua.user == ub.user and ua.host.lower() == ub.host.lower()
            and (ua.port_no or ua.default_port) == (ub.port_no or ub.default_port))
    if same and not aor:
        same = ua.password == ub.password and _uri_params_match(ua, ub)
    return 1 if same else -1


def _uri_params_match(a, b):
    """RFC 3261 19.1.4: user, ttl, method, maddr, transport must match when present in either."""
    for p in ("user", "ttl", "method", "maddr", "transport"):
        va, vb = a.params.get(p), b.params.get(p)
        if (va is None) != (vb is None) or (va is not None and va.lower() != vb.lower()):
            return False
    return True


def cmp_uri(ctx, mod, a, b):
    return _cmp_uris(a, b)


def cmp_aor(ctx, mod, a, b):
    return _cmp_uris(a, b, aor=True)


def cmp_hdr_name(ctx, mod, a, b):
    from cfgvm.sip.hdrnames import KEY
    ka, kb = KEY.get(a.lower(), a.lower()), KEY.get(b.lower(), b.lower())
    return 1 if ka == kb else -1


def is_gruu(ctx, mod, uri=None):
    if uri is None:
        u = _ruri(ctx)
    else:
        try:
            u = parse_uri(uri)
        except SipParseError:
            u = None
    if u is None:
        return -1
    if u.params.has("gr"):
        return 1 if u.params.get("gr") is None else 2
    return -1


EXPORTS = Module(
    name="siputils",
    functions=[
        Function("is_user", is_user, (FMT,), REQUEST_ROUTE | LOCAL_ROUTE),
        Function("has_totag", has_totag, (), ANY_ROUTE),
        Function("uri_param", uri_param, (FMT,), _RBF),
        Function("uri_param", uri_param, (FMT, FMT), _RBF),
        Function("add_uri_param", add_uri_param, (STR,), REQUEST_ROUTE),
        Function("is_uri", is_uri, (FMT,), ANY_ROUTE),
        Function("is_e164", is_e164, (PVSPEC,), REQUEST_ROUTE | FAILURE_ROUTE | LOCAL_ROUTE),
        Function("is_uri_user_e164", is_uri_user_e164, (PVSPEC,), ANY_ROUTE),
        Function("cmp_uri", cmp_uri, (FMT, FMT), ANY_ROUTE),
        Function("cmp_aor", cmp_aor, (FMT, FMT), ANY_ROUTE),
        Function("cmp_hdr_name", cmp_hdr_name, (FMT, FMT), ANY_ROUTE),
        Function("is_request", is_request, (), ANY_ROUTE),
        Function("is_reply", is_reply, (), ANY_ROUTE),
        Function("is_gruu", is_gruu, (), ANY_ROUTE),
        Function("is_gruu", is_gruu, (FMT,), ANY_ROUTE),
        Function("is_first_hop", is_first_hop, (), ANY_ROUTE),
        Function("is_first_hop", is_first_hop, (IGP,), ANY_ROUTE),
        Function("is_tel_number", is_tel_number, (FMT,), ANY_ROUTE),
        Function("is_numeric", is_numeric, (FMT,), ANY_ROUTE),
        Function("is_alphanum", is_alphanum, (FMT,), ANY_ROUTE),
        Function("is_alphanumex", is_alphanumex, (FMT, FMT), ANY_ROUTE),
    ],
    params=[
        Param("options_accept", STR_PARAM, "*/*"),
        Param("options_accept_encoding", STR_PARAM, ""),
        Param("options_accept_language", STR_PARAM, "en"),
        Param("options_support", STR_PARAM, ""),
        Param("contact_flds_separator", STR_PARAM, "*"),
        Param("rpid_prefix", STR_PARAM, ""),
        Param("rpid_suffix", STR_PARAM, ";party=calling;id-type=subscriber;screen=yes"),
        Param("rpid_avp", STR_PARAM, "$avp(s:rpid)"),
    ],
)
