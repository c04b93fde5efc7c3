"""A minimal SIP/tel URI, parameter-list and name-addr splitter for the transformations
(cfgvm/sip is being written elsewhere; swap to it when it lands).  Latin-1 text in and out."""
from __future__ import annotations

from dataclasses import dataclass, field

SCHEMES = ("sip", "sips", "tel", "tels", "urn")


@dataclass
class Uri:
    scheme: str = ""
    user: str = ""
    passwd: str = ""
    host: str = ""
    port: str = ""
    params: str = ""            # after the first ';' of hostport, up to '?'
    headers: str = ""
    plist: list = field(default_factory=list)   # [(name, value)] of params, in order


def parse_params(text: str, sep: str = ";") -> list[tuple[str, str]] | None:
    """name[=value] items split on sep (quoted values may contain sep); names/values trimmed."""
    out = []
    i = 0
    n = len(text)
    while i <= n:
        j = i
        quoted = False
        while j < n and (quoted or (text[j] != sep and text[j] != ",")):
            if text[j] == '"':
                quoted = not quoted
            j += 1
        item = text[i:j]
        name, eq, value = item.partition("=")
        name = name.strip(" \t\r\n")
        value = value.strip(" \t\r\n")
        if not name and (eq or item.strip()):
            return None
        if name:
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            out.append((name, value))
        elif j >= n and i < n:
            return None
        i = j + 1
        if j >= n or text[j] == ",":   # a comma ends a parameter list (header lists)
            break
    return out


def parse_uri(text: str) -> Uri | None:
    scheme, colon, rest = text.partition(":")
    if not colon or scheme.lower() not in SCHEMES:
        return None
    u = Uri(scheme=scheme)
    rest, q, u.headers = rest.partition("?")
    if scheme.lower() in ("tel", "tels"):
        user, semi, params = rest.partition(";")
        if not user:
            return None
        u.user = user           # tel parameters are not URI params for Kamailio (uri.params is "")
    else:
        at = rest.rfind("@")
        if at >= 0:
            userinfo, rest = rest[:at], rest[at + 1:]
            u.user, _, u.passwd = userinfo.partition(":")
        hostport, semi, u.params = rest.partition(";")
        if hostport.startswith("["):
            end = hostport.find("]")
            if end < 0:
                return None
            u.host, tail = hostport[:end + 1], hostport[end + 1:]
            if tail and not tail.startswith(":"):
                return None
            u.port = tail[1:]
        else:
            u.host, _, u.port = hostport.partition(":")
        if not u.host:
            return None
        if u.port and not (u.port.isdigit() and int(u.port) <= 65535):
            return None
        if ":" in u.port:
            return None
    if u.params:
        pl = parse_params(u.params)
        if pl is None:
            return None
        u.plist = pl
    return u


def uri_param(u: Uri, name: str) -> str | None:
    for n, v in u.plist:
        if n.lower() == name.lower():
            return v
    return None


@dataclass
class NameAddr:
    name: str
    uri: str
    length: int          # from the start up to and including '>'
    rest: str            # text after '>'


def parse_nameaddr(text: str) -> NameAddr | None:
    """'"Display" <uri>;params' or 'Display <uri>'; None when there is no '<...>'."""
    lt = -1
    quoted = False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == "<" and not quoted:
            lt = i
            break
    if lt < 0:
        return None
    gt = text.find(">", lt)
    if gt < 0:
        return None
    name = text[:lt].lstrip(" \t")        # Kamailio keeps the blank before '<'
    return NameAddr(name, text[lt + 1:gt], gt + 1, text[gt + 1:])
