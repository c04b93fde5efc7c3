"""The checks of Kamailio's sanity module (5.6), each with its bit, reply code and reason phrase.

check(msg, msg_checks, uri_checks, proxy_require) runs the checks in Kamailio's order and returns
None when all pass, or a Failure(bit, code, reason, headers): code None means the module fails
without replying (FL_MSG_NOREPLY, "not applicable" digest, duplicate headers). Replies are never
sent for ACK (sanity_reply) -- the caller decides (see probe.py).

It runs on every request of a typical config: the checks a pair of flags enables are listed once
(_plan), and the parses they make (R-URI, Via, CSeq, From/To and their URIs) are the message's
cached ones, which the later reads ($fU, $tu, replies) reuse.
"""
from .errors import SipParseError
from .uri import OpaqueUri
from .auth import check_digest

RURI_SIP_VERSION = 1
RURI_SCHEME = 2
REQUIRED_HEADERS = 4
VIA_SIP_VERSION = 8        # disabled in Kamailio: always passes
VIA_PROTOCOL = 16          # disabled in Kamailio: always passes
CSEQ_METHOD = 32
CSEQ_VALUE = 64
CONTENT_LENGTH = 128
EXPIRES_VALUE = 256
PROXY_REQUIRE = 512
PARSE_URIS = 1024
DIGEST = 2048
DUPTAGS = 4096
AUTHORIZATION = 8192
VIA1_HEADER = 16384
MAX_CHECKS = 1 << 15

DEFAULT_CHECKS = 3047      # modparam default_checks
URI_RURI, URI_FROM, URI_TO, URI_CONTACT = 1, 2, 4, 8
DEFAULT_URI_CHECKS = 7     # modparam uri_checks

# bit -> (name used in Kamailio's docs)
CHECK_NAMES = {
    RURI_SIP_VERSION: "ruri_sip_version", RURI_SCHEME: "ruri_scheme",
    REQUIRED_HEADERS: "required_headers", VIA_SIP_VERSION: "via_sip_version",
    VIA_PROTOCOL: "via_protocol", CSEQ_METHOD: "cseq_method", CSEQ_VALUE: "cseq_value",
    CONTENT_LENGTH: "content_length", EXPIRES_VALUE: "expires_value", PROXY_REQUIRE: "proxy_require",
    PARSE_URIS: "parse_uris", DIGEST: "digest_credentials", DUPTAGS: "duplicated_tags",
    AUTHORIZATION: "authorization", VIA1_HEADER: "via1_header",
}


class Failure:
    __slots__ = ("bit", "code", "reason", "headers")

    def __init__(self, bit, code=None, reason=None, headers=()):
        self.bit, self.code, self.reason, self.headers = bit, code, reason, list(headers)

    def __repr__(self):
        return f"Failure({CHECK_NAMES.get(self.bit)}, {self.code} {self.reason})"


def str2valid_uint(text):
    """sanity's str2valid_uint(): at most 10 digits, not above 4294967296 (sic: the limit itself
    passes)."""
    if len(text) > 10 or not text.isascii() or not text.isdigit():
        return False
    return len(text) < 10 or text <= "4294967296"


def check(msg, msg_checks=DEFAULT_CHECKS, uri_checks=DEFAULT_URI_CHECKS, proxy_require=()):
    if 0 < uri_checks < 16:
        plan = _PLANS.get(msg_checks * 16 + uri_checks)
        if plan is None:
            plan = _plan(msg_checks, uri_checks)
    else:
        raise ValueError("sanity check flags out of range")
    for fn in plan:
        f = fn(msg, proxy_require)
        if f is not None:
            return f
    return None


# msg_checks * 16 + uri_checks -> the checks they enable, in Kamailio's order, as callables
# (msg, proxy_require) -> Failure | None: one call per check or per _FUSED pair (at most 2**19
# entries, valid flags only)
_PLANS = {}


def _plan(msg_checks, uri_checks):
    if not 1 <= msg_checks < MAX_CHECKS:
        raise ValueError("sanity check flags out of range")
    plan = []
    for bit, fn in _ORDER:
        if not msg_checks & bit:
            continue
        if bit == PARSE_URIS:
            # a passed ruri_scheme check already parsed the same R-URI
            plan.append(_uris_check(uri_checks & ~URI_RURI if msg_checks & RURI_SCHEME
                                    else uri_checks))
        elif fn is not None:
            if plan and (plan[-1], fn) in _FUSED:
                plan[-1] = _FUSED[plan[-1], fn]
            else:
                plan.append(fn)
    plan = _PLANS[msg_checks * 16 + uri_checks] = tuple(plan)
    return plan


def _ruri_version(msg, _):
    v = msg.version
    sl = v.find("/")
    if sl < 0:
        return Failure(RURI_SIP_VERSION)
    if v[sl + 1:] != "2.0":
        return Failure(RURI_SIP_VERSION, 505, "Version Not Supported (R-URI)")
    return None


def _ruri_scheme(msg, _):
    try:
        msg.current_uri            # parsed once per message (cached while the R-URI is unchanged)
    except SipParseError:
        return Failure(RURI_SCHEME, 400, "Bad Request URI")
    return None


def _required(msg, _):
    idx = msg._idx
    f, t, c, s = idx.get("from"), idx.get("to"), idx.get("call-id"), idx.get("cseq")
    if not (f and t and c and s):
        return Failure(REQUIRED_HEADERS)
    if msg.header_error is not None:
        return Failure(REQUIRED_HEADERS, 400, "Bad Headers")
    if len(f) > 1 or len(t) > 1 or len(c) > 1 or len(s) > 1:
        return Failure(REQUIRED_HEADERS)
    return None


def _via1(msg, _):
    try:
        v = msg._first_parsed("via")
    except SipParseError:
        return Failure(VIA1_HEADER)
    return None if v is not None and v[0].host else Failure(VIA1_HEADER)


def _first_cseq(msg):
    """The first CSeq parsed, or None when absent or malformed."""
    try:
        return msg._first_parsed("cseq")
    except SipParseError:
        return None


def _cseq_method(msg, _):
    c = _first_cseq(msg)
    if c is None:
        return Failure(CSEQ_METHOD)
    if not c.method:
        return Failure(CSEQ_METHOD, 400, "Missing method in CSeq header")
    if c.method != msg.method:
        return Failure(CSEQ_METHOD, 400, "CSeq method does not match request method")
    return None


def _cseq_value(msg, _):
    c = _first_cseq(msg)
    if c is None:
        return Failure(CSEQ_VALUE)
    return _cseq_number(c.number)


def _cseq_number(number):
    if not number:
        return Failure(CSEQ_VALUE, 400, "Missing number in CSeq header")
    if not str2valid_uint(number):
        return Failure(CSEQ_VALUE, 400, "CSeq number is illegal")
    return None


def _cseq_method_value(msg, _):
    """_cseq_method then _cseq_value (a _FUSED pair), reading the CSeq once."""
    try:
        c = msg._first_parsed("cseq")
    except SipParseError:
        c = None
    if c is None:
        return Failure(CSEQ_METHOD)
    m = c.method
    if m != msg.method or not m:
        return _cseq_method(msg, None)
    n = c.number
    if len(n) < 10 and n.isdigit() and n.isascii():
        return None
    return _cseq_number(n)


def _content_length(msg, _):
    try:
        cl = msg._first_parsed("content-length")
    except SipParseError:
        return Failure(CONTENT_LENGTH, 400, "Content-Length Failure")
    if cl is None:
        return None
    if msg.body_start is None:
        return Failure(CONTENT_LENGTH, 400, "Content-Length Body Failure")
    if len(msg.buf) - msg.body_start != cl:
        return Failure(CONTENT_LENGTH, 400, "Content-Length mis-match")
    return None


_WS = " \t\r\n"


def _expires(msg, _):
    pos = msg._idx.get("expires")
    if not pos:
        return None
    t = msg._body_at(pos[0]).strip(_WS)
    if not t:
        return Failure(EXPIRES_VALUE, 400, "Bad Expires Header")
    # parse_expires(): the text stops at the first whitespace after digits
    if len(t) <= 10:
        for i, c in enumerate(t):
            if c in _WS:
                t = t[:i]
                break
            if not c.isdigit():
                break
    if not t:
        return Failure(EXPIRES_VALUE, 400, "Missing number in Expires header")
    if not str2valid_uint(t):
        return Failure(EXPIRES_VALUE, 400, "Expires value is illegal")
    return None


def _proxy_require(msg, supported):
    pos = msg._idx.get("proxy-require")
    if not pos:
        return None
    body = msg._body_at(pos[0]).strip(_WS)
    if not body:
        return Failure(PROXY_REQUIRE, 400, "Bad Proxy Require Header")
    for tok in (x.strip(" \t") for x in body.split(",")):
        if tok not in supported:
            return Failure(PROXY_REQUIRE, 420, "Bad Proxy Require Extension",
                           [f"Unsupported: {tok}\r\n"])
    return None


def _uris_check(checks):
    """The parse_uris check for these uri_checks flags (the R-URI, From, To and Contact URIs parse,
    in that order). The NameAddr caches its URI: the PVs reading it later do not parse again."""
    ruri, contact = checks & URI_RURI, checks & URI_CONTACT
    nameaddrs = tuple((key, reason) for bit, key, reason in (
        (URI_FROM, "from", "Invalid From Header"), (URI_TO, "to", "Ivalid To Header"))   # sic, as Kamailio
        if checks & bit)

    def parse_uris(msg, _):
        if ruri:
            try:
                msg.current_uri
            except SipParseError:
                return Failure(PARSE_URIS, 400, "Bad Request URI")
        idx = msg._idx
        for key, reason in nameaddrs:
            pos = idx.get(key)
            if not pos:
                return Failure(PARSE_URIS)
            if not _sip_uri(msg, pos[0]):
                return Failure(PARSE_URIS, 400, reason)
        if contact:
            for i in idx.get("contact", ()):
                try:
                    p = msg._parsed_at(i)
                except SipParseError:
                    return Failure(PARSE_URIS, 400, "Bad Contact Header")
                if p != "*" and not _sip_uri(msg, i):
                    return Failure(PARSE_URIS, 400, "Bad Contact URI")
        return None
    return parse_uris


def _sip_uri(msg, i):
    """Does header i's (first) name-addr carry a URI that parses as Kamailio's parse_uri() wants
    (no opaque scheme)?"""
    try:
        na = msg._parsed_at(i)
        if type(na) is list:        # Contact: its first value
            na = na[0]
        return not isinstance(na.uri, OpaqueUri)
    except SipParseError:
        return False


def _digest_only(msg, bit):
    """check_digest_only(): every Authorization, then every Proxy-Authorization."""
    idx = msg._idx
    for i in idx.get("authorization", []) + idx.get("proxy-authorization", []):
        try:
            cred = msg._parsed_at(i)
        except SipParseError:
            return Failure(bit, 400, "Bad Auth Header")
        if not cred.is_digest:
            return "n/a"
        why = check_digest(cred)
        if why is not None:
            return Failure(bit, 400, why)
    return None


def _digest(msg, _):
    r = _digest_only(msg, DIGEST)
    return Failure(DIGEST) if r == "n/a" else r


def _authorization(msg, _):
    r = _digest_only(msg, AUTHORIZATION)
    return None if r == "n/a" else r


def _duptags(msg, _):
    for name, reason in (("from", "Many From Tag Params"), ("to", "Many To Tag Params")):
        try:
            na = msg._first_parsed(name)
        except SipParseError:
            return Failure(DUPTAGS)
        if na is None:
            return Failure(DUPTAGS)
        if na.params.count("tag") > 1:
            return Failure(DUPTAGS, 400, reason)
    return None


# Adjacent checks run by one call when a mask enables both (the usual masks do): the pass is
# tested inline, a failure is left to the single check that reports it.

def _ruri_line(msg, _):
    """_ruri_version then _ruri_scheme."""
    if msg.version != "SIP/2.0":
        f = _ruri_version(msg, None)
        if f is not None:
            return f
    return _ruri_scheme(msg, None)


def _required_via1(msg, _):
    """_required then _via1."""
    idx = msg._idx
    f, t, c, s = idx.get("from"), idx.get("to"), idx.get("call-id"), idx.get("cseq")
    if (not (f and t and c and s) or msg.header_error is not None
            or len(f) > 1 or len(t) > 1 or len(c) > 1 or len(s) > 1):
        return _required(msg, None)
    try:
        v = msg._first_parsed("via")
    except SipParseError:
        return Failure(VIA1_HEADER)
    return None if v is not None and v[0].host else Failure(VIA1_HEADER)


def _length_expires(msg, _):
    """_content_length then _expires."""
    f = _content_length(msg, None)
    if f is None and msg._idx.get("expires"):
        return _expires(msg, None)
    return f


_FUSED = {
    (_ruri_version, _ruri_scheme): _ruri_line,
    (_required, _via1): _required_via1,
    (_cseq_method, _cseq_value): _cseq_method_value,
    (_content_length, _expires): _length_expires,
}

# Kamailio's order; None: disabled in Kamailio (always passes), or built per uri_checks (_plan)
_ORDER = [
    (RURI_SIP_VERSION, _ruri_version), (RURI_SCHEME, _ruri_scheme), (REQUIRED_HEADERS, _required),
    (VIA1_HEADER, _via1), (VIA_SIP_VERSION, None), (VIA_PROTOCOL, None),
    (CSEQ_METHOD, _cseq_method), (CSEQ_VALUE, _cseq_value), (CONTENT_LENGTH, _content_length),
    (EXPIRES_VALUE, _expires), (PROXY_REQUIRE, _proxy_require), (PARSE_URIS, None),
    (DIGEST, _digest), (AUTHORIZATION, _authorization), (DUPTAGS, _duptags),
]
