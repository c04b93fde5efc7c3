"""multipart/* bodies (RFC 2046 §5.1): parts with their own headers and bodies."""
from .errors import SipParseError


class Part:
    __slots__ = ("headers", "body")

    def __init__(self, headers, body):
        self.headers, self.body = headers, body   # [(name, value)], str

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    @property
    def content_type(self):
        from .headers import parse_content_type
        v = self.header("content-type")
        return parse_content_type(v) if v is not None else None


def parse_multipart(body, boundary):
    if not boundary:
        raise SipParseError("multipart", "no boundary")
    boundary = boundary.strip('"')
    delim = "--" + boundary
    chunks = body.split(delim)
    if len(chunks) < 3:
        raise SipParseError("multipart", "boundary not found")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith("--"):
            break                       # close delimiter
        if chunk.startswith("\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith("\n"):
            chunk = chunk[1:]
        head, sep, pbody = chunk.partition("\r\n\r\n")
        if not sep:
            head, sep, pbody = chunk.partition("\n\n")
        if head.startswith("\r\n") or head == "":
            head = ""
        hdrs = []
        for line in head.replace("\r\n", "\n").split("\n"):
            if not line:
                continue
            n, c, v = line.partition(":")
            if not c:
                raise SipParseError("multipart", f"bad part header {line[:30]!r}")
            hdrs.append((n.strip(), v.strip()))
        if pbody.endswith("\r\n"):
            pbody = pbody[:-2]
        elif pbody.endswith("\n"):
            pbody = pbody[:-1]
        parts.append(Part(hdrs, pbody))
    return parts
