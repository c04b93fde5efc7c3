"""The checks of Kamailio's sanity module (5.6), each with its bit, reply code and reason phrase.

check(msg, msg_checks, uri_checks, proxy_require) runs the checks in Kamailio's order and returns
None when all pass, or a Failure(bit, code, reason, headers): code None means the module fails
without replying (FL_MSG_NOREPLY, "not applicable" digest, duplicate headers). Replies are never
sent for ACK (sanity_reply) -- the caller decides (see probe.py).
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
    if not 1 <= msg_checks < MAX_CHECKS or not 1 <= uri_checks < 16:
        raise ValueError("sanity check flags out of range")
    plan = _PLANS.get(msg_checks)
    if plan is None:
        plan = _PLANS[msg_checks] = [(bit, fn) for bit, fn in _ORDER if msg_checks & bit]
    for bit, fn in plan:
        if bit == PROXY_REQUIRE:
            f = fn(msg, proxy_require)
        elif bit == PARSE_URIS:
            f = fn(msg, uri_checks)
        else:
            f = fn(msg)
        if f is not None:
            return f
    return None


_PLANS = {}     # msg_checks -> the (bit, check) pairs it enables, in _ORDER (at most 2**15 masks)


def _ruri_version(msg):
    v = msg.version
    sl = v.find("/")
    if sl < 0:
        return Failure(RURI_SIP_VERSION)
    if v[sl + 1:] != "2.0":
        return Failure(RURI_SIP_VERSION, 505, "Version Not Supported (R-URI)")
    return None


def _ruri_scheme(msg):
    try:
        msg.current_uri            # parsed once per message (cached while the R-URI is unchanged)
    except SipParseError:
        return Failure(RURI_SCHEME, 400, "Bad Request URI")
    return None


def _required(msg):
    idx = msg._idx
    counts = [len(idx.get(key, ())) for key in ("from", "to", "call-id", "cseq")]
    if 0 in counts:
        return Failure(REQUIRED_HEADERS)
    if msg.header_error is not None:
        return Failure(REQUIRED_HEADERS, 400, "Bad Headers")
    if max(counts) > 1:
        return Failure(REQUIRED_HEADERS)
    return None


def _via1(msg):
    try:
        v = msg.via1
    except SipParseError:
        return Failure(VIA1_HEADER)
    return None if v.host else Failure(VIA1_HEADER)


def _passes(msg):
    return None


def _cseq(msg):
    try:
        return msg.cseq
    except SipParseError:
        return None


def _cseq_method(msg):
    c = _cseq(msg)
    if c is None:
        return Failure(CSEQ_METHOD)
    if not c.method:
        return Failure(CSEQ_METHOD, 400, "Missing method in CSeq header")
    if c.method != msg.method:
        return Failure(CSEQ_METHOD, 400, "CSeq method does not match request method")
    return None


def _cseq_value(msg):
    c = _cseq(msg)
    if c is None:
        return Failure(CSEQ_VALUE)
    if not c.number:
        return Failure(CSEQ_VALUE, 400, "Missing number in CSeq header")
    if not str2valid_uint(c.number):
        return Failure(CSEQ_VALUE, 400, "CSeq number is illegal")
    return None


def _content_length(msg):
    i = msg.first_index("content-length")
    if i is None:
        return None
    try:
        cl = msg._parsed_at(i)
    except SipParseError:
        return Failure(CONTENT_LENGTH, 400, "Content-Length Failure")
    if msg.body_start is None:
        return Failure(CONTENT_LENGTH, 400, "Content-Length Body Failure")
    if len(msg.buf) - msg.body_start != cl:
        return Failure(CONTENT_LENGTH, 400, "Content-Length mis-match")
    return None


_WS = " \t\r\n"


def _expires(msg):
    t = msg.hdr("expires")
    if t is None:
        return None
    t = t.strip(_WS)
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
    h = msg.header("proxy-require")
    if h is None:
        return None
    body = h.body_raw.strip(_WS)
    if not body:
        return Failure(PROXY_REQUIRE, 400, "Bad Proxy Require Header")
    for tok in (x.strip(" \t") for x in body.split(",")):
        if tok not in supported:
            return Failure(PROXY_REQUIRE, 420, "Bad Proxy Require Extension",
                           [f"Unsupported: {tok}\r\n"])
    return None


_NAMEADDR_URIS = ((URI_FROM, "from", "Invalid From Header"), (URI_TO, "to", "Ivalid To Header"))


def _parse_uris(msg, checks):
    if checks & URI_RURI:
        f = _ruri_scheme(msg)
        if f is not None:
            return Failure(PARSE_URIS, f.code, f.reason)
    for bit, name, reason in _NAMEADDR_URIS:
        if checks & bit:
            i = msg.first_index(name)
            if i is None:
                return Failure(PARSE_URIS)
            try:        # the NameAddr caches its URI: the PVs reading it later do not parse again
                ok = not isinstance(msg._parsed_at(i).uri, OpaqueUri)
            except SipParseError:
                ok = False
            if not ok:
                return Failure(PARSE_URIS, 400, reason)
    if checks & URI_CONTACT:
        for h in msg.headers("contact"):
            try:
                p = h.parsed
            except SipParseError:
                return Failure(PARSE_URIS, 400, "Bad Contact Header")
            if p != "*" and not _sip_uri(lambda: p[0]):
                return Failure(PARSE_URIS, 400, "Bad Contact URI")
    return None


def _sip_uri(nameaddr):
    """Does the URI of nameaddr() parse as Kamailio's parse_uri() wants (no opaque scheme)? The
    NameAddr caches it, so the PVs reading it later do not parse it again."""
    try:
        return not isinstance(nameaddr().uri, OpaqueUri)
    except SipParseError:
        return False


def _digest_only(msg, bit):
    """check_digest_only(): every Authorization, then every Proxy-Authorization."""
    hs = msg.headers("authorization") or msg.headers("proxy-authorization")
    if msg.headers("authorization"):
        hs = msg.headers("authorization") + msg.headers("proxy-authorization")
    for h in hs:
        try:
            cred = h.parsed
        except SipParseError:
            return Failure(bit, 400, "Bad Auth Header")
        if not cred.is_digest:
            return "n/a"
        why = check_digest(cred)
        if why is not None:
            return Failure(bit, 400, why)
    return None


def _digest(msg):
    r = _digest_only(msg, DIGEST)
    return Failure(DIGEST) if r == "n/a" else r


def _authorization(msg):
    r = _digest_only(msg, AUTHORIZATION)
    return None if r == "n/a" else r


def _duptags(msg):
    for name, reason in (("from", "Many From Tag Params"), ("to", "Many To Tag Params")):
        h = msg.header(name)
        try:
            na = h.parsed if h is not None else None
        except SipParseError:
            return Failure(DUPTAGS)
        if na is None:
            return Failure(DUPTAGS)
        if na.params.count("tag") > 1:
            return Failure(DUPTAGS, 400, reason)
    return None


_ORDER = [
    (RURI_SIP_VERSION, _ruri_version), (RURI_SCHEME, _ruri_scheme), (REQUIRED_HEADERS, _required),
    (VIA1_HEADER, _via1), (VIA_SIP_VERSION, _passes), (VIA_PROTOCOL, _passes),
    (CSEQ_METHOD, _cseq_method), (CSEQ_VALUE, _cseq_value), (CONTENT_LENGTH, _content_length),
    (EXPIRES_VALUE, _expires), (PROXY_REQUIRE, _proxy_require), (PARSE_URIS, _parse_uris),
    (DIGEST, _digest), (AUTHORIZATION, _authorization), (DUPTAGS, _duptags),
]
