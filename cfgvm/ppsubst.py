"""#!subst / #!substdef rules: "/regex/replacement/flags" with POSIX extended regexes, run in Python.

Kamailio (src/core/re.c) splits the rule at the first unescaped separator (any character but `\\`),
compiles the regex with REG_EXTENDED|REG_NEWLINE (flag `s` drops REG_NEWLINE, `i` ignores case,
`g` replaces every match) and expands `\\0`-`\\9`, `\\n \\r \\t \\\\ \\$` in the replacement.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

# POSIX bracket classes -> Python set members (inside [...]).
_POSIX_CLASSES = {
    "alpha": "A-Za-z", "digit": "0-9", "alnum": "A-Za-z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
    "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e", "graph": r"\x21-\x7e", "word": r"\w",
}
_REPL_ESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t", "$": "$"}


class SubstError(ValueError):
    """A bad rule; the message says what is wrong (Kamailio: 'bad subst expression')."""


def ere_to_python(ere: str) -> str:
    """Translate a POSIX extended regex to Python syntax (bracket expressions are the difference)."""
    out, i, n = [], 0, len(ere)
    while i < n:
        c = ere[i]
        if c == "\\" and i + 1 < n:
            out.append(ere[i:i + 2])
            i += 2
        elif c == "[":
            j = i + 1
            members = []
            if j < n and ere[j] == "^":
                members.append("^")
                j += 1
            if j < n and ere[j] == "]":      # a leading ] is literal in POSIX
                members.append(r"\]")
                j += 1
            while j < n and ere[j] != "]":
                if ere.startswith("[:", j):
                    k = ere.find(":]", j + 2)
                    if k < 0:
                        raise SubstError(f"unterminated character class in {ere}")
                    name = ere[j + 2:k]
                    if name not in _POSIX_CLASSES:
                        raise SubstError(f"unknown character class [:{name}:]")
                    members.append(_POSIX_CLASSES[name])
                    j = k + 2
                elif ere[j] in "\\[":                # literal inside POSIX brackets
                    members.append("\\" + ere[j])
                    j += 1
                else:
                    members.append(ere[j])
                    j += 1
            if j >= n:
                raise SubstError(f"unterminated bracket expression in {ere}")
            out.append("[" + "".join(members) + "]")
            i = j + 1
        elif c == "{" and not re.match(r"\{\d+(,\d*)?\}", ere[i:]):
            out.append(r"\{")                        # a literal brace in ERE
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _find_sep(s: str, sep: str, start: int) -> int:
    for p in range(start, len(s)):
        if s[p] == sep and s[p - 1] != "\\":
            return p
    return -1


@dataclass
class SubstRule:
    text: str                 # the rule as written (after string escapes)
    regex: re.Pattern
    repl: list                # str pieces and int group numbers
    replace_all: bool
    regex_text: str           # for #!substdef: the define name
    repl_text: str            # for #!substdef: the define value (raw)
    unevaluated: list         # PVs kept as written (only $env is evaluated at parse time)

    def apply(self, s: str) -> str | None:
        """The substituted string, or None when the regex does not match (Kamailio keeps the original)."""
        if not self.regex.search(s):
            return None

        def one(m: re.Match) -> str:
            return "".join(p if isinstance(p, str) else (m.group(p) or "") for p in self.repl)
        return self.regex.sub(one, s, count=0 if self.replace_all else 1)


def pv_extent(s: str, p: int) -> int:
    """End of the PV starting at s[p] == '$': $(...), $name(...) or $name."""
    q = p + 1
    m = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*").match(s, q)
    if m:
        q = m.end()
    if q < len(s) and s[q] == "(":
        depth = 0
        while q < len(s):
            depth += {"(": 1, ")": -1}.get(s[q], 0)
            q += 1
            if depth == 0:
                break
    return q


def eval_parse_time_pv(pv: str, defines: dict | None = None) -> str | None:
    """Kamailio evaluates #!subst replacement PVs at startup with a fake message; of those only $env,
    $def and $defn mean the same without loaded modules. None = not evaluated."""
    if defines is not None and "MOD_pv" in defines:
        v = _version_pv(pv, defines)
        if v is not None:
            return v
    m = re.fullmatch(r"\$\(?(env|defn|def)\(([^()]*)\)\)?", pv)
    if not m or (m.group(1) != "env" and defines is None):
        return None
    if m.group(1) == "env":
        return os.environ.get(m.group(2), "")
    value = (defines or {}).get(m.group(2)) or ""
    if m.group(1) == "defn":
        return str(int(value)) if value.strip().lstrip("-").isdigit() else "0"
    return value


VERSION_NUM = "5.6.3"
_VERSION_PV = re.compile(r"\$version\(num\)|\$\(version\(num\)((?:\{re\.subst,[^{}]*\})*)\)")


def _version_pv(pv: str, defines: dict) -> str | None:
    """$version(num) (module pv), optionally through {re.subst,/re/repl/} (module textops), as kazoo
    configs use to pick an include by major version; the modules must be loaded earlier, as in Kamailio."""
    m = _VERSION_PV.fullmatch(pv)
    if not m:
        return None
    value = VERSION_NUM
    for rule in re.findall(r"\{re\.subst,([^{}]*)\}", m.group(1) or ""):
        if "MOD_textops" not in defines:
            return None
        value = parse_rule(rule).apply(value) or value
    return value


def parse_rule(s: str, defines: dict | None = None) -> SubstRule:
    if len(s) < 3:
        raise SubstError(f"expression is too short: {s}")
    sep = s[0]
    if sep == "\\":
        raise SubstError(f"invalid separator char <\\> in {s}")
    re_end = _find_sep(s, sep, 1)
    if re_end < 0:
        raise SubstError(f"no separator found: {s}")
    if len(s) < re_end + 2:
        raise SubstError(f"string too short: {s}")
    repl, piece, p, esc, unevaluated = [], [], re_end + 1, False, []
    while p < len(s):
        c = s[p]
        if esc:
            esc = False
            if c.isdigit():
                if piece:
                    repl.append("".join(piece))
                    piece = []
                repl.append(int(c))
            elif c == "u":
                raise SubstError(f"\\u (request URI) in the replacement is not supported: {s}")
            else:
                piece.append(_REPL_ESCAPES.get(c, c))
        elif c == "\\":
            esc = True
        elif c == "$":
            end = pv_extent(s, p)
            value = eval_parse_time_pv(s[p:end], defines)
            if value is None:                  # kept as written; the caller warns
                unevaluated.append(s[p:end])
                value = s[p:end]
            piece.append(value)
            p = end
            continue
        elif c == sep:
            break
        else:
            piece.append(c)
        p += 1
    else:
        raise SubstError(f"no separator found after the replacement: {s}")
    if piece:
        repl.append("".join(piece))
    repl_end = p
    flags, replace_all = re.MULTILINE, False
    for f in s[p + 1:]:
        if f == "i":
            flags |= re.IGNORECASE
        elif f == "s":
            flags = (flags & ~re.MULTILINE) | re.DOTALL
        elif f == "g":
            replace_all = True
        else:
            raise SubstError(f"unknown flag {f} in {s}")
    regex_text = s[1:re_end]
    try:
        rx = re.compile(ere_to_python(regex_text), flags)
    except re.error as e:
        raise SubstError(f"bad regular expression {regex_text} in {s}: {e}") from None
    if any(isinstance(g, int) and g > rx.groups for g in repl):
        raise SubstError(f"replacement refers to a group the regex does not have: {s}")
    repl_text = s[re_end + 1:repl_end]
    if "$" in repl_text:                       # Kamailio evaluates PVs in a #!substdef value too
        repl_text = re.sub(r"\$\(?(?:env|defn|def)\([^()]*\)\)?",
                           lambda m: eval_parse_time_pv(m.group(), defines) or "", repl_text)
        if defines is not None and "MOD_pv" in defines:
            repl_text = _VERSION_PV.sub(lambda m: _version_pv(m.group(), defines) or m.group(), repl_text)
    return SubstRule(s, rx, repl, replace_all, regex_text, repl_text, unevaluated)


def run_rules(rules: list[SubstRule], s: str) -> str | None:
    """Apply every rule in order (each to the previous result); None when nothing changed."""
    changed = False
    for r in rules:
        out = r.apply(s) if s else None
        if out is not None:
            s, changed = out, True
    return s if changed else None
