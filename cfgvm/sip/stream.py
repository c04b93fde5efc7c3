"""Framing SIP messages in a byte stream (TCP/TLS/WS): headers up to the empty line, then
Content-Length bytes of body (RFC 3261 §18.3). Keep-alive CRLFs between messages are skipped."""
from .errors import SipParseError
from .message import MAX_MESSAGE
import re

_CL_RE = re.compile(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*\r?$")


def split_stream(data):
    """bytes -> ([message bytes, ...], rest not yet complete)."""
    out = []
    pos = 0
    n = len(data)
    while pos < n:
        while pos < n and data[pos] in b"\r\n":
            pos += 1
        if pos >= n:
            break
        e = data.find(b"\r\n\r\n", pos)
        sep = 4
        e2 = data.find(b"\n\n", pos)
        if e < 0 or (0 <= e2 < e):
            e, sep = e2, 2
        if e < 0:
            if n - pos > MAX_MESSAGE:
                raise SipParseError("stream", "headers exceed the maximum message size", "drop")
            break
        m = _CL_RE.search(data, pos, e + 2)
        # no Content-Length (RFC 3261 requires one on streams): take it as an empty body
        end = e + sep + (int(m.group(1)) if m is not None else 0)
        if end - pos > MAX_MESSAGE:
            raise SipParseError("stream", "message exceeds the maximum size", "drop")
        if end > n:
            break
        out.append(data[pos:end])
        pos = end
    return out, data[pos:]
