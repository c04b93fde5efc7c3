"""SDP bodies (RFC 4566): session-level lines and media sections with c=, m=, a= (rtpmap etc.)."""
from .errors import SipParseError


class Media:
    __slots__ = ("type", "port", "proto", "formats", "lines", "connection", "attributes")

    def __init__(self, type_, port, proto, formats):
        self.type, self.port, self.proto, self.formats = type_, port, proto, formats
        self.lines = []          # (letter, value) in order, the m= line excluded
        self.connection = None   # (nettype, addrtype, address) of this section's c=
        self.attributes = []     # (name, value-or-None)

    def attr(self, name):
        return [v for k, v in self.attributes if k == name]

    @property
    def rtpmap(self):
        """payload type (str) -> encoding text ('PCMU/8000')."""
        out = {}
        for v in self.attr("rtpmap"):
            pt, _, enc = (v or "").partition(" ")
            out[pt] = enc.strip()
        return out


class Sdp:
    __slots__ = ("lines", "connection", "attributes", "media", "origin")

    def __init__(self):
        self.lines, self.connection, self.attributes, self.media, self.origin = [], None, [], [], None

    def attr(self, name):
        return [v for k, v in self.attributes if k == name]


def parse_sdp(text):
    sdp = Sdp()
    cur = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip("\r")
        if not line:
            continue
        if len(line) < 2 or line[1] != "=":
            raise SipParseError("SDP", f"bad line {line[:30]!r}")
        k, v = line[0], line[2:]
        if k == "m":
            f = v.split()
            if len(f) < 3:
                raise SipParseError("SDP", f"bad m= line {v[:30]!r}")
            cur = Media(f[0], f[1], f[2], f[3:])
            sdp.media.append(cur)
            continue
        target = cur if cur is not None else sdp
        target.lines.append((k, v))
        if k == "c":
            f = v.split()
            if len(f) != 3:
                raise SipParseError("SDP", f"bad c= line {v[:30]!r}")
            target.connection = tuple(f)
        elif k == "a":
            n, sep, val = v.partition(":")
            target.attributes.append((n, val if sep else None))
        elif k == "o" and cur is None:
            sdp.origin = v.split()
    if not sdp.lines or sdp.lines[0][0] != "v":
        raise SipParseError("SDP", "does not start with v=")
    return sdp
