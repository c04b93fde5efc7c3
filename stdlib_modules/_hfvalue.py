"""textopsx's header-value editing (append/insert/remove/assign_hf_value[2], include/exclude/
hf_value_exists): the header-name spec, the comma-separated value scanner and the parameter finders,
following Kamailio 5.6's textopsx rules (checked against real Kamailio, see tests/modules/test_textopsx.py).

A header *value* is one comma-separated element of a header body; each carries two spans: the value
itself (spaces trimmed) and its "lump" span (leading spaces and the trailing comma included), which is
what removal deletes. Offsets index msg.text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SPACE = " \t\r\n"
MAX_STACK = 10          # MAX_HF_VALUE_STACK: deepest negative index
_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass
class HName:
    """hname [ '[' ( '*' | int )? ']' ] [ '.' param ]"""
    name: str
    idx: int = 0
    has_idx: bool = False
    all: bool = False
    param: str = ""


def parse_hname(text: str) -> HName:
    s = text.strip(SPACE)
    m = _NAME.match(s)
    if not m:
        raise ValueError(f"cannot parse header near '{text}'")
    h = HName(m.group())
    i = m.end()
    rest = s[i:].lstrip(SPACE)
    if rest.startswith("["):
        h.has_idx = True
        inner, close, rest = rest[1:].partition("]")
        inner = inner.strip(SPACE)
        if not close:
            raise ValueError(f"cannot parse header near '{text}'")
        if inner == "*":
            h.all = True
        elif inner:
            mm = re.match(r"[+-]?\d+", inner)
            if not mm or mm.end() != len(inner):
                raise ValueError(f"cannot parse header near '{inner}'")
            h.idx = int(inner)
        rest = rest.lstrip(SPACE)
    if rest.startswith("."):
        mp = _NAME.match(rest[1:].lstrip(SPACE))
        if not mp:
            raise ValueError(f"cannot parse header near '{rest}'")
        h.param = mp.group()
        rest = rest[1:].lstrip(SPACE)[mp.end():]
    if rest:
        raise ValueError(f"cannot parse header near '{rest}'")
    return h


def body_span(hf):
    """Kamailio's hf->body: leading and trailing white space excluded."""
    t = hf.msg.text
    s, e = hf.body_start, hf.body_end
    while s < e and t[s] in SPACE:
        s += 1
    while e > s and t[e - 1] in SPACE:
        e -= 1
    return s, e


@dataclass
class Value:
    hf: object
    vs: int          # value span (trimmed)
    ve: int
    ls: int          # lump span (leading spaces .. trailing comma)
    le: int


def values(hf):
    """The comma-separated values of one header (quotes protect commas)."""
    t = hf.msg.text
    bs, be = body_span(hf)
    p = bs
    out = []
    while True:
        ls = p
        while p < be and t[p] in SPACE:
            p += 1
        vs = p
        quoted = False
        while p < be and (t[p] != "," or quoted):
            if t[p] == '"' and (not quoted or t[p - 1] != "\\"):
                quoted = not quoted
            p += 1
        ve = p
        while ve > vs and t[ve - 1] in SPACE:
            ve -= 1
        if p < be:
            p += 1
        out.append(Value(hf, vs, ve, ls, p))
        if p >= be:
            return out


def for_delete(v: Value) -> tuple[int, int]:
    """The last value of a header takes the comma before it along when removed."""
    bs, be = body_span(v.hf)
    s = v.ls
    if v.le == be and s > bs:
        s -= 1
    return s, v.le


def find_idx(msg, h: HName, by_value=True):
    """The h.idx-th value (1-based; negative counts from the end, at most MAX_STACK back), or the
    idx-th header when not by_value. Returns (hf, Value|None) or (None, None)."""
    entries = []
    for hf in msg.headers(h.name):
        if by_value:
            entries.extend(values(hf))
        else:
            entries.append(Value(hf, *body_span(hf), *body_span(hf)))
        if h.idx > 0 and len(entries) >= h.idx:
            e = entries[h.idx - 1]
            return e.hf, e
    if h.idx < 0 and -h.idx <= min(len(entries), MAX_STACK):
        e = entries[h.idx]
        return e.hf, e
    return None, None


def skip_to_params(t: str, s: int, e: int) -> int:
    """Past the display name and <uri> (or bare uri) of a value: where its ';' parameters start."""
    i = s
    while i < e and t[i] != ";":
        quoted = False
        while i < e:
            c = t[i]
            if not quoted:
                if c == '"':
                    quoted = True
                elif c in "<;" or c in SPACE:
                    break
            elif c == '"' and t[i - 1] != "\\":
                quoted = False
            i += 1
        while i < e and t[i] in SPACE:
            i += 1
        if i < e and t[i] == "<":
            quoted = False
            while i < e:
                if not quoted:
                    if t[i] == '"':
                        quoted = True
                    elif t[i] == ">":
                        break
                elif t[i] == '"' and t[i - 1] != "\\":
                    quoted = False
                i += 1
            if i < e and t[i] == ">":
                i += 1
    return i


def _skip_sp(t, i, e):
    while i < e and t[i] in SPACE:
        i += 1
    return i


def _value_end(t, i, e, stop):
    """End of a parameter value at i: a quoted string, or up to space / the stop char."""
    if i < e and t[i] == '"':
        i += 1
        while i < e:
            if t[i] == '"':
                return i + 1
            i += 1
        return i
    while i < e and t[i] not in SPACE and t[i] != stop:
        i += 1
    return i


def find_param(t: str, s: int, e: int, name: str):
    """';name[=value]' parameters in [s, e): (found, upd_span, del_span). upd = '=value' part, del =
    the whole ';name=value' with the spaces before; when not found del_span starts where a new
    parameter goes."""
    i = s
    while True:
        ds = i
        i = _skip_sp(t, i, e)
        if not (i < e and t[i] == ";"):
            return False, (ds, ds), (ds, ds)
        i = _skip_sp(t, i + 1, e)
        j = i
        while i < e and t[i] not in SPACE and t[i] not in "=;":
            i += 1
        found = t[j:i].lower() == name.lower()
        us = i
        i = _skip_sp(t, i, e)
        if i < e and t[i] == "=":
            i = _value_end(t, _skip_sp(t, i + 1, e), e, ";")
        if found:
            return True, (us, i), (ds, i)


def _alnum(c):
    return c.isascii() and (c.isalnum() or c in "_-")


def find_param2(t: str, s: int, e: int, name: str):
    """'[token] name=value, name=value' lists (WWW-Authenticate style): (found, upd, del, delim)
    where delim is what a new parameter is prefixed with (' ' after a bare token, ',' after one
    name=value, none for an empty body)."""
    i = s
    delim = ""
    while i < e:
        ds = i
        i = _skip_sp(t, i, e)
        comma = i < e and t[i] == ","
        if comma:
            i += 1
        i = _skip_sp(t, i, e)
        if i < e and _alnum(t[i]):
            j = i
            delim = delim or " "
            while i < e and _alnum(t[i]):
                i += 1
            k = i
            i = _skip_sp(t, i, e)
            us = i
            if i < e and t[i] == "=":
                delim = ","
                found = t[j:k].lower() == name.lower()
                i = _value_end(t, _skip_sp(t, i + 1, e), e, ",")
                if found:
                    vend = dend = i
                    i = _skip_sp(t, i, e)
                    if not comma and i < e and t[i] == ",":
                        dend = i + 1
                    return True, (us, vend), (ds, dend), delim
            i = _skip_sp(t, i, e)
        else:
            # Kamailio only steps over commas here (and would spin on anything else): step one char
            i += 1 if i < e and t[i] != "," else 0
            while i < e and t[i] == ",":
                i += 1
    return False, (i, i), (i, i), delim

