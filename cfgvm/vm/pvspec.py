"""PV tokens -> immutable specs (kamailio-language.md §1.8, §6.1; rules of pv_parse_spec2 in pvapi.c).

Grammar of one PV token (what the lexer hands us raw):
    pv      ::= '$' '$'                                   -- the marker (format strings)
              | '$' NAME [ '(' inner ')' ]                -- bare form
              | '$(' NAME [ '(' inner ')' ] [ '[' index ']' ] { '{' tr '}' } ')'
              | '$(' '$' ')'
    NAME    ::= [A-Za-z0-9_.?]*                           -- pvapi's valid characters
    inner   ::= balanced-parentheses text, non-empty
    index   ::= ['-'] DIGITS | '*' | '+' | pv
    tr      ::= CLASS '.' TRNAME [ ',' arg { ',' arg } ]   -- args depend on the transformation
SER-style AVPs (§1.8): '$f.x', '$t.x', '$g.x', '%x', '$x[..]' are parsed by parse_ser_avp().

Errors are PVSyntaxError(message, offset) with the offset inside the token, so the caller can
turn them into file:line:col.  Whether a class exists is not checked here: see validate().
"""
from __future__ import annotations

from dataclasses import dataclass

PV_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.?")
MARKER = "$"


class PVSyntaxError(Exception):
    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class TrCall:
    """One `{class.name,args}`; each arg is str, int or a PVSpec (evaluated at run time)."""
    cls: str
    name: str            # lower-cased (names match case-insensitively)
    args: tuple
    text: str            # raw text between the braces


@dataclass(frozen=True, slots=True)
class PVSpec:
    cls: str                       # "var", "hdr", "ru", "$" (marker), ... ; "avp" for SER-style AVPs
    inner: str | None = None       # raw inner-name text, None when the PV has no inner name
    dyn: object = None             # PVSpec when the inner name is one PV, Format when it mixes text and PVs
    index: object = None           # None | int | "*" | "+" | PVSpec
    trans: tuple = ()              # TrCall, applied left to right
    text: str = ""                 # the raw token
    ser: bool = False              # written in SER AVP syntax

    @property
    def is_marker(self) -> bool:
        return self.cls == MARKER


def locate(text: str, pos: int = 0) -> int:
    """Length of the PV starting at text[pos] (pv_locate_name): where a PV ends inside a format string."""
    n = len(text) - pos
    if n < 2 or text[pos] != MARKER:
        raise PVSyntaxError("lone '$' (write '$$' for a literal dollar)", pos)
    if text[pos + 1] == MARKER:
        return 2
    if text[pos + 1] == "(":
        end = _match(text, pos + 1, "(", ")")
        if end < 0:
            raise PVSyntaxError("PV with an unclosed '$('", pos)
        return end + 1 - pos
    i = pos + 1
    while i < len(text) and text[i] in PV_CHARS:
        i += 1
    if i < len(text) and text[i] == "(":
        end = _match(text, i, "(", ")")
        if end < 0:
            raise PVSyntaxError("PV with an unclosed inner-name parenthesis", pos)
        return end + 1 - pos
    return i - pos


def _match(s: str, i: int, open_: str, close: str) -> int:
    """Index of the bracket closing s[i] (== open_), counting nesting; -1 when none."""
    depth = 0
    for j in range(i, len(s)):
        c = s[j]
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j
    return -1


def parse(token: str) -> PVSpec:
    """Parse one whole PV token; trailing text is an error."""
    spec, end = parse_at(token, 0)
    if end != len(token):
        raise PVSyntaxError(f"unexpected text after PV: {token[end:]!r}", end)
    return spec


def parse_at(s: str, pos: int) -> tuple[PVSpec, int]:
    """Parse the PV starting at s[pos]; returns (spec, end offset).  Follows pv_parse_spec2's states."""
    if pos >= len(s) or s[pos] != MARKER:
        raise PVSyntaxError("PV must start with '$'", pos)
    start = pos
    p = pos + 1
    paren = p < len(s) and s[p] == "("
    if paren:
        p += 1
    if p < len(s) and s[p] == MARKER:           # $$ or $($)
        p += 1
        if paren:
            if p >= len(s) or s[p] != ")":
                raise PVSyntaxError("'$($' must be closed by ')'", p)
            p += 1
        return PVSpec(MARKER, text=s[start:p]), p
    q = p
    while p < len(s) and s[p] in PV_CHARS:
        p += 1
    cls = s[q:p]
    if not cls:
        raise PVSyntaxError("empty PV name after '$'", q)
    inner = None
    index = None
    trans: tuple = ()
    at = s[p] if p < len(s) else ""
    if at == "(":                                 # inner name, both forms
        end = _match(s, p, "(", ")")
        if end < 0:
            raise PVSyntaxError(f"$({cls}: unclosed inner-name parenthesis" if paren
                                else f"${cls}: unclosed inner-name parenthesis", p)
        inner = s[p + 1:end]
        if inner == "":
            raise PVSyntaxError(f"PV {cls!r} with an empty inner name", p + 1)
        p = end + 1
        if not paren:
            return _mk(cls, inner, None, (), s[start:p], p - len(inner) - 1), p
        at = s[p] if p < len(s) else ""
    elif not paren:
        return PVSpec(cls, text=s[start:p]), p
    if at == "[":
        end = _match(s, p, "[", "]")
        if end < 0:
            raise PVSyntaxError("unclosed index bracket", p)
        index = _parse_index(s[p + 1:end], p + 1)
        p = end + 1
        at = s[p] if p < len(s) else ""
    if at == "{":
        trans, p = _parse_trans_chain(s, p)
        at = s[p] if p < len(s) else ""
    if at != ")":
        raise PVSyntaxError(f"invalid character {at!r} in PV (expected ')', '(', '[' or '{{')"
                            if at else "PV not closed by ')'", p)
    p += 1
    inner_off = s.find("(", start + 2) + 1 if inner is not None else 0
    return _mk(cls, inner, index, trans, s[start:p], inner_off), p


def _mk(cls, inner, index, trans, text, inner_off) -> PVSpec:
    dyn = None
    if inner is not None and MARKER in inner:
        dyn = _dynamic_name(inner, inner_off)
    return PVSpec(cls, inner, dyn, index, trans, text)


def _dynamic_name(inner: str, off: int):
    """A name that is one PV ($avp($var(n))) -> PVSpec; text mixed with PVs ($sht(t=>$si)) -> Format."""
    from cfgvm.vm import fmt
    if inner[0] == MARKER:
        try:
            spec, end = parse_at(inner, 0)
        except PVSyntaxError as e:
            raise PVSyntaxError(e.message, off + e.offset) from None
        if end == len(inner):
            return spec
    try:
        f = fmt.parse(inner)
    except PVSyntaxError as e:
        raise PVSyntaxError(e.message, off + e.offset) from None
    return f if f.has_pvs else None


def _parse_index(text: str, off: int):
    """pv_parse_index: PV | '*' | '+' | ['-']digits."""
    if text == "":
        raise PVSyntaxError("empty index", off)
    if text[0] == MARKER:
        try:
            return parse(text)
        except PVSyntaxError as e:
            raise PVSyntaxError("invalid index: " + e.message, off + e.offset) from None
    if text in ("*", "+"):
        return text
    digits = text[1:] if text[0] == "-" else text
    if not digits.isdigit() or not digits.isascii():
        # pvapi accepts a lone '-' as index 0; everything else that is not digits is an error
        if digits == "":
            return 0
        raise PVSyntaxError(f"invalid index [{text}]", off)
    return int(text)


# ---- transformations: `{class.name,args}{...}` ------------------------------------------------

def _parse_trans_chain(s: str, p: int) -> tuple[tuple, int]:
    """Parse consecutive `{...}` (blanks allowed between them, tr_lookup); returns (calls, end)."""
    calls = []
    while True:
        while p < len(s) and s[p] in " \t\n":
            p += 1
        if p >= len(s) or s[p] != "{":
            return tuple(calls), p
        call, p = _parse_trans(s, p + 1)
        calls.append(call)


def _parse_trans(s: str, p: int) -> tuple[TrCall, int]:
    """One transformation starting after '{'; returns (call, offset after '}')."""
    from cfgvm.vm.transformations import lookup_params
    start = p
    dot = p
    while dot < len(s) and s[dot] not in ".}":
        dot += 1
    if dot >= len(s) or s[dot] != "." or dot == p:
        raise PVSyntaxError("transformation without 'class.name'", p)
    cls = s[p:dot]
    p = dot + 1
    q = p
    while p < len(s) and s[p] not in ",}":
        p += 1
    if p >= len(s):
        raise PVSyntaxError("unclosed transformation '{'", start - 1)
    name = s[q:p].strip(" \t\r\n").lower()
    kinds = lookup_params(cls, name)        # None -> unknown (validated later), parse generically
    args: list = []
    if kinds is None:
        while s[p] == ",":
            arg, p = _arg_string(s, p + 1, marker_ok=False)
            args.append(arg)
    else:
        for i, kind in enumerate(kinds):
            optional = kind.endswith("?")
            kind = kind.rstrip("?")
            if s[p] != ",":
                if optional:
                    break
                raise PVSyntaxError(f"transformation {cls}.{name}: missing parameter {i + 1}", p)
            p0 = p + 1
            if kind == "n":
                arg, p = _arg_number(s, p0)
            elif kind == "c":
                arg, p = _arg_select_char(s, p0)
            elif kind == "sep":
                arg, p = _arg_string(s, p0, marker_ok=kind == "sep")
                if not isinstance(arg, PVSpec) and p - p0 != 1:
                    raise PVSyntaxError(f"transformation {cls}.{name}: separator must be one character", p0)
            elif kind == "sep1":                 # param.value/valueat/name: a literal of length 1 only
                arg, p = _arg_string(s, p0, marker_ok=False)
                if p - p0 != 1:
                    raise PVSyntaxError(f"transformation {cls}.{name}: separator must be one character", p0)
            elif kind == "raw":
                arg, p = _arg_raw(s, p0)
            else:
                arg, p = _arg_string(s, p0, marker_ok=kind == "sx")
            args.append(arg)
            if kind == "n" and i == 1 and cls == "s" and name == "substr" and isinstance(arg, int) and arg < 0:
                raise PVSyntaxError("s.substr: negative length", p0)
            while p < len(s) and s[p] in " \t\n":
                p += 1
            if p >= len(s):
                raise PVSyntaxError("unclosed transformation '{'", start - 1)
    if p >= len(s) or s[p] != "}":
        raise PVSyntaxError(f"transformation {cls}.{name}: unexpected {s[p:p + 1]!r}"
                            if p < len(s) else "unclosed transformation '{'", p)
    return TrCall(cls, name, tuple(args), s[start:p]), p + 1


def _arg_pv(s: str, p: int):
    try:
        return parse_at(s, p)
    except PVSyntaxError as e:
        raise PVSyntaxError("invalid PV in transformation parameter: " + e.message, e.offset) from None


def _skip_blanks(s: str, p: int) -> int:
    while p < len(s) and s[p] in " \t\n":
        p += 1
    return p


def _arg_number(s: str, p: int):
    """_tr_parse_nparam: blanks, then a PV or [+-] blanks digits (no digits = 0)."""
    p = _skip_blanks(s, p)
    if p < len(s) and s[p] == MARKER:
        return _arg_pv(s, p)
    if p >= len(s) or not (s[p] in "+-" or s[p].isdigit()):
        raise PVSyntaxError("invalid numeric parameter in transformation", p)
    sign = -1 if s[p] == "-" else 1
    if s[p] in "+-":
        p += 1
    p = _skip_blanks(s, p)
    q = p
    while p < len(s) and "0" <= s[p] <= "9":
        p += 1
    return sign * int(s[q:p] or "0"), p


def _arg_string(s: str, p: int, marker_ok: bool):
    """_tr_parse_sparamx: blanks, then a PV or text up to tab/newline/','/'}'; with marker_ok a
    parameter that is just ',' is taken literally ({s.count,,})."""
    p = _skip_blanks(s, p)
    if p < len(s) and s[p] == MARKER:
        return _arg_pv(s, p)
    q = p
    while p < len(s) and s[p] not in "\t\n,}":
        p += 1
    if p >= len(s):
        raise PVSyntaxError("unclosed transformation parameter", q)
    if marker_ok and s[p] == ",":
        p += 1
    return s[q:p], p


def _arg_select_char(s: str, p: int):
    """s.select's separator: one character, or \\\\ \\n \\r \\t."""
    if p >= len(s):
        raise PVSyntaxError("s.select: missing separator", p)
    if s[p] == "\\":
        if p + 1 < len(s) and s[p + 1] in "\\nrt":
            return {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}[s[p + 1]], p + 2
        raise PVSyntaxError("s.select: invalid escaped separator", p)
    return s[p], p + 1


def _arg_raw(s: str, p: int):
    """re.subst: a PV, or everything up to the '}' that balances (braces counted)."""
    if p < len(s) and s[p] == MARKER:
        return _arg_pv(s, p)
    depth = 0
    q = p
    while p < len(s):
        if s[p] == "}":
            if depth == 0:
                return s[q:p], p
            depth -= 1
        elif s[p] == "{":
            depth += 1
        p += 1
    raise PVSyntaxError("unclosed transformation parameter", q)


# ---- SER-style AVPs and AVP names -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AvpName:
    """An AVP identifier: int id or string name (km_parse_avp_spec: 'i:5', 's:x', 'x')."""
    name: int | str
    track: str = ""       # SER track prefix: 'f' from, 't' to, 'g' global (usr/dom scope ignored)


def parse_avp_name(inner: str) -> AvpName:
    if inner.startswith(("i:", "I:")):
        body = inner[2:]
        if not body.isdigit():
            raise PVSyntaxError(f"bad int AVP name [{inner}]", 2)
        return AvpName(int(body))
    if inner.startswith(("s:", "S:")):
        if len(inner) == 2:
            raise PVSyntaxError(f"empty AVP name [{inner}]", 2)
        return AvpName(inner[2:])
    return AvpName(inner)


def parse_ser_avp(token: str) -> PVSpec:
    """'$f.x' '$t.x' '$g.x' '%x' '$x[..]' (§1.8, default/SER compatibility modes) -> an 'avp' spec."""
    if not token or token[0] not in "$%" or len(token) < 2:
        raise PVSyntaxError("SER AVP must start with '$' or '%'", 0)
    body = token[1:]
    index = None
    if body.endswith("]") and "[" in body:
        b = body.index("[")
        index = _parse_index(body[b + 1:-1], b + 2)
        body = body[:b]
    track = ""
    if len(body) > 2 and body[1] == "." and body[0] in "ftgFTG":
        track, body = body[0].lower(), body[2:]
    if not body:
        raise PVSyntaxError("empty AVP name", 1)
    for i, c in enumerate(body):
        if not (c.isalnum() or c in "_:"):
            raise PVSyntaxError(f"invalid character {c!r} in AVP name", 1 + i)
    return PVSpec("avp", inner=body, index=index, text=token, ser=True)


# ---- validation against the known classes ------------------------------------------------------

def validate(spec: PVSpec, known: dict[str, bool]) -> list[tuple[str, int]]:
    """Check PV classes (and nested PVs) against `known` {class: needs_inner_name}, and every
    transformation against the registry.  Returns [(message, offset-in-token)], empty when fine."""
    from cfgvm.vm.transformations import check_call
    problems: list[tuple[str, int]] = []

    def walk(sp: PVSpec, off: int) -> None:
        if sp.is_marker:
            return
        if sp.cls not in known:
            problems.append((f"unknown pseudo-variable ${sp.cls}" if not sp.ser else
                             f"unknown pseudo-variable {sp.text}", off))
        elif known[sp.cls] and sp.inner is None:
            problems.append((f"pseudo-variable ${sp.cls} expects an inner name", off))
        elif not known[sp.cls] and sp.inner is not None:
            problems.append((f"pseudo-variable ${sp.cls} does not take an inner name", off))
        subs = []
        if isinstance(sp.dyn, PVSpec):
            subs.append(sp.dyn)
        elif sp.dyn is not None:
            subs.extend(sp.dyn.pvs)
        if isinstance(sp.index, PVSpec):
            subs.append(sp.index)
        for tr in sp.trans:
            msg = check_call(tr)
            if msg:
                problems.append((msg, off + max(sp.text.find("{" + tr.text), 0)))
            subs.extend(a for a in tr.args if isinstance(a, PVSpec))
        for sub in subs:
            walk(sub, off + max(sp.text.find(sub.text), 0))

    walk(spec, 0)
    return problems
