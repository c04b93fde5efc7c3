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


# ---- Kamailio's line scanners over a multipart body (textops + msg_translator.c) ----------------
# They work on the received text with CRLF line ends only (a CR not followed by LF, or no CR left,
# ends the scan), and match a part's Content-Type by prefix, as the C helpers do.
import re as _re

_CT_NAME = _re.compile(r"(?:content-type|c)[ \t]*:", _re.IGNORECASE)
_CT_HNAME_LEN = 14       # len("Content-Type: "): how far find_hdr_line_start() looks for the name


def _next_line(text, p, end):
    """Start of the line after p, or None (no CR in [p, end-1), or CR without LF)."""
    ch = text.find("\r", p, end - 1)
    if ch < 0 or text[ch + 1:ch + 2] != "\n":
        return None
    return ch + 2


def find_ct_line(text, p, end):
    """find_hdr_line_start("Content-Type: "): (line start, value start) of the next Content-Type
    (or compact c:) header line at or after p, or None."""
    while _CT_HNAME_LEN <= end - p:
        m = _CT_NAME.match(text, p, p + _CT_HNAME_LEN)
        if m:
            v = m.end()
            while v < end and text[v] in " \t":
                v += 1
            return None if v == end else (p, v)
        p = _next_line(text, p, end)
        if p is None:
            return None
    return None


def find_line_start(text, prefix, p, end):
    """find_line_start(): offset of the next line (from p) that starts with prefix, or None."""
    while len(prefix) <= end - p:
        if text.startswith(prefix, p):
            return p
        p = _next_line(text, p, end)
        if p is None:
            return None
    return None


def line_len(text, p, end):
    """msg_translator.c get_line(): length of the line at p with its CRLF (the rest when no CR,
    0 when a CR is not followed by LF)."""
    ch = text.find("\r", p, end)
    if ch < 0:
        return end - p
    return ch - p + 2 if text[ch + 1:ch + 2] == "\n" else 0


def ct_boundary(ct_body):
    """get_boundary(): "--" + the boundary parameter of a Content-Type value; "" when it has
    parameters but no boundary; None when it has no parameters (Kamailio's -2)."""
    if ct_body is None:
        return None
    i = ct_body.find(";")
    if i < 0:
        return None
    for param in ct_body[i + 1:].split(";"):
        name, _, value = param.partition("=")
        if name.strip(" \t\r\n").lower() == "boundary":
            value = value.strip(" \t\r\n")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            return "--" + value
    return ""


def mixed_part_delimiter(ct_body):
    """get_mixed_part_delimiter(): the boundary when it is the first parameter (everything after
    `boundary=` to the end of the value, one pair of quotes removed), else None."""
    if ct_body is None:
        return None
    i = ct_body.find(";")
    if i < 0:
        return None
    m = _re.match(r"[ \t]*boundary[ \t]*=[ \t]*", ct_body[i + 1:], _re.IGNORECASE)
    if not m:
        return None
    d = ct_body[i + 1 + m.end():]
    if d[:1] in ('"', "'"):
        if len(d) < 2 or d[-1] != d[0] or len(d) <= 2:
            return None
        d = d[1:-1]
    return d or None


def part_block(delimiter, ctype, text, disposition="", initial=False):
    """generate_boundary(): [--delim CRLF] Content-Type [Content-Disposition] CRLF text [CRLF]
    --delim CRLF (the text gets a CRLF unless it already ends with an empty line)."""
    out = [f"--{delimiter}\r\n"] if initial else []
    out.append(f"Content-Type: {ctype}\r\n")
    if disposition:
        out.append(f"Content-Disposition: {disposition}\r\n")
    out += ["\r\n", text]
    if not text.endswith("\r\n\r\n"):
        out.append("\r\n")
    out.append(f"--{delimiter}\r\n")
    return "".join(out)


def fix_boundaries(body, boundary):
    """check_boundaries(): the body rebuilt from its first boundary line with every middle
    delimiter line made exactly `boundary CRLF` and the last one replaced by `boundary--CRLF`
    (preamble and epilogue dropped). None when fewer than two boundary lines are found.
    boundary: "--" + the Content-Type's boundary."""
    n = len(body)
    found, p, t = [], 0, n
    while t > 0:
        q = find_line_start(body, boundary, p, n)
        if q is None:
            break
        found.append(q)
        p, t = q + len(boundary), t - len(boundary)
    if len(found) < 2 or not boundary:
        return None
    mid, last = boundary + "\r\n", boundary + "--\r\n"
    out = []
    for here, nxt in zip(found, found[1:]):
        ln = line_len(body, here, n)
        if body[here:here + ln] != mid:
            out += [mid, body[here + ln:nxt]]
        else:
            out.append(body[here:nxt])
    # Kamailio tests the *first* boundary line for the closing form (msg_translator.c)
    first = found[0]
    if body[first:first + line_len(body, first, n)] != last:
        out.append(last)
    else:
        out.append(body[first:])
    return "".join(out)


def check_boundaries(msg):
    """build_req_buf_from_sip_req()'s check_boundaries() for a request whose body a textops
    multipart function changed (msg.body_multipart, Kamailio's FL_BODY_MULTIPART): the body with
    its lumps is rebuilt by fix_boundaries() and replaces the body lumps; the flag is cleared.
    The boundary comes from the received Content-Type: a body just turned multipart keeps its
    bare last delimiter (no boundary there yet), as in Kamailio."""
    from .lumps import _process, _SendEnv
    hf = msg.header("content-type")
    b = ct_boundary(hf.body_raw if hf is not None else None)
    if b is None or msg.body_start is None:
        return
    out = []
    s = _process(msg.text, msg.lumps.body, out, msg.body_start, _SendEnv(None, None, None, None))
    out.append(msg.text[s:])
    new = fix_boundaries("".join(out), b)
    if new is None:
        return
    msg.lumps.body = []
    msg.lumps.replace_body(new)
    msg.body_multipart = False
