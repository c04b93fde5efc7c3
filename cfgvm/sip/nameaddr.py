"""name-addr / addr-spec values: From, To, Contact, Route, Record-Route, P-Asserted-Identity,
Diversion, Refer-To, Path (RFC 3261 §20, §25.1).

value = ( name-addr / addr-spec ) *( SEMI param )
name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
Without <>, the URI ends at the first ';' (what follows are header parameters, RFC 3261 §20.10).
"""
import re

from .errors import SipParseError
from .params import PLAIN_PARAMS, Params, parse_params, plain_params, split_unquoted
from .uri import parse_uri

_WS = " \t\r\n"
# The usual value in one match: blanks, a display name (quoted, or plain text without ; < > "),
# <URI> without blanks or quotes inside, plain header params (params.py) -- the shapes where
# _find_laquot, the trimming loops and parse_params agree with what the groups give.
_PLAIN_NA_RE = re.compile(
    r'([ \t]*)("(?:[^"\\\r\n]|\\[^\r\n])*"|[^<>";\r\n]*?)[ \t]*<[ \t]*([^<>" \t\r\n]+)[ \t]*>'
    r'[ \t]*(?:;(' + PLAIN_PARAMS + r'))?[ \t]*')

# A subset of _PLAIN_NA_RE's shapes that a simpler pattern matches faster: an optional quoted display
# name without escapes and one space, <URI>, params without blanks or empty values (the usual From/To).
_USUAL_NA_RE = re.compile(r'(?:("[^"\\\r\n]*") ?)?<([^<>" \t\r\n]+)>((?:;[^; \t\r\n"<>,:@=()]+(?:=[^; \t\r\n"<>()]+)?)*)')


class NameAddr:
    """One value. Offsets (start, end, uri_start, uri_end) are relative to the header body."""
    __slots__ = ("raw", "display", "uri_str", "_params", "params_str", "start", "end", "uri_start",
                 "uri_end", "angle", "_uri")

    @property
    def params(self):
        """Header parameters (Params); the usual shape is split on first use (already checked)."""
        if self._params is None:
            self._params = plain_params(self.params_str) if self.params_str else Params()
        return self._params

    @property
    def uri(self):
        """Parsed URI (SipUri, or OpaqueUri for unknown schemes)."""
        if self._uri is None:
            self._uri = parse_uri(self.uri_str, opaque_ok=True)
        return self._uri

    @property
    def tag(self):
        if self._params is None and not self.params_str:
            return None                     # no parameters (the usual To of a dialog's first request)
        return self.params.get("tag")

    @property
    def expires(self):
        return self.params.get("expires")

    @property
    def q(self):
        return self.params.get("q")

    @property
    def display_unquoted(self):
        d = self.display
        if len(d) >= 2 and d[0] == '"' and d[-1] == '"':
            out, i, s = [], 0, d[1:-1]
            while i < len(s):
                if s[i] == "\\" and i + 1 < len(s):
                    i += 1
                out.append(s[i])
                i += 1
            return "".join(out)
        return d

    def __repr__(self):
        return f"<NameAddr {self.raw!r}>"


def parse_nameaddr(text, base=0, where="name-addr"):
    """One value (no top-level commas expected)."""
    na = NameAddr()
    na._uri = None
    m = _USUAL_NA_RE.fullmatch(text)
    if m is not None:
        display, na.uri_str, params = m.groups()
        na.display = display or ""
        u0, u1 = m.span(2)
        na.start, na.end, na.uri_start, na.uri_end = base, base + len(text), base + u0, base + u1
        na.angle = True
        na.params_str = params[1:]
        na._params = None
        na.raw = text
        return na
    m = _PLAIN_NA_RE.fullmatch(text)
    if m is not None:
        lead, na.display, na.uri_str, params = m.groups()
        p = len(lead)
        end = len(text.rstrip(" \t"))
        u0, u1 = m.span(3)
        na.start, na.end, na.uri_start, na.uri_end = base + p, base + end, base + u0, base + u1
        na.angle = True
        na.params_str = params.rstrip(" \t") if params is not None else ""
        na._params = None
        na.raw = text[p:end]
        return na
    n = len(text)
    p = 0
    while p < n and text[p] in _WS:
        p += 1
    na.start = base + p
    if p >= n:
        raise SipParseError(where, "empty value")
    lt = _find_laquot(text, p, where)
    if lt >= 0:
        na.display = text[p:lt].strip(_WS)
        gt = text.find(">", lt + 1)
        if gt < 0:
            raise SipParseError(where, "missing '>'")
        u0, u1 = lt + 1, gt
        while u0 < u1 and text[u0] in _WS:
            u0 += 1
        while u1 > u0 and text[u1 - 1] in _WS:
            u1 -= 1
        na.angle = True
        q = gt + 1
    else:
        na.display = ""
        u0 = p
        u1 = p
        while u1 < n and text[u1] not in ";" + _WS:
            u1 += 1
        na.angle = False
        q = u1
    na.uri_str = text[u0:u1]
    if not na.uri_str:
        raise SipParseError(where, "empty URI")
    return _tail(na, text, base, p, u0, u1, q, where)


def _tail(na, text, base, p, u0, u1, q, where):
    """After the URI: header parameters, offsets and the raw text."""
    na.uri_start, na.uri_end = base + u0, base + u1
    rest = text[q:].rstrip(_WS)
    lead = rest.lstrip(_WS)
    if lead:
        if lead[0] != ";":
            raise SipParseError(where, f"unexpected {lead[:20]!r} after URI")
        na.params_str = lead[1:]
        na._params = parse_params(na.params_str, where + " params")
    else:
        na.params_str = ""
        na._params = Params()
    end = q + len(rest)
    na.end = base + end
    na.raw = text[p:end]
    return na


def _find_laquot(text, p, where):
    """Position of '<' outside a quoted display name, or -1."""
    if '"' not in text:
        lt = text.find("<", p)
        sc = text.find(";", p)
        return -1 if lt < 0 or (0 <= sc < lt) else lt
    n = len(text)
    i = p
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                i += 1
            if i >= n:
                raise SipParseError(where, "unterminated quoted display name")
        elif c == "<":
            return i
        elif c == ";" and i > p:
            # addr-spec form: parameters start before any '<'
            return -1 if "<" not in text[p:i] else i
        i += 1
    return -1


def parse_nameaddr_list(body, where="name-addr list"):
    """Comma-separated values (Contact, Route, Record-Route, PAI, Diversion, Path)."""
    out = []
    pos = 0
    for part in split_unquoted(body, ","):
        if not part.strip(_WS):
            raise SipParseError(where, "empty list element")
        out.append(parse_nameaddr(part, pos, where))
        pos += len(part) + 1
    return out


def parse_contact(body):
    """Contact body: '*' or a list of NameAddr."""
    if body.strip(_WS) == "*":
        return "*"
    return parse_nameaddr_list(body, "Contact")
