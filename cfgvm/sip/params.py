"""Generic ';name=value' parameter lists (URI, Via, name-addr and Contact parameters)."""
import re

from .errors import SipParseError

LWS = " \t\r\n"


class Params(list):
    """Ordered (name, value) pairs; value is None for a flag parameter. Names compare case-insensitively."""

    def get(self, name, default=None):
        name = name.lower()
        for k, v in self:
            if k == name or k.lower() == name:
                return v
        return default

    def has(self, name):
        name = name.lower()
        for k, _ in self:
            if k == name or k.lower() == name:
                return True
        return False

    def count(self, name):
        name = name.lower()
        n = 0
        for k, _ in self:
            if k == name or k.lower() == name:
                n += 1
        return n


# text whose every '<' closes with a '>' before any other '<' or the separator (and no stray '>'):
# the pieces of a plain split are then those of the merging loop below (each holds whole pairs)
_PAIRED = {sep: re.compile(r"[^<>]*(?:<[^<>%s]*>[^<>]*)*" % re.escape(sep)) for sep in ",;"}


def split_unquoted(text, sep):
    """Split text on sep outside double quotes and <> (quoted-pair aware); linear time."""
    if '"' not in text:
        if "<" not in text:
            return text.split(sep)
        paired = _PAIRED.get(sep)
        if paired is not None and paired.fullmatch(text) is not None:
            return text.split(sep)
        # merge pieces while a '<' is still open
        out, cur, depth = [], None, 0
        for piece in text.split(sep):
            cur = piece if cur is None else cur + sep + piece
            depth += piece.count("<") - piece.count(">")
            if depth <= 0:
                out.append(cur)
                cur, depth = None, 0
        if cur is not None:
            out.append(cur)
        return out
    out, start, quoted, angle, i, n = [], 0, False, 0, 0, len(text)
    while i < n:
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "<":
            angle += 1
        elif c == ">" and angle:
            angle -= 1
        elif c == sep and not angle:
            out.append(text[start:i])
            start = i + 1
        i += 1
    if quoted:
        raise SipParseError("list", "unterminated quoted string")
    out.append(text[start:])
    return out


# The usual list: names of allowed characters, values without quotes, '<' or line breaks. Such a
# list splits on every ';' and needs no check beyond this match (parse_params' rules, all met).
_NAME = r'[^ \t\r\n"<>,;:@=]+'
_ITEM = _NAME + r'[ \t]*(?:=[^;"<\r\n]*)?'
PLAIN_PARAMS = r"[ \t]*" + _ITEM + r"(?:;[ \t]*" + _ITEM + ")*"
_PLAIN_RE = re.compile(PLAIN_PARAMS)


def plain_params(text):
    """Params of a list known to match _PLAIN_RE (or a stricter pattern): split, no checks."""
    out = Params()
    if " " not in text and "\t" not in text:        # nothing to strip (the usual list)
        for part in text.split(";"):
            name, eq, value = part.partition("=")
            out.append((name, value if eq else None))
        return out
    for part in text.split(";"):
        name, eq, value = part.partition("=")
        out.append((name.strip(" \t"), value.strip(" \t") if eq else None))
    return out


def parse_params(text, where="params", allow_empty=False):
    """'a=1;b;c="x"' (without the leading ';') -> Params. Empty parameters are an error (Kamailio's
    "null param") unless allow_empty."""
    if _PLAIN_RE.fullmatch(text) is not None:
        return plain_params(text)
    ps = Params()
    if not text.strip(LWS):
        if allow_empty:
            return ps
        raise SipParseError(where, "empty parameter")
    for part in split_unquoted(text, ";"):
        part = part.strip(LWS)
        if not part:
            if allow_empty:
                continue
            raise SipParseError(where, "empty parameter")
        eq = part.find("=")
        if eq < 0:
            name, value = part, None
        else:
            name, value = part[:eq].strip(LWS), part[eq + 1:].strip(LWS)
            if not name:
                raise SipParseError(where, "parameter without name")
        for ch in name:
            if ch in ' \t\r\n"<>,;:@':
                raise SipParseError(where, f"bad character {ch!r} in parameter name")
        ps.append((name, value))
    return ps
