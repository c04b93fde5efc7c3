"""siputils: SIP helpers (Kamailio 5.6 src/modules/siputils).

Every function of the 5.6 README: has_totag, is_request, is_reply, is_first_hop/0/1, is_user,
uri_param/1/2, uri_param_any, get_uri_param, uri_param_rm, add_uri_param, is_uri, is_e164,
is_uri_user_e164, is_tel_number, is_numeric, is_alphanum, is_alphanumex, cmp_uri, cmp_aor,
cmp_hdr_name, is_gruu/0/1, options_reply (200 through sl with the options_* params), tel2sip,
encode_contact, decode_contact, decode_contact_header, append_rpid_hf/0/2 and is_rpid_user_e164
(the rpid_avp AVP), set_uri_user, set_uri_host, is_supported, sip_p_charging_vector and $pcv,
contact_param_encode/decode/decode_ruri/rm (Base64URL without padding), hdr_date_check.
Checked against real Kamailio 5.6.3 in tests/modules/test_siputils_oracle.py.
Known differences: sip_p_charging_vector("g") builds its icid-value from the engine clock, pid and a
counter (Kamailio's comes from its start-up time and randomness); sip_p_charging_vector("r") removes
the header, while real 5.6.3 was seen to leave it in place (cause not established, not mimicked).
"""
from __future__ import annotations

import re

from cfgvm.exports import (ANY_ROUTE, BRANCH_ROUTE, FAILURE_ROUTE, FMT, IGP, LOCAL_ROUTE, ONREPLY_ROUTE, PV,
                           PVAR, PVSPEC, REQUEST_ROUTE, STR, STR_PARAM, INT_PARAM, OPTIONAL_INNER, Function,
                           Module, Param)
from cfgvm.sip import SipParseError, parse_uri
from cfgvm.stdlib._common import const_text, pv_getter

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
    """The username of the *authorized* credentials equals user. Kamailio reads the credentials an auth
    module marked authorized (www/proxy_authorize, under mod_state "auth.authorized"); cfgvm has no auth
    module yet, so a message without that mark gets Kamailio's error and -1."""
    cred = ctx.mod_state.get("auth.authorized")
    if cred is None:
        ctx.log(-1, "ERROR: siputils: is_user(): no authorized credentials found (error in scripts)\n")
        ctx.log(-1, "ERROR: siputils: is_user(): Call {www,proxy}_authorize before calling is_user function !\n")
        return -1
    name = cred.username or ""
    return 1 if name and name == user else -1


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


def _ref_uri(ctx, ref):
    """The SIP URI a PV holds, parsed; None when it holds no string or no parsable URI."""
    v = ref.get(ctx)
    if not isinstance(v, str):
        return None
    try:
        return parse_uri(v)
    except SipParseError:
        return None


def is_uri_user_e164(ctx, mod, ref):
    u = _ref_uri(ctx, ref)
    return 1 if u is not None and _E164.match(u.user) else -1


def is_tel_number(ctx, mod, text):
    t = text[1:] if text.startswith("+") else text
    return 1 if t and t.isascii() and t.isdigit() and (len(t) > 0) else -1


_DIGITS = frozenset("0123456789")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def is_numeric(ctx, mod, text):
    """1 for ASCII digits only; -2 for an empty value or any other character (siputils 5.6)."""
    return 1 if text and _DIGITS.issuperset(text) else -2


def is_alphanum(ctx, mod, text):
    """1 for ASCII letters and digits only; -2 when empty, -3 for another character."""
    if not text:
        return -2
    return 1 if _ALNUM.issuperset(text) else -3


def is_alphanumex(ctx, mod, text, extra):
    """is_alphanum that also allows the characters of `extra`."""
    if not text:
        return -2
    return 1 if (_ALNUM | set(extra)).issuperset(text) else -3


def _cmp_uris(a, b, aor=False):
    try:
        ua, ub = parse_uri(a), parse_uri(b)
    except SipParseError:
        return -1
    same = (ua.scheme == ub.scheme and ua.user == ub.user and ua.host.lower() == ub.host.lower()
            and (ua.port_no or ua.default_port) == (ub.port_no or ub.default_port))
    if same and not aor:
        # RFC 3261 19.1.4: an omitted default port does not match an explicit one
        same = ua.password == ub.password and ua.port == ub.port and _uri_params_match(ua, ub)
    return 1 if same else -1


def _uri_params_match(a, b):
    """user, ttl, method, maddr, transport differ only when both URIs carry them (real Kamailio:
    sip:a@b.com matches sip:a@b.com;transport=udp)."""
    for p in ("user", "ttl", "method", "maddr", "transport"):
        va, vb = a.params.get(p), b.params.get(p)
        if va is not None and vb is not None and va.lower() != vb.lower():
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


# ---- R-URI parameters ------------------------------------------------------------------------------
def uri_param_any(ctx, mod, name):
    u = _ruri(ctx)
    if u is None:
        return -1
    return 1 if any(k.lower() == name.lower() for k, _ in u.params) else -1


def get_uri_param(ctx, mod, name, ref):
    """The value of a R-URI parameter into ref ("" for a parameter without value); -1 when absent."""
    u = _ruri(ctx)
    if u is None:
        return -1
    for k, v in u.params:
        if k.lower() == name.lower():
            ref.set(ctx, v if v is not None else "")
            return 1
    return -1


def uri_param_rm(ctx, mod, name):
    u = _ruri(ctx)
    if u is None or not name:
        return -1
    kept = [p for p in u.params_str.split(";") if p and p.split("=", 1)[0].strip().lower() != name.lower()]
    if len(kept) == len([p for p in u.params_str.split(";") if p]):
        return 1
    ctx.msg.new_uri = str(u.replace(params_str=";".join(kept)))
    return 1


# ---- URI conversions -----------------------------------------------------------------------------
_VISUAL = str.maketrans("", "", "-.()")


def tel2sip(ctx, mod, uri, host, ref):
    """tel: URI -> sip:number[;params]@host;user=phone (RFC 3261 19.1.6): 1 converted, 2 not a tel
    URI, -1 error."""
    if not uri[:4].lower() == "tel:":
        return 2
    number, _, params = uri[4:].partition(";")
    number = number.translate(_VISUAL)
    if not number or not host:
        return -1
    user = number + ("".join(";" + p.lower() for p in params.split(";") if p) if params else "")
    ref.set(ctx, f"sip:{user}@{host};user=phone")
    return 1


def set_uri_user(ctx, mod, ref, user):
    v = user.get(ctx)
    return _set_uri_part(ctx, ref, user=v) if isinstance(v, str) else -1


def set_uri_host(ctx, mod, ref, host):
    v = host.get(ctx)
    return _set_uri_part(ctx, ref, host=v) if isinstance(v, str) and v else -1


def _set_uri_part(ctx, ref, **part):
    u = _ref_uri(ctx, ref)
    if u is None:
        return -1
    ref.set(ctx, str(u.replace(**part)))
    return 1


# ---- contact encoding (sip:prefix*user*password*ip*port*proto@host) -------------------------------
def _sep(mod):
    s = mod.params.get("contact_flds_separator") or "*"
    return s[0]


def _encode_uri(mod, text, prefix, host):
    try:
        u = parse_uri(text)
    except SipParseError:
        return None
    sep = _sep(mod)
    proto = u.params.get("transport") or ""
    fields = [prefix, u.user, u.password or "", u.host, u.port or "", proto]
    return f"{u.scheme}:{sep.join(fields)}@{host}"


def _decode_uri(mod, text):
    try:
        u = parse_uri(text)
    except SipParseError:
        return None
    parts = u.user.split(_sep(mod))
    if len(parts) != 6:
        return None
    _, user, password, ip, port, proto = parts
    out = f"{u.scheme}:{user}" + (f":{password}" if password else "") + ("@" if user else "") + ip
    if port:
        out += f":{port}"
    if proto:
        out += f";transport={proto}"
    return out


def _contact_uris(msg):
    """(start, end) of every Contact URI in the message ('*' skipped)."""
    out = []
    for hf in msg.headers("contact"):
        try:
            cs = hf.parsed
        except SipParseError:
            return None
        for c in getattr(cs, "contacts", cs) or ():
            uri = c.uri if isinstance(c.uri, str) else str(c.uri)
            pos = msg.text.find(uri, hf.body_start, hf.body_end)
            if pos >= 0:
                out.append((pos, pos + len(uri), uri))
    return out


def _rewrite_contacts(ctx, convert) -> int:
    """Each Contact URI replaced by convert(uri): -1 without one, -2 at the first convert() that
    gives None (the URIs before it stay replaced, as in Kamailio's loop), else 1."""
    spans = _contact_uris(ctx.msg)
    if not spans:
        return -1
    for s, e, uri in spans:
        new = convert(uri)
        if new is None:
            return -2
        ctx.msg.lumps.replace(s, e - s, new)
    return 1


def encode_contact(ctx, mod, prefix, host):
    return _rewrite_contacts(ctx, lambda uri: _encode_uri(mod, uri, prefix, host))


def decode_contact(ctx, mod):
    new = _decode_uri(mod, ctx.msg.current_uri_str)
    if new is None:
        return -1
    ctx.msg.new_uri = new
    return 1


def decode_contact_header(ctx, mod):
    return _rewrite_contacts(ctx, lambda uri: _decode_uri(mod, uri))


# ---- Remote-Party-ID -----------------------------------------------------------------------------
def _rpid(ctx, mod):
    """The value of the rpid AVP (modparam rpid_avp, default $avp(s:rpid))."""
    from cfgvm.vm import pvspec
    name = mod.params.get("rpid_avp") or ""
    if not name or name == "0":
        return None
    v = pv_getter(ctx)(pvspec.parse(name))
    return v if isinstance(v, str) and v else None


def append_rpid_hf(ctx, mod, prefix=None, suffix=None):
    rpid = _rpid(ctx, mod)
    if rpid is None:
        return -1
    if prefix is None:
        prefix, suffix = mod.params.get("rpid_prefix") or "", mod.params.get("rpid_suffix") or ""
    ctx.msg.lumps.append_header(f"Remote-Party-ID: {prefix}{rpid}{suffix}\r\n")
    return 1


def is_rpid_user_e164(ctx, mod):
    rpid = _rpid(ctx, mod)
    if rpid is None:
        return -1
    text = rpid
    if "<" in text:
        text = text[text.index("<") + 1:text.index(">")] if ">" in text else text
    try:
        u = parse_uri(text)
    except SipParseError:
        return -1
    return 1 if _E164.match(u.user) else -1


# ---- Supported, Date --------------------------------------------------------------------------------
_OPTIONS = ("path", "100rel", "timer", "eventlist", "gruu", "outbound")


def fixup_option(args, coord, program):
    """Only the options Kamailio knows (path, 100rel, timer, eventlist, gruu, outbound)."""
    text = const_text(args[0])
    if text.lower() not in _OPTIONS:
        raise ValueError(f"unknown option <{text}>")
    return [text]


def is_supported(ctx, mod, option):
    for hf in ctx.msg.headers("supported"):
        if any(t.strip(" \t").lower() == option.lower() for t in hf.body_raw.split(",")):
            return 1
    return -1


def hdr_date_check(ctx, mod, tdiff):
    """True when the Date header is not older than now - tdiff; -1 without a Date header, -4 when
    older (Kamailio's return codes)."""
    import email.utils
    hf = ctx.msg.header("date")
    if hf is None:
        return -1
    try:
        when = email.utils.parsedate_to_datetime(hf.body_raw).timestamp()
    except (TypeError, ValueError):
        return -1
    return 1 if when + tdiff >= ctx.clock() else -4


# ---- contact_param_* (Base64URL-encoded URIs in a parameter) --------------------------------------
def _b64e(text):
    import base64
    return base64.urlsafe_b64encode(text.encode("latin-1")).decode("ascii").rstrip("=")


def _b64d(text):
    import base64
    import binascii
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("latin-1")
    except (binascii.Error, ValueError):
        return None


def contact_param_encode(ctx, mod, pname, saddr):
    return _rewrite_contacts(ctx, lambda uri: f"{saddr};{pname}={_b64e(uri)}")


def _param_uri(uri, pname):
    try:
        u = parse_uri(uri)
    except SipParseError:
        return None
    v = u.params.get(pname)
    return _b64d(v) if v else None


def contact_param_decode(ctx, mod, pname):
    spans = _contact_uris(ctx.msg)
    if not spans:
        return -1
    done = -1
    for s, e, uri in spans:
        new = _param_uri(uri, pname)
        if new:
            ctx.msg.lumps.replace(s, e - s, new)
            done = 1
    return done


def contact_param_decode_ruri(ctx, mod, pname):
    new = _param_uri(ctx.msg.current_uri_str, pname)
    if not new:
        return -1
    ctx.msg.new_uri = new
    return 1


def contact_param_rm(ctx, mod, pname):
    spans = _contact_uris(ctx.msg)
    if not spans:
        return -1
    for s, e, uri in spans:
        u = parse_uri(uri)
        kept = [p for p in u.params_str.split(";") if p and p.split("=", 1)[0].lower() != pname.lower()]
        new = str(u.replace(params_str=";".join(kept)))
        if new != uri:
            ctx.msg.lumps.replace(s, e - s, new)
    return 1


# ---- P-Charging-Vector (RFC 7315) -------------------------------------------------------------------
_PCV_FIELDS = {"value": "icid-value", "genaddr": "icid-generated-at", "orig": "orig-ioi", "term": "term-ioi"}


def _pcv_state(ctx):
    """The header this message carries, or the one sip_p_charging_vector() generated for it."""
    got = ctx.mod_state.get("pcv")
    if got is not None:
        return got
    hf = ctx.msg.header("P-Charging-Vector")
    return hf.body_raw if hf is not None else None


def get_pcv(ctx, spec):
    which = (spec.inner or "all").lower()
    body = _pcv_state(ctx)
    if body is None:
        return None
    if which == "all":
        return body
    want = _PCV_FIELDS.get(which)
    if want is None:
        return None
    for part in body.split(";"):
        k, _, v = part.strip(" \t").partition("=")
        if k.lower() == want:
            return v.strip(" \t")
    return ""


def sip_p_charging_vector(ctx, mod, flags):
    """r: remove the header; g: add one when missing; f: remove then add. The icid-value is built
    from the engine clock, the worker pid and a per-worker counter (Kamailio's has the same shape
    but its bytes cannot be reproduced: they come from the start-up time and a random seed)."""
    msg = ctx.msg
    hfs = msg.headers("P-Charging-Vector")
    if "r" in flags or "f" in flags:
        for hf in hfs:
            msg.lumps.remove_header(hf)
        ctx.mod_state["pcv"] = None
        if "f" not in flags:
            return 1
        hfs = []
    if ("g" in flags or "f" in flags) and not hfs:
        n = ctx.worker.vars.setdefault("\0pcv_counter", 0) + 1
        ctx.worker.vars["\0pcv_counter"] = n
        icid = "%08X%08X%016X" % (int(ctx.clock()) & 0xFFFFFFFF, ctx.worker.pid & 0xFFFFFFFF, n)
        body = f"icid-value={icid};icid-generated-at={ctx.rcv.dst_ip}"
        msg.lumps.append_header(f"P-Charging-Vector: {body}\r\n")
        ctx.mod_state["pcv"] = body
        return 1
    return 1 if hfs else -1


# ---- options_reply ----------------------------------------------------------------------------------
def options_reply(ctx, mod):
    """200 OK to an OPTIONS for the server itself (no user in the R-URI) with the capabilities of the
    options_* params; -1 for any other request."""
    from cfgvm.stdlib import sl
    msg = ctx.msg
    if not msg.is_request or msg.method_known != "OPTIONS":
        return -1
    u = _ruri(ctx)
    if u is None or u.user:
        return -1
    p = mod.params
    lumps = ctx.mod_state.setdefault("reply_lumps", [])
    lumps += [f"Accept: {p.get('options_accept') or ''}\r\n",
              f"Accept-Encoding: {p.get('options_accept_encoding') or ''}\r\n",
              f"Accept-Language: {p.get('options_accept_language') or ''}\r\n",
              f"Supported: {p.get('options_support') or ''}\r\n"]
    return sl.sl_reply(ctx, 200, "OK")


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
        Function("options_reply", options_reply, (), REQUEST_ROUTE),
        Function("uri_param_any", uri_param_any, (FMT,), _RBF),
        Function("get_uri_param", get_uri_param, (FMT, PVAR), _RBF),
        Function("uri_param_rm", uri_param_rm, (FMT,), _RBF),
        Function("tel2sip", tel2sip, (FMT, FMT, PVAR), _RBF | ONREPLY_ROUTE),
        Function("encode_contact", encode_contact, (FMT, FMT), REQUEST_ROUTE | ONREPLY_ROUTE),
        Function("decode_contact", decode_contact, (), REQUEST_ROUTE),
        Function("decode_contact_header", decode_contact_header, (), REQUEST_ROUTE | ONREPLY_ROUTE),
        Function("append_rpid_hf", append_rpid_hf, (), REQUEST_ROUTE | BRANCH_ROUTE | FAILURE_ROUTE),
        Function("append_rpid_hf", append_rpid_hf, (FMT, FMT), REQUEST_ROUTE | BRANCH_ROUTE | FAILURE_ROUTE),
        Function("is_rpid_user_e164", is_rpid_user_e164, (), REQUEST_ROUTE),
        Function("set_uri_user", set_uri_user, (PVAR, PVSPEC), ANY_ROUTE),
        Function("set_uri_host", set_uri_host, (PVAR, PVSPEC), ANY_ROUTE),
        Function("is_supported", is_supported, (STR,), ANY_ROUTE, fixup=fixup_option),
        Function("sip_p_charging_vector", sip_p_charging_vector, (STR,), ANY_ROUTE),
        Function("contact_param_encode", contact_param_encode, (FMT, FMT), ANY_ROUTE),
        Function("contact_param_decode", contact_param_decode, (FMT,), ANY_ROUTE),
        Function("contact_param_decode_ruri", contact_param_decode_ruri, (FMT,), ANY_ROUTE),
        Function("contact_param_rm", contact_param_rm, (FMT,), ANY_ROUTE),
        Function("hdr_date_check", hdr_date_check, (IGP,), ANY_ROUTE),
    ],
    pvs=[PV("pcv", get_pcv, inner=OPTIONAL_INNER)],
    params=[
        Param("options_accept", STR_PARAM, "*/*"),
        Param("options_accept_encoding", STR_PARAM, ""),
        Param("options_accept_language", STR_PARAM, "en"),
        Param("options_support", STR_PARAM, ""),
        Param("contact_flds_separator", STR_PARAM, "*"),
        Param("rpid_prefix", STR_PARAM, ""),
        Param("rpid_suffix", STR_PARAM, ";party=calling;id-type=subscriber;screen=yes"),
        Param("rpid_avp", STR_PARAM, "$avp(s:rpid)"),
        Param("ring_timeout", INT_PARAM, 0),
    ],
)
