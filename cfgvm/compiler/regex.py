"""POSIX extended regular expressions (regcomp REG_EXTENDED, as Kamailio uses) -> Python `re`.

Differences handled:
  * bracket expressions: `[[:alpha:]]` classes, a leading `]` is literal, backslash is literal
    inside brackets, `[` inside brackets needs no escape in POSIX but does in Python;
  * outside brackets a `\\` before an ordinary character means the character itself (Python would
    read `\\d`, `\\w`, `\\b` ... as classes or errors); glibc's `\\w \\W \\s \\S \\b \\B \\< \\>`
    GNU extensions are kept;
  * `{` that does not start a valid interval is literal.
"""
from __future__ import annotations

import re

_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v", "blank": " \\t", "punct": "!-/:-@\\[-`{-~", "print": " -~",
    "graph": "!-~", "cntrl": "\\x00-\\x1f\\x7f", "xdigit": "0-9A-Fa-f",
}
_GNU = {"w": "\\w", "W": "\\W", "s": "\\s", "S": "\\S", "b": "\\b", "B": "\\B", "<": "\\b", ">": "\\b",
        "`": "\\A", "'": "\\Z"}
_INTERVAL = re.compile(r"\{[0-9]+(,[0-9]*)?\}")


class RegexError(ValueError):
    pass


def translate(pattern: str) -> str:
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise RegexError("trailing backslash")
            d = pattern[i + 1]
            out.append(_GNU.get(d) or re.escape(d))
            i += 2
        elif c == "[":
            i = _bracket(pattern, i, out)
        elif c == "{":
            m = _INTERVAL.match(pattern, i)
            if m and out:
                out.append(m.group())
                i = m.end()
            else:
                out.append("\\{")
                i += 1
        elif c == "}":
            out.append("\\}")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _bracket(p: str, i: int, out: list) -> int:
    j = i + 1
    parts = ["["]
    if j < len(p) and p[j] == "^":
        parts.append("^")
        j += 1
    first = True
    while j < len(p):
        c = p[j]
        if c == "]" and not first:
            parts.append("]")
            out.append("".join(parts))
            return j + 1
        first = False
        if c == "[" and j + 1 < len(p) and p[j + 1] in ":.=":
            kind = p[j + 1]
            end = p.find(kind + "]", j + 2)
            if end < 0:
                raise RegexError("unterminated [: :] in bracket expression")
            name = p[j + 2:end]
            if kind == ":":
                if name not in _CLASSES:
                    raise RegexError(f"invalid character class [:{name}:]")
                parts.append(_CLASSES[name])
            else:
                parts.append(re.escape(name))
            j = end + 2
            continue
        if c in "\\[]^":
            parts.append("\\" + c)
        else:
            parts.append(c)
        j += 1
    raise RegexError("unmatched [ in regular expression")


def compile_ere(pattern: str, icase: bool = False, newline: bool = False) -> re.Pattern:
    """Compile like regcomp(REG_EXTENDED [|REG_ICASE] [|REG_NEWLINE]); RegexError on a bad pattern.
    Without REG_NEWLINE '.' matches a newline and ^/$ anchor the whole text only."""
    flags = (re.IGNORECASE if icase else 0) | (re.MULTILINE if newline else re.DOTALL)
    try:
        return re.compile(translate(pattern), flags)
    except re.error as e:
        raise RegexError(str(e)) from None
