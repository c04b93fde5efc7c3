"""PLY lexer for the Kamailio 5.6 configuration language (kamailio-language.md §1).

Mirrors src/core/cfg.lex: flex picks the LONGEST match (ties go to the earlier rule), which PLY's
first-match master regex does not do, so words, numbers and IPv6 addresses are scanned by one rule
(t_WORD) that compares the candidates itself. PV, AVP, select and string tokens are scanned by hand
from their first character, because their extent depends on nesting and on the compat mode.

Token values: NUMBER -> int (32-bit, as C atoi/strtol cast to int); STRING -> decoded text (adjacent
"..." strings concatenated); PVAR/AVP/AVP_OR_PVAR/SELECT -> raw token text; others -> source text.
Every token has .lexpos (offset in Source.text) and .raw (its source spelling).
"""
from __future__ import annotations

import re

import ply.lex

from cfgvm.diagnostics import CfgError, Diagnostic
from cfgvm.vm.values import wrap32
from cfgvm.grammar.tokens import NUMBER_WORDS, RESERVED

COMPAT_HEADERS = {"KAMAILIO": "kamailio", "OPENSER": "kamailio", "SER": "ser",
                  "MAXCOMPAT": "max", "ALL": "max"}

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUM_ID = re.compile(r"[A-Za-z0-9_]+")
_DEC = re.compile(r"0|[1-9][0-9]*")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_OCT = re.compile(r"0[0-7]+")
_BIN = re.compile(r"[01]+b")
_H4 = r"[0-9a-fA-F]{1,4}"
# the four IPV6ADDR alternatives of cfg.lex, tried separately to get flex's longest match
_IPV6 = [re.compile(p) for p in (
    rf"(?:{_H4}:){{7}}{_H4}", rf"(?:{_H4}:){{1,7}}(?::{_H4}){{1,7}}", rf":(?::{_H4}){{1,7}}",
    rf"(?:{_H4}:){{1,7}}:", r"::")]
_FIXED = ("msg:len", "uri:host", "uri:port")
_FIXED_TOKENS = {"msg:len": "MSGLEN", "uri:host": "URIHOST", "uri:port": "URIPORT"}
_EVENT_RT_NAME = re.compile(r"[a-zA-Z][0-9a-zA-Z-]*(?::[a-zA-Z][0-9a-zA-Z_-]*)+")
_AVP_PREF = re.compile(r"(?:[ft][rud]?|g)\.")
_RETCODE = re.compile(r"\$(?:retcode|rc|\?)")
_SELECT = re.compile(r'@[A-Za-z_][A-Za-z0-9_]*(?:\[-?(?:0x[0-9a-fA-F]+|[0-9]+|"(?:[^"\\]|\\.)*")\])?'
                     r'(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[-?(?:0x[0-9a-fA-F]+|[0-9]+|"(?:[^"\\]|\\.)*")\])?)*')
_AVP_INDEX = re.compile(r"\s*\[\s*(?:-?\s*[0-9]+\s*|\*\s*)?\]")
_EAT = " \t\b\r\n"
_ESCAPES = {"n": "\n", "r": "\r", "a": "\a", "t": "\t", '"': '"', "\\": "\\"}


def _longest(text: str, pos: int, regexes) -> int:
    best = 0
    for r in regexes:
        m = r.match(text, pos)
        if m and m.end() - pos > best:
            best = m.end() - pos
    return best


class LexError(Exception):
    def __init__(self, lexpos: int, message: str):
        super().__init__(message)
        self.lexpos, self.message = lexpos, message


class CfgLexer:
    """Build once with build(); feed with input(text); pull tokens with token() (PLY interface)."""

    tokens = tuple(sorted(set(RESERVED.values()) | {
        "NUMBER", "ID", "NUM_ID", "STRING", "IPV6ADDR", "PVAR", "AVP", "AVP_OR_PVAR", "SELECT",
        "EVENT_RT_NAME", "MSGLEN", "URIHOST", "URIPORT", "INTCAST", "STRCAST",
        "EQUAL", "EQUAL_T", "GT", "LT", "GTE", "LTE", "DIFF", "MATCH", "ADDEQ", "NOT", "LOG_AND",
        "BIN_AND", "LOG_OR", "BIN_OR", "BIN_NOT", "BIN_XOR", "BIN_LSHIFT", "BIN_RSHIFT", "PLUS",
        "MINUS", "STAR", "SLASH", "COMMA", "SEMICOLON", "COLON", "LPAREN", "RPAREN", "LBRACE",
        "RBRACE", "LBRACK", "RBRACK", "DOT"}))

    t_ignore = " \t\b\r\n"

    # -- comments and compat headers (function rules run in this order, before string rules) --
    def t_ignore_COMMENT(self, t):
        r"\#|//"
        text, pos = t.lexer.lexdata, t.lexer.lexpos
        if text.startswith("!", pos):
            m = re.compile(r"!([A-Z]+)\n").match(text, pos)
            if m and m.group(1) in COMPAT_HEADERS:
                self.compat = COMPAT_HEADERS[m.group(1)]
                self.headers.append((m.group(1), t.lexpos))
        end = text.find("\n", pos)
        t.lexer.lexpos = len(text) if end < 0 else end + 1
        return None

    def t_ignore_BLOCK_COMMENT(self, t):
        r"/\*"
        text, pos, depth = t.lexer.lexdata, t.lexer.lexpos, 1
        while depth:
            m = re.compile(r"/\*|\*/").search(text, pos)
            if not m:
                raise LexError(t.lexpos, "unterminated block comment")
            depth += 1 if m.group() == "/*" else -1
            pos = m.end()
        t.lexer.lexpos = pos
        return None

    def t_ignore_ESCAPED_NEWLINE(self, t):
        r"\\\n"
        return None

    def t_STRING(self, t):
        r"[\"']"
        if t.value == "'":
            return self._raw_string(t)
        text, pos, out = t.lexer.lexdata, t.lexer.lexpos, []
        while True:
            while True:
                if pos >= len(text):
                    raise LexError(t.lexpos, "unterminated string")
                c = text[pos]
                if c == '"':
                    pos += 1
                    break
                if c == "\\" and pos + 1 < len(text):
                    n = text[pos + 1]
                    if n in _ESCAPES:
                        out.append(_ESCAPES[n]); pos += 2; continue
                    if n == "\n":
                        pos += 2; continue
                    m = re.compile(r"x([0-9a-fA-F]{1,2})").match(text, pos + 1)
                    if m:
                        out.append(chr(int(m.group(1), 16))); pos = m.end(); continue
                    m = re.compile(r"[0-7]{2,3}").match(text, pos + 1)
                    if m:
                        out.append(chr(int(m.group(), 8) & 0xFF)); pos = m.end(); continue
                    out.append("\\"); pos += 1; continue  # unknown escape keeps the backslash
                out.append(c)
                pos += 1
            # adjacent "..." strings (only blanks and newlines between) are one token
            p = pos
            while p < len(text) and text[p] in _EAT:
                p += 1
            if p < len(text) and text[p] == '"':
                pos = p + 1
                continue
            break
        t.lexer.lexpos = pos
        t.type, t.value = "STRING", "".join(out)
        return t

    @staticmethod
    def _raw_string(t):
        """'...' is completely raw (no escapes, may span lines) and never merged with neighbours."""
        text, pos = t.lexer.lexdata, t.lexer.lexpos
        end = text.find("'", pos)
        if end < 0:
            raise LexError(t.lexpos, "unterminated string")
        t.lexer.lexpos = end + 1
        t.type, t.value = "STRING", text[pos:end]
        return t

    def t_INTCAST(self, t):
        r"\((int|str)\)"
        t.type = "INTCAST" if t.value == "(int)" else "STRCAST"
        return t

    def t_PVAR(self, t):
        r"\$"
        text, start = t.lexer.lexdata, t.lexpos
        m = _RETCODE.match(text, start)
        if m:  # $?, $rc, $retcode: dedicated longest-match rule (so `$rcv(x)` splits)
            t.lexer.lexpos = m.end()
            t.type, t.value = "PVAR", m.group()
            return t
        pos = start + 1
        if text.startswith("(", pos) and self.compat != "ser":
            return self._pv_parens(t, pos)
        if self.compat == "kamailio":
            m = _ID.match(text, pos)
            pos = m.end() if m else pos
            if text.startswith("(", pos):
                return self._pv_parens(t, pos)
            if pos == start + 1:
                raise LexError(start, "invalid pseudo-variable: '$' not followed by a name")
            t.lexer.lexpos = pos
            t.type, t.value = "PVAR", text[start:pos]
            return t
        if self.compat == "ser":
            return self._avp(t, pos)
        # MAX compat mode (the default)
        m = _AVP_PREF.match(text, pos)
        idm = _ID.match(text, pos)
        idlen = idm.end() - pos if idm else 0
        if m and m.end() - pos > idlen:
            return self._avp(t, pos)
        if idm and text.startswith("[", idm.end()):
            return self._avp(t, pos)
        if idm and text.startswith("(", idm.end()):
            return self._pv_parens(t, idm.end())
        if not idm:
            raise LexError(start, "invalid pseudo-variable: '$' not followed by a name")
        t.lexer.lexpos = idm.end()
        t.type, t.value = "AVP_OR_PVAR", text[start:idm.end()]
        return t

    def t_AVP(self, t):
        r"%"
        return self._avp(t, t.lexer.lexpos)

    def t_SELECT(self, t):
        r"@"
        m = _SELECT.match(t.lexer.lexdata, t.lexpos)
        if not m:
            raise LexError(t.lexpos, "invalid select: '@' must be followed by an identifier")
        t.lexer.lexpos = m.end()
        t.type, t.value = "SELECT", m.group()
        return t

    def t_COLON(self, t):
        r":"
        n = _longest(t.lexer.lexdata, t.lexpos, _IPV6)
        if n > 1:
            t.lexer.lexpos = t.lexpos + n
            t.type, t.value = "IPV6ADDR", t.lexer.lexdata[t.lexpos:t.lexpos + n]
        else:
            t.type = "COLON"
        return t

    def t_ID(self, t):
        r"[A-Za-z0-9_]+"
        text, p = t.lexer.lexdata, t.lexpos
        if self.evrt_state == 2:  # inside event_route[...]: one EVENT_RT_NAME token
            m = _EVENT_RT_NAME.match(text, p)
            if m:
                t.lexer.lexpos = m.end()
                t.type, t.value = "EVENT_RT_NAME", m.group()
                return t
        idm = _ID.match(text, p)
        idlen = idm.end() - p if idm else 0
        cands = []  # (length, priority, type); lower priority number wins ties, as rule order in cfg.lex
        for f in _FIXED:
            if text.startswith(f, p):
                cands.append((len(f), 0, _FIXED_TOKENS[f]))
        if idm and (idm.group() in RESERVED or idm.group() in NUMBER_WORDS):
            cands.append((idlen, 0, "KEYWORD"))
        n = _longest(text, p, _IPV6)
        if n:
            cands.append((n, 1, "IPV6ADDR"))
        for prio, (rx, kind) in enumerate(((_DEC, 10), (_HEX, 16), (_OCT, 8), (_BIN, 2)), start=2):
            m = rx.match(text, p)
            if m:
                cands.append((m.end() - p, prio, ("NUMBER", kind)))
        if idm:
            cands.append((idlen, 8, "ID"))
        m = _NUM_ID.match(text, p)
        cands.append((m.end() - p, 9, "NUM_ID"))
        length, _, kind = max(cands, key=lambda c: (c[0], -c[1]))
        word = text[p:p + length]
        t.lexer.lexpos = p + length
        t.value = word
        if kind == "KEYWORD":
            if word in NUMBER_WORDS:
                t.type, t.value = "NUMBER", NUMBER_WORDS[word]
            else:
                t.type = RESERVED[word]
                if t.type == "ROUTE_EVENT":
                    self.evrt_state = 1
        elif isinstance(kind, tuple):
            digits = word[2:] if kind[1] == 16 else word[:-1] if kind[1] == 2 else word
            t.type, t.value = "NUMBER", wrap32(int(digits, kind[1]))
        else:
            t.type = kind
        return t

    def t_LBRACK(self, t):
        r"\["
        if self.evrt_state == 1:
            self.evrt_state = 2
        return t

    def t_RBRACK(self, t):
        r"\]"
        self.evrt_state = 0
        return t

    t_ADDEQ = r"\+="
    t_EQUAL_T = r"=="
    t_DIFF = r"!="
    t_MATCH = r"=~"
    t_GTE = r">="
    t_LTE = r"<="
    t_BIN_LSHIFT = r"<<"
    t_BIN_RSHIFT = r">>"
    t_LOG_AND = r"&&"
    t_LOG_OR = r"\|\|"
    t_EQUAL = r"="
    t_GT = r">"
    t_LT = r"<"
    t_NOT = r"!"
    t_BIN_AND = r"&"
    t_BIN_OR = r"\|"
    t_BIN_NOT = r"~"
    t_BIN_XOR = r"\^"
    t_PLUS = r"\+"
    t_MINUS = r"-"
    t_STAR = r"\*"
    t_SLASH = r"/"
    t_COMMA = r","
    t_SEMICOLON = r";"
    t_LPAREN = r"\("
    t_RPAREN = r"\)"
    t_LBRACE = r"\{"
    t_RBRACE = r"\}"
    t_DOT = r"\."

    def t_error(self, t):
        raise LexError(t.lexpos, f"unexpected character {t.value[0]!r}")

    # -- helpers for the hand-scanned tokens --
    def _pv_parens(self, t, lparen: int):
        """Everything up to the matching ')' (parentheses counted, nothing else) is one PVAR."""
        text, depth, pos = t.lexer.lexdata, 0, lparen
        while pos < len(text):
            c = text[pos]
            depth += (c == "(") - (c == ")")
            pos += 1
            if depth == 0:
                t.lexer.lexpos = pos
                t.type, t.value = "PVAR", text[t.lexpos:pos]
                return t
        raise LexError(t.lexpos, "unterminated pseudo-variable (unbalanced parentheses)")

    def _avp(self, t, pos: int):
        """SER-style AVP: [$%] [class.] name [index] -> one AVP token with the raw text."""
        text = t.lexer.lexdata
        m = _AVP_PREF.match(text, pos)
        if m:
            pos = m.end()
        m = _ID.match(text, pos)
        if not m:
            raise LexError(t.lexpos, "invalid AVP name")
        pos = m.end()
        m = _AVP_INDEX.match(text, pos)
        if m:
            pos = m.end()
        t.lexer.lexpos = pos
        t.type, t.value = "AVP", text[t.lexpos:pos]
        return t

    # -- public interface --
    def build(self, **kwargs):
        self.lexer = ply.lex.lex(module=self, optimize=False, debug=False, **kwargs)
        return self

    def input(self, text: str, compat: str = "max"):
        self.compat = compat
        self.headers: list[tuple[str, int]] = []
        self.evrt_state = 0
        self.text = text
        self.lexer.input(text)
        self.last = None

    def token(self):
        tok = self.lexer.token()
        if tok is not None:
            tok.raw = self.text[tok.lexpos:self.lexer.lexpos]
            tok.end = self.lexer.lexpos
            self.last = tok
        return tok

    def __iter__(self):
        while True:
            tok = self.token()
            if tok is None:
                return
            yield tok


def tokenize(text: str, compat: str = "max") -> list[tuple[str, object]]:
    """(type, value) pairs of a text: for tests and debugging."""
    lx = get_lexer()
    lx.input(text, compat)
    return [(t.type, t.value) for t in lx]


_LEXER: CfgLexer | None = None


def get_lexer() -> CfgLexer:
    """The process-wide lexer (PLY builds its master regex once)."""
    global _LEXER
    if _LEXER is None:
        _LEXER = CfgLexer().build()
    return _LEXER
