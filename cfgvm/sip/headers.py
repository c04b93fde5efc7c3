"""Per-header body parsers. parse_body(key, body) dispatches on the header key (hdrnames.key_of).

Each parser raises SipParseError for a body Kamailio's parser would refuse; headers with no parser
here are returned as their text.
"""
import re

from .errors import SipParseError
from .params import parse_params, Params
from . import via, nameaddr, auth

_WS = " \t\r\n"


class CSeq:
    __slots__ = ("number", "method")

    def __init__(self, number, method):
        self.number, self.method = number, method   # both text, as received

    @property
    def value(self):
        return int(self.number)

    def __repr__(self):
        return f"CSeq({self.number} {self.method})"


def parse_cseq(body):
    """CSeq = number LWS method (Kamailio's parse_cseq: no line folding between them)."""
    parts = body.split(None, 2) if "\n" not in body else None
    if parts is None or len(parts) != 2:
        raise SipParseError("CSeq", f"bad CSeq {body[:40]!r}")
    return CSeq(parts[0], parts[1])


def parse_uint(body, where):
    t = body.strip(_WS)
    if not t.isdigit() or not t.isascii():
        raise SipParseError(where, f"not a number: {t[:20]!r}")
    return int(t)


def parse_content_length(body):
    """Digits only (LWS around); Kamailio refuses values >= 2**31/10 digits."""
    v = parse_uint(body, "Content-Length")
    if v >= 2 ** 31 // 10 * 10:
        raise SipParseError("Content-Length", "value too large")
    return v


def parse_max_forwards(body):
    v = parse_uint(body, "Max-Forwards")
    if v > 255:
        raise SipParseError("Max-Forwards", "value over 255")
    return v


class MediaType:
    __slots__ = ("type", "subtype", "params")

    def __init__(self, type_, subtype, params):
        self.type, self.subtype, self.params = type_, subtype, params

    @property
    def mime(self):
        return f"{self.type}/{self.subtype}".lower()

    def __repr__(self):
        return f"MediaType({self.mime})"


_MT_RE = re.compile(r"[ \t\r\n]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t\r\n]*/[ \t\r\n]*"
                    r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t\r\n]*")


def parse_content_type(body):
    m = _MT_RE.match(body)
    if m is None:
        raise SipParseError("Content-Type", f"bad media type {body[:40]!r}")
    rest = body[m.end():].strip(_WS)
    params = Params()
    if rest:
        if rest[0] != ";":
            raise SipParseError("Content-Type", "junk after media type")
        params = parse_params(rest[1:], "Content-Type params")
    return MediaType(m.group(1), m.group(2), params)


class Event:
    __slots__ = ("name", "params")

    def __init__(self, name, params):
        self.name, self.params = name, params

    @property
    def id(self):
        return self.params.get("id")


def parse_event(body):
    t = body.strip(_WS)
    name, _, rest = t.partition(";")
    name = name.strip(_WS)
    if not name:
        raise SipParseError("Event", "empty event")
    return Event(name, parse_params(rest, "Event params") if rest.strip(_WS) else Params())


def parse_token_list(body):
    """Supported / Require / Proxy-Require / Allow / Unsupported / Privacy: list of tokens."""
    items = [x.strip(_WS) for x in body.split(",")]
    if any(not x for x in items):
        raise SipParseError("token list", "empty element")
    return items


def parse_privacy(body):
    items = [x.strip(_WS) for x in re.split(r"[;,]", body)]
    if any(not x for x in items):
        raise SipParseError("Privacy", "empty element")
    return items


def parse_expires(body):
    """Expires: delta-seconds (the text is kept for sanity's checks)."""
    return parse_uint(body, "Expires")


def parse_callid(body):
    t = body.strip(_WS)
    if not t:
        raise SipParseError("Call-ID", "empty")
    return t


# header key -> parser, declared once
PARSERS = {
    "via": via.parse_via,
    "from": nameaddr.parse_nameaddr,
    "to": nameaddr.parse_nameaddr,
    "refer-to": nameaddr.parse_nameaddr,
    "referred-by": nameaddr.parse_nameaddr,
    "contact": nameaddr.parse_contact,
    "route": nameaddr.parse_nameaddr_list,
    "record-route": nameaddr.parse_nameaddr_list,
    "path": nameaddr.parse_nameaddr_list,
    "p-asserted-identity": nameaddr.parse_nameaddr_list,
    "p-preferred-identity": nameaddr.parse_nameaddr_list,
    "diversion": nameaddr.parse_nameaddr_list,
    "remote-party-id": nameaddr.parse_nameaddr_list,
    "call-id": parse_callid,
    "cseq": parse_cseq,
    "max-forwards": parse_max_forwards,
    "content-length": parse_content_length,
    "content-type": parse_content_type,
    "expires": parse_expires,
    "min-expires": parse_expires,
    "event": parse_event,
    "supported": parse_token_list,
    "require": parse_token_list,
    "proxy-require": parse_token_list,
    "unsupported": parse_token_list,
    "allow": parse_token_list,
    "privacy": parse_privacy,
    "authorization": auth.parse_credentials,
    "proxy-authorization": auth.parse_credentials,
    "www-authenticate": auth.parse_challenge,
    "proxy-authenticate": auth.parse_challenge,
}


def parse_body(key, body):
    f = PARSERS.get(key)
    return f(body) if f is not None else body
