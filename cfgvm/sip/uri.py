"""SIP/SIPS/TEL/URN URIs as Kamailio's parse_uri() sees them (RFC 3261 §19.1, RFC 3966, RFC 5118).

Parts point into the original text and stay escaped, as in Kamailio ($rU returns "%41lice" as sent);
unescape() decodes %HH when a caller needs the value. Unknown schemes are kept as an OpaqueUri
(parse_uri(..., opaque_ok=True)); Kamailio itself refuses them, so the default is to raise.
"""
import re

from .errors import SipParseError
from .params import Params, parse_params

# scheme -> default port; "tel"/"urn" carry no host
SCHEMES = {"sip": 5060, "sips": 5061, "tel": None, "tels": None, "urn": None}
_HEX = "0123456789abcdefABCDEF"
# Kamailio: a host name starts alphanumeric, then alphanumerics, "." and "-"
_HOST_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*")
# The usual sip:/sips: URI in one match: user without password, [ or ], a host name or IPv4, a port
# of at most 5 digits; no blanks anywhere. parse_uri's exact steps give the same parts for it.
_PLAIN_SIP_RE = re.compile(r"((?i:sips?)):(?:([^@:\[\] \t\r\n]+)@)?([A-Za-z0-9][A-Za-z0-9.\-]*)"
                           r"(?::([0-9]{1,5}))?(?:;([^? \t\r\n]*))?(?:\?([^ \t\r\n]*))?")


def unescape(text):
    """%HH -> the byte (latin-1 char); a broken escape is kept literally."""
    if "%" not in text:
        return text
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "%" and i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
            out.append(chr(int(text[i + 1:i + 3], 16)))
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


# RFC 3261 user = 1*( unreserved / escaped / user-unreserved )
_USER_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()&=+$,;?/")
# RFC 3261 param-unreserved + unreserved
_PARAM_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()[]/:&+$")


def escape_user(text):
    """Escape a value for the user part of a SIP URI (RFC 3261 §19.1.2)."""
    return "".join(c if c in _USER_OK else "%%%02X" % (ord(c) & 0xFF) for c in text)


def escape_param(text):
    """Escape a value for a URI parameter (RFC 3261 §19.1.2)."""
    return "".join(c if c in _PARAM_OK else "%%%02X" % (ord(c) & 0xFF) for c in text)


class OpaqueUri:
    """A URI of a scheme the core does not interpret (e.g. soap.beep:, http:); kept as text."""
    __slots__ = ("raw", "scheme", "rest")

    def __init__(self, raw, scheme, rest):
        self.raw, self.scheme, self.rest = raw, scheme, rest

    def __str__(self):
        return self.raw

    def __repr__(self):
        return f"OpaqueUri({self.raw!r})"


class SipUri:
    """A parsed sip:/sips:/tel:/urn: URI. Text parts are str (latin-1), as sent (escaped)."""
    __slots__ = ("raw", "scheme", "user", "password", "host", "port", "params_str", "headers_str",
                 "_params")

    def __init__(self, raw, scheme, user, password, host, port, params_str, headers_str):
        self.raw = raw
        self.scheme = scheme          # lower case: sip, sips, tel, tels, urn
        self.user = user              # "" when absent
        self.password = password      # None when absent
        self.host = host              # IPv6 references keep their brackets
        self.port = port              # port text ("" when absent)
        self.params_str = params_str  # after the first ';' of the host part, without it
        self.headers_str = headers_str  # after '?', without it
        self._params = None

    def __str__(self):
        return self.raw

    def __repr__(self):
        return f"SipUri({self.raw!r})"

    def __eq__(self, other):
        return isinstance(other, SipUri) and self.raw == other.raw

    def __hash__(self):
        return hash(self.raw)

    @property
    def params(self):
        if self._params is None:
            self._params = parse_params(self.params_str, "uri params", allow_empty=True) \
                if self.params_str else Params()
        return self._params

    @property
    def port_no(self):
        """Port as int; None when the URI has none (use default_port)."""
        return int(self.port) if self.port else None

    @property
    def default_port(self):
        d = SCHEMES.get(self.scheme) or 5060
        if self.transport.lower() == "tls":
            return 5061
        return d

    @property
    def transport(self):
        return self.params.get("transport") or ""

    @property
    def lr(self):
        return self.params.has("lr")

    @property
    def maddr(self):
        return self.params.get("maddr")

    @property
    def ttl(self):
        return self.params.get("ttl")

    @property
    def method(self):
        return self.params.get("method")

    @property
    def user_param(self):
        return self.params.get("user")

    @property
    def user_unescaped(self):
        return unescape(self.user)

    @property
    def host_noport_brackets(self):
        """Host without IPv6 brackets (Kamailio's $rd keeps them; this is for address use)."""
        h = self.host
        return h[1:-1] if h.startswith("[") and h.endswith("]") else h

    def replace(self, **parts):
        """A new SipUri with some parts replaced (user, password, host, port, params_str,
        headers_str); this is how R-URI rewrites ($rU, $rd, $rp) build the new URI."""
        v = {k: getattr(self, k) for k in ("scheme", "user", "password", "host", "port",
                                            "params_str", "headers_str")}
        v.update(parts)
        return parse_uri(build_uri(**v))


def build_uri(scheme, user="", password=None, host="", port="", params_str="", headers_str=""):
    """Assemble URI text from its parts (scheme:user[:password]@host[:port][;params][?headers])."""
    s = [scheme, ":"]
    if scheme in ("tel", "tels", "urn"):
        s.append(user)
    else:
        if user:
            s.append(user)
            if password is not None:
                s += [":", password]
            s.append("@")
        s.append(host)
        if port:
            s += [":", str(port)]
    if params_str:
        s += [";", params_str]
    if headers_str:
        s += ["?", headers_str]
    return "".join(s)


def parse_uri(text, opaque_ok=False, where="uri"):
    """Parse a URI. Raises SipParseError where Kamailio's parse_uri() fails."""
    m = _PLAIN_SIP_RE.fullmatch(text)
    if m is not None:
        scheme, user, host, port, params, headers = m.groups()
        # '@' further on makes everything before the first one the user part; a port over 65535
        # is refused: both for the exact steps below
        if (user is not None or "@" not in text) and (port is None or len(port) < 5 or port <= "65535"):
            return SipUri(text, scheme.lower(), user or "", None, host, port or "", params or "",
                          headers or "")
    n = len(text)
    colon = text.find(":")
    if n < 5 or colon <= 0:
        if opaque_ok and colon > 0:
            return OpaqueUri(text, text[:colon].lower(), text[colon + 1:])
        raise SipParseError(where, f"bad or too short URI {text[:40]!r}")
    scheme = text[:colon].lower()
    if scheme not in SCHEMES:
        if opaque_ok and _is_scheme(scheme):
            return OpaqueUri(text, scheme, text[colon + 1:])
        raise SipParseError(where, f"unsupported URI scheme {text[:colon]!r}")
    rest = text[colon + 1:]
    for ch in " \t\r\n":
        if ch in rest:
            raise SipParseError(where, "whitespace inside URI")
    if scheme in ("tel", "tels", "urn"):
        num, params, headers = _split_tail(rest, 0)
        if not num:
            raise SipParseError(where, f"empty {scheme} URI")
        return SipUri(text, scheme, num, None, "", "", params, headers)
    user, password = "", None
    at = rest.find("@")
    if at >= 0:
        userinfo = rest[:at]
        if not userinfo:
            raise SipParseError(where, "empty user part before '@'")
        c = userinfo.find(":")
        if c >= 0:
            user, password = userinfo[:c], userinfo[c + 1:]
        else:
            user = userinfo
        hostpart = rest[at + 1:]
    else:
        hostpart = rest
    if password is not None:
        # Kamailio reads user:password as host:port until '@' shows up: an all-digit password
        # over 65535 or one holding [ ] : is refused
        if any(c in "[]:" for c in password) or (password.isdigit() and password.isascii()
                                                  and int(password) > 65535):
            raise SipParseError(where, "bad password/port before '@'")
    if hostpart.startswith("["):
        close = hostpart.find("]")
        if close < 0:
            raise SipParseError(where, "unterminated IPv6 reference")
        host = hostpart[:close + 1]
        if any(c in "[&@;?" for c in host[1:-1]) or not host[1:-1]:
            raise SipParseError(where, f"bad IPv6 reference {host!r}")
        i = close + 1
    else:
        hm = _HOST_RE.match(hostpart)
        if hm is None:
            raise SipParseError(where, "empty or bad host")
        i = hm.end()
        if i < len(hostpart) and hostpart[i] not in ":;?":
            raise SipParseError(where, f"bad character {hostpart[i]!r} in host")
        host = hostpart[:i]
    port = ""
    if i < len(hostpart) and hostpart[i] == ":":
        j = i + 1
        while j < len(hostpart) and hostpart[j] not in ";?":
            j += 1
        port = hostpart[i + 1:j]
        if not port.isdigit() or not port.isascii() or len(port) > 5 or int(port) > 65535:
            raise SipParseError(where, f"bad port {port[:20]!r}")
        i = j
    elif i < len(hostpart) and hostpart[i] not in ";?":
        raise SipParseError(where, f"unexpected {hostpart[i]!r} after host")
    _, params, headers = _split_tail(hostpart, i)
    return SipUri(text, scheme, user, password, host, port, params, headers)


def _split_tail(s, i):
    """s[i:] = head [;params] [?headers] -> (head, params, headers)."""
    q = s.find("?", i)
    head = s[i:q] if q >= 0 else s[i:]
    headers = s[q + 1:] if q >= 0 else ""
    sc = head.find(";")
    if sc >= 0:
        return head[:sc], head[sc + 1:], headers
    return head, "", headers


def _is_scheme(s):
    return s[:1].isalpha() and all(c.isalnum() or c in "+-." for c in s) and s.isascii()


def _ipv6_ok(s):
    if not s or s.count("::") > 1 or not s.isascii():
        return False
    groups = s.split(":")
    if "." in groups[-1]:
        v4 = groups[-1].split(".")
        if len(v4) != 4 or not all(p.isdigit() and int(p) < 256 for p in v4):
            return False
        groups = groups[:-1] + ["0", "0"]
    if len(groups) > 8 or ("::" not in s and len(groups) != 8):
        return False
    return all(len(g) <= 4 and all(c in _HEX for c in g) for g in groups)
