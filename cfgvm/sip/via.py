"""Via header bodies (RFC 3261 §20.42), as Kamailio's parse_via() accepts them.

via-parm = sent-protocol LWS sent-by *( SEMI via-params ) [ comment ]
sent-protocol = "SIP" "/" "2.0" "/" transport   (LWS allowed around each "/")
A header may hold several via-parms separated by commas; an empty one (",,") or an empty
parameter (";;") is an error, as in Kamailio.
"""
import re

from .errors import SipParseError
from .params import Params, parse_params, plain_params, split_unquoted

_PROTO_RE = re.compile(r"[ \t\r\n]*(SIP)[ \t\r\n]*/[ \t\r\n]*([^ \t\r\n/]+)[ \t\r\n]*/[ \t\r\n]*"
                       r"([^ \t\r\n/;,]+)[ \t\r\n]+", re.I)
_HOSTPORT_RE = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-_.]+)(?:[ \t]*:[ \t]*([0-9]{1,5}))?")
TRANSPORTS = ("UDP", "TCP", "TLS", "SCTP", "WS", "WSS")
# The usual via-parm in one match: no line breaks, no comment, no quotes, SIP/2.0, hostname or IPv6
# reference, params with non-empty values. What it accepts _parse_one's exact steps accept alike.
_PLAIN_VIA_RE = re.compile(
    r"([ \t]*)(SIP)[ \t]*/[ \t]*(2\.0)[ \t]*/[ \t]*([^ \t\r\n/;,()\"<>]+)[ \t]+"
    r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-_.]+)(?:[ \t]*:[ \t]*([0-9]{1,5}))?"
    r"(?:[ \t]*;((?:[ \t]*[^ \t\r\n\"<>,;:@=()]+[ \t]*(?:=[ \t]*[^; \t\r\n\"<>()][^;\r\n\"<>()]*)?)"
    r"(?:;[ \t]*[^ \t\r\n\"<>,;:@=()]+[ \t]*(?:=[ \t]*[^; \t\r\n\"<>()][^;\r\n\"<>()]*)?)*))?[ \t]*",
    re.I)


class ViaBody:
    """One via-parm. Offsets (start, end, params_end) are relative to the header body text."""
    __slots__ = ("raw", "start", "end", "params_end", "name", "version", "transport", "host", "port",
                 "params", "params_str", "comment")

    @property
    def port_no(self):
        return int(self.port) if self.port else None

    @property
    def branch(self):
        return self.params.get("branch")

    @property
    def received(self):
        return self.params.get("received")

    @property
    def rport(self):
        """None when absent, "" for a bare ;rport, else its value."""
        v = self.params.get("rport", False)
        if v is False:
            return None
        return v if v is not None else ""

    @property
    def has_rport(self):
        return self.params.has("rport")

    @property
    def maddr(self):
        return self.params.get("maddr")

    @property
    def ttl(self):
        return self.params.get("ttl")

    @property
    def i(self):
        return self.params.get("i")

    @property
    def alias(self):
        return self.params.has("alias")

    @property
    def proto(self):
        """Transport in lower case (udp, tcp, tls, sctp, ws, wss or as written)."""
        return self.transport.lower()

    @property
    def sent_by(self):
        return self.host + (":" + self.port if self.port else "")

    def __repr__(self):
        return f"<Via {self.raw!r}>"


# A subset of _PLAIN_VIA_RE's shapes (no blanks but the one after the transport, upper-case SIP/2.0,
# plain param values) that a simpler pattern matches several times faster: the usual Via. What it
# does not match goes through _PLAIN_VIA_RE, then the exact steps.
_USUAL_VIA_RE = re.compile(r"SIP/2\.0/([A-Za-z0-9]+) (\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-_.]+)(?::([0-9]{1,5}))?"
                           r"(;[^; \t\r\n\"<>,:@=()]+(?:=[^; \t\r\n\"<>()]+)?)*")


def parse_via(body):
    """Header body -> [ViaBody, ...]."""
    if "," not in body:
        m = _USUAL_VIA_RE.fullmatch(body)
        if m is not None and (m.group(3) is None or len(m.group(3)) < 5 or m.group(3) <= "65535"):
            return [_usual(body, m)]
    out = []
    pos = 0
    for part in split_unquoted(body, ","):
        start = pos
        pos += len(part) + 1
        if not part.strip(" \t\r\n"):
            raise SipParseError("Via", "empty via value (stray comma)")
        out.append(_parse_one(part, start))
    return out


def _usual(text, m):
    """The ViaBody _parse_one gives for a via-parm _USUAL_VIA_RE matched whole (at offset 0)."""
    v = ViaBody()
    v.transport, v.host, port = m.group(1, 2, 3)
    v.name, v.version, v.port, v.comment = "SIP", "2.0", port or "", None
    p = m.end(3) if port is not None else m.end(2)
    if p < len(text):                   # ";params" up to the end
        v.params_str = params = text[p + 1:]
        v.params = plain_params(params)
    else:
        v.params_str = ""
        v.params = Params()
    v.raw = text
    v.start = 0
    v.params_end = v.end = len(text)
    return v


def _parse_one(text, base):
    m = _PLAIN_VIA_RE.fullmatch(text)
    if m is not None:
        lead, name, version, transport, host, port, params = m.groups()
        if port is None:
            port = ""
        elif len(port) == 5 and port > "65535":     # same-length digit strings compare as numbers
            return _parse_one_exact(text, base)
        v = ViaBody()
        v.name, v.version, v.transport, v.host, v.port = name, version, transport, host, port
        v.comment = None
        end = len(text.rstrip(" \t"))
        if params is not None:
            v.params_str = params = params.rstrip(" \t")
            v.params = plain_params(params)         # the match checked them
        else:
            v.params_str = ""
            v.params = Params()
        lstrip = len(lead)
        v.raw = text[lstrip:end]
        v.start = base + lstrip
        v.params_end = v.end = base + end
        return v
    return _parse_one_exact(text, base)


def _parse_one_exact(text, base):
    v = ViaBody()
    m = _PROTO_RE.match(text)
    if m is None:
        raise SipParseError("Via", f"bad sent-protocol in {text[:40]!r}")
    v.name, v.version, v.transport = m.group(1), m.group(2), m.group(3)
    if v.version != "2.0":
        raise SipParseError("Via", f"unsupported version {v.version!r}", 505)
    p = m.end()
    hm = _HOSTPORT_RE.match(text, p)
    if hm is None:
        raise SipParseError("Via", f"bad sent-by in {text[:40]!r}")
    v.host, v.port = hm.group(1), hm.group(2) or ""
    if v.port and int(v.port) > 65535:
        raise SipParseError("Via", "port out of range")
    p = hm.end()
    # comment at the end: "(...)"
    v.comment = None
    rest = text[p:]
    stripped_end = len(text.rstrip(" \t\r\n"))
    if rest.rstrip(" \t\r\n").endswith(")"):
        o = text.rfind("(", p)
        if o < 0:
            raise SipParseError("Via", "unbalanced comment")
        v.comment = text[o + 1:stripped_end - 1]
        stripped_end = len(text[:o].rstrip(" \t\r\n"))
    tail = text[p:stripped_end]
    lead = tail.lstrip(" \t\r\n")
    if lead:
        if lead[0] != ";":
            raise SipParseError("Via", f"unexpected {lead[:20]!r} after sent-by")
        v.params_str = lead[1:]
        v.params = parse_params(v.params_str, "Via params")
        for k, val in v.params:
            if val == "":
                raise SipParseError("Via", f"empty value for parameter {k!r}")
    else:
        v.params_str = ""
        v.params = parse_params("", "Via params", allow_empty=True)
    lstrip = len(text) - len(text.lstrip(" \t\r\n"))
    v.raw = text[lstrip:len(text.rstrip(" \t\r\n"))]
    v.start = base + lstrip
    v.params_end = base + stripped_end
    v.end = base + len(text.rstrip(" \t\r\n"))
    return v
