"""The expanding pre-scan: Kamailio's scanner states, minus the tokens, producing the text the lexer reads.

Kamailio fuses its preprocessor into the flex scanner (src/core/cfg.lex): directives are scanner rules,
a define is expanded by pushing its value back into the input, and the scanner's state (inside a line
comment, a string, a PV) carries across that pushed-back text and across include boundaries. This module
replays exactly those states over a stack of input frames (files and macro values) and writes:
  * ordinary text copied as is (comments blanked to spaces, newlines kept),
  * directives and skipped #!ifdef branches blanked (newlines kept, so lines stay put inside a file),
  * included files spliced in, define values in place of their names, #!subst results re-quoted,
plus a segment map from output offsets back to file:line:col (macro text maps to its use site).
"""
from __future__ import annotations

import bisect
import os
import re

from cfgvm.diagnostics import Coord, Diagnostic, error
from cfgvm.ppkeywords import PREFIXED_KEYWORDS, RESERVED_WORDS
from cfgvm.ppsubst import SubstError, parse_rule, run_rules

MAX_INCLUDE_DEPTH = 10
MAX_INCLUDE_NAME = 128
MAX_IFDEF_DEPTH = 512
MAX_DEFINES = 512
MAX_MACRO_DEPTH = 200
COMPAT_MODES = {"SER": "SER", "KAMAILIO": "KAMAILIO", "OPENSER": "KAMAILIO", "MAXCOMPAT": "MAX", "ALL": "MAX"}

# one scanner step in the normal state; alternatives ordered so the first match is flex's longest match
TOKEN = re.compile(r"""
  (?P<ws>[ \t\b\r\n]+)
| (?P<contline>\\\n)
| (?P<bcomment>/\*)
| (?P<hdr>(?:\#|//)!(?P<hdrword>SER|KAMAILIO|OPENSER|MAXCOMPAT|ALL)\n)
| (?:\#!|!!)(?:
      (?P<define>define|def|trydefine|trydef|redefine|redef)[ \t\b\r]+
    | (?P<ifdef>ifdef|ifndef)[ \t\b\r]+
    | (?P<elseif>else|endif)[ \t\b\r]*\n
    | (?P<subst>substdefs|substdef|subst)
    | (?P<include>include_file|import_file)
    | (?P<defenv>trydefenvs|trydefenv|defenvs|defenv))
| (?P<lcomment>\#|//)
| (?P<dq>")
| (?P<sq>')
| (?P<retcode>\$(?:retcode|rc|\?))
| (?P<pv>\$)
| (?P<attr>%)
| (?P<select>@)
| (?P<word>[A-Za-z0-9_]+)
| (?P<colon>:)
| (?P<other>[^ \t\b\r\n\\/\#!"'$%@A-Za-z0-9_:]+|.)
""", re.X | re.S)
SKIP_DIRECTIVE = re.compile(r"(?:#!|!!)(?:(?P<ifdef>ifdef|ifndef)[ \t\b\r]+|(?P<elseif>else|endif)[ \t\b\r]*\n)")
ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEFINE_DATA = re.compile(r"(?:[^\\\n]|\\\n|\\(?!\n))*")
_H4 = "[0-9a-fA-F]{1,4}"
IPV6 = [re.compile(p) for p in (
    rf"(?:{_H4}:){{7}}{_H4}", rf"(?:{_H4}:){{1,7}}(?::{_H4}){{1,7}}", rf":(?::{_H4}){{1,7}}",
    rf"(?:{_H4}:){{1,7}}:", "::")]
EVENT_ROUTE_NAME = re.compile(r"[ \t\b\r\n]*\[[ \t\b\r\n]*[a-zA-Z][0-9a-zA-Z-]*(?::[a-zA-Z][0-9a-zA-Z_-]*)+"
                              r"[ \t\b\r\n]*\]")
SELECT_PART = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*|0x[0-9a-fA-F]+|[0-9]+b?|[.\[\]])+")
AVP_NAME = re.compile(r"(?:(?:[ft][rud]?|g)\.)?[A-Za-z_][A-Za-z0-9_]*")
COMMENT_MARK = re.compile(r"/\*|\*/")
BLANKS = re.compile(r"[ \t\b\r\n]*")
# a directive's argument: one word after blanks on its line (#!defenv) or also on the next lines (include)
_GAP_LINE = re.compile(r"[ \t]*")
_GAP_LINES = re.compile(r"[ \t\r\n]*")
_WORD = re.compile(r"[^ \t\r\n]*")


def _word_span(text: str, pos: int, gap: re.Pattern) -> tuple[int, int]:
    """(start, end) of the word after the gap at pos; start == end when there is none."""
    a = gap.match(text, pos).end()
    return a, _WORD.match(text, a).end()
STRING_ESCAPES = {"n": "\n", "r": "\r", "a": "\a", "t": "\t", '"': '"', "\\": "\\"}
STRING1_PART = re.compile(r'[^"\\]+')
STRING_ESCAPE = re.compile(r'\\(?:\n|[nrat"\\]|x[0-9a-fA-F]{1,2}|[0-7]{2,3})')


def ipv6_length(text: str, pos: int) -> int:
    return max((m.end() - pos for rx in IPV6 if (m := rx.match(text, pos))), default=0)


def blanked(s: str) -> str:
    return re.sub(r"[^\n]", " ", s)


def module_define(name: str) -> str | None:
    """MOD_<name> for `loadmodule "dir/name.so"`: directory and .so dropped, as Kamailio does."""
    if name.endswith(".so"):
        name = name[:-3]
    name = name.rsplit("/", 1)[-1]
    return "MOD_" + name if name else None


def string_literal(value: str) -> str:
    """A double-quoted literal the lexer reads back as `value` (no raw newlines: lines stay put)."""
    return '"' + (value.replace("\\", "\\\\").replace('"', '\\"')
                  .replace("\n", "\\n").replace("\r", "\\r")) + '"'


class SourceFile:
    __slots__ = ("name", "path", "text", "line_starts")

    def __init__(self, name: str, path: str, text: str):
        self.name, self.path, self.text = name, path, text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def coord(self, offset: int) -> Coord:
        i = bisect.bisect_right(self.line_starts, offset) - 1
        return Coord(self.name, i + 1, offset - self.line_starts[i] + 1)


class Frame:
    """Input being scanned: a file (linear source map) or a define value (maps to its use site)."""
    __slots__ = ("text", "pos", "file", "coord", "macro", "depth")

    def __init__(self, text, file=None, coord=None, macro=None, depth=0):
        self.text, self.pos, self.file, self.coord, self.macro, self.depth = text, 0, file, coord, macro, depth

    def coord_at(self, pos: int) -> Coord:
        return self.file.coord(pos) if self.file is not None else self.coord


def read_text(path: str) -> str:
    """Configs are bytes; latin-1 maps each byte to one character, so offsets and lengths stay byte-exact."""
    with open(path, "rb") as f:
        return f.read().decode("latin-1")


def resolve_include(fname: str, includer: str, cwd: str | None) -> str | None:
    """Kamailio's lookup: the name as given (relative to the process cwd), then beside the including file
    (unless the name is absolute). Returns the name Kamailio then uses for the file, or None."""
    def exists(p):
        return os.path.isfile(os.path.join(cwd, p) if cwd and not os.path.isabs(p) else p)
    if exists(fname):
        return fname
    if fname.startswith("/") or "/" not in includer:
        return None
    alt = includer.rsplit("/", 1)[0] + "/" + fname
    return alt if exists(alt) else None


def unquote_include(raw: str) -> str:
    """The file name of `include_file "name"`: quotes required, escapes \\t \\n \\r, \\x -> x."""
    if len(raw) >= MAX_INCLUDE_NAME:
        raise ValueError(f"included file name too long (max {MAX_INCLUDE_NAME - 1} characters): {raw}")
    if len(raw) < 2 or raw[0] != '"' or raw[-1] != '"':
        raise ValueError(f"included file name must be between double quotes: {raw}")
    out, i, body = [], 0, raw[1:-1]
    while i < len(body):
        c = body[i]
        if c == "\\":
            if i + 1 == len(body):
                raise ValueError(f"invalid escape at the end of included file name: {raw}")
            i += 1
            c = {"t": "\t", "n": "\n", "r": "\r"}.get(body[i], body[i])
        out.append(c)
        i += 1
    if not out:
        raise ValueError(f"invalid (empty) included file name: {raw}")
    return "".join(out)


class Expander:
    """Scans the main file and everything it pulls in; see the module docstring."""

    def __init__(self, defines: dict, cwd: str | None, compat: str = "5.6"):
        self.defines = defines            # name -> value text or None
        self.cwd = cwd
        self.compat = compat
        self.rules = []                   # #!subst rules, in order
        self.files: list[SourceFile] = []
        self.warnings: list[Diagnostic] = []
        self.mode = "MAX"                 # compatibility mode (#!KAMAILIO, #!SER, ...)
        self.ifstack: list[list] = []     # [condition, coord, word] per open #!ifdef
        self.stray_endifs: list[Coord] = []  # #!endif met with no #!ifdef open (Kamailio: warning)
        self.at_end = False               # the whole input was scanned (an error then follows the parse)
        self.skipping = False
        self.stack: list[Frame] = []
        self.state = "INITIAL"
        self.expect = None                # ("subst", kind, coord) / ("loadmodule", coord)
        # output and source map
        self.out: list[str] = []
        self.outlen = 0
        self.seg_starts: list[int] = []
        self.seg_origins: list[tuple] = []
        # pending multi-frame token (string, PV, comment)
        self.tok_start = None             # (len(out), outlen, len(segs)) where the token's output began
        self.tok_coord = None
        self.tok_value: list[str] = []
        self.comment_nest = 0
        self.paren_nest = 0
        self.in_select = False

    # ---------------------------------------------------------------- output
    def _origin(self, fr: Frame, pos: int) -> tuple:
        return ("f", fr.file, pos) if fr.file is not None else ("c", fr.coord)

    def emit(self, fr: Frame, pos: int, s: str) -> None:
        if not s:
            return
        org = self._origin(fr, pos)
        if self.seg_origins:
            last, start = self.seg_origins[-1], self.seg_starts[-1]
            if org[0] == "c" and last == org:
                org = None
            elif (org[0] == "f" and last[0] == "f" and last[1] is org[1]
                  and last[2] + (self.outlen - start) == pos):
                org = None
        if org is not None:
            self.seg_starts.append(self.outlen)
            self.seg_origins.append(org)
        self.out.append(s)
        self.outlen += len(s)

    def copy(self, fr: Frame, a: int, b: int) -> None:
        self.emit(fr, a, fr.text[a:b])

    def blank(self, fr: Frame, a: int, b: int) -> None:
        self.emit(fr, a, blanked(fr.text[a:b]))

    def _mark(self) -> tuple:
        return (len(self.out), self.outlen, len(self.seg_starts))

    def _replace_since(self, mark: tuple, text: str, coord: Coord) -> None:
        """Replace the output emitted since `mark` by `text`, all of it mapped to `coord`."""
        n_out, outlen, n_seg = mark
        del self.out[n_out:], self.seg_starts[n_seg:], self.seg_origins[n_seg:]
        self.outlen = outlen
        self.seg_starts.append(outlen)
        self.seg_origins.append(("c", coord))
        self.out.append(text)
        self.outlen += len(text)

    def _emitted_since(self, mark: tuple) -> str:
        return "".join(self.out[mark[0]:])

    # ---------------------------------------------------------------- driver
    def run(self, main: SourceFile) -> str:
        self.files.append(main)
        self.stack.append(Frame(main.text, file=main, depth=0))
        while self.stack:
            fr = self.stack[-1]
            if fr.pos >= len(fr.text):
                self.stack.pop()
                if fr.file is not None:
                    self._end_of_file(fr)
                continue
            if self.skipping:
                self.skip(fr)
            else:
                getattr(self, "st_" + self.state)(fr)
        self.at_end = True
        self._check_balance()
        return "".join(self.out)

    def _check_balance(self) -> None:
        """Kamailio only COUNTS #!if[n]def against #!endif (kamailio#3826): a stray #!endif is a warning
        and an #!ifdef left open later balances it; only a count that differs at the end is an error."""
        level = len(self.ifstack) - len(self.stray_endifs)
        if level > 0:
            _, coord, word = self.ifstack[-1]
            raise error(coord, "preproc-unbalanced-ifdef",
                        f"#!{word} without a matching #!endif at the end of the input "
                        f"({level} more #!if[n]def than #!endif)")
        if level < 0:
            raise error(self.stray_endifs[-1], "preproc-unbalanced-endif",
                        f"#!endif without a matching #!ifdef ({-level} more #!endif than #!if[n]def)")
        for stray, (_, coord, word) in zip(self.stray_endifs, self.ifstack):
            self.warnings.append(Diagnostic(stray, "warning", "preproc-unbalanced-endif",
                                            f"#!endif without a matching #!ifdef, balanced only in count by the "
                                            f"#!{word} left open at {coord} (Kamailio only counts them)"))

    def _end_of_file(self, fr: Frame) -> None:
        """Kamailio keeps the scanner state across an include's end; only a pending string ends there."""
        if self.state == "STR_BETWEEN":
            self.finish_string()
        elif self.state in ("STRING1", "STRING2"):
            raise error(self.tok_coord, "preproc-unclosed-string", "unexpected end of file in unclosed string")
        elif self.state == "COMMENT":
            raise error(self.tok_coord, "preproc-unclosed-comment",
                        f"unexpected end of file: {self.comment_nest} comment(s) open")
        elif self.state == "PVAR_P":
            raise error(self.tok_coord, "preproc-unclosed-pv",
                        f"unexpected end of file in a pseudo-variable name ({self.paren_nest} parenthesis open)")

    # ---------------------------------------------------------------- states
    def st_LINECOMMENT(self, fr: Frame) -> None:
        end = fr.text.find("\n", fr.pos)
        end = len(fr.text) if end < 0 else end
        self.blank(fr, fr.pos, end)
        fr.pos = end
        if end < len(fr.text):
            self.state = "INITIAL"       # the newline itself is scanned as whitespace

    def st_COMMENT(self, fr: Frame) -> None:
        t, p = fr.text, fr.pos
        while p < len(t):
            m = COMMENT_MARK.search(t, p)
            if not m:
                p = len(t)
                break
            p = m.end()
            self.comment_nest += 1 if m.group() == "/*" else -1
            if self.comment_nest == 0:
                self.state = "INITIAL"
                break
        self.blank(fr, fr.pos, p)
        fr.pos = p

    def st_STRING1(self, fr: Frame) -> None:
        t, p, val = fr.text, fr.pos, self.tok_value
        start = p
        while p < len(t):
            m = STRING1_PART.match(t, p)
            if m:
                val.append(m.group())
                p = m.end()
                continue
            c = t[p]
            if c == '"':
                p += 1
                self.state = "STR_BETWEEN"
                break
            m = STRING_ESCAPE.match(t, p)
            if m:
                e = m.group()[1:]
                if e == "\n":
                    pass
                elif e[0] == "x":
                    val.append(chr(int(e[1:], 16)))
                elif e[0].isdigit():
                    val.append(chr(int(e, 8) & 0xFF))
                else:
                    val.append(STRING_ESCAPES[e])
                p = m.end()
            else:                       # a lone backslash stays (so "\$rm" keeps both characters)
                val.append("\\")
                p += 1
        self.copy(fr, start, p)
        fr.pos = p

    def st_STR_BETWEEN(self, fr: Frame) -> None:
        m = BLANKS.match(fr.text, fr.pos)
        self.copy(fr, fr.pos, m.end())
        fr.pos = m.end()
        if fr.pos < len(fr.text):
            if fr.text[fr.pos] == '"':        # adjacent strings are one token
                self.copy(fr, fr.pos, fr.pos + 1)
                fr.pos += 1
                self.state = "STRING1"
            else:
                self.finish_string()

    def st_STRING2(self, fr: Frame) -> None:
        end = fr.text.find("'", fr.pos)
        stop = len(fr.text) if end < 0 else end + 1
        self.tok_value.append(fr.text[fr.pos:stop if end < 0 else end])
        self.copy(fr, fr.pos, stop)
        fr.pos = stop
        if end >= 0:
            self.finish_string()

    def st_PVAR_P(self, fr: Frame) -> None:
        t, p = fr.text, fr.pos
        while p < len(t):
            c = t[p]
            p += 1
            if c == "(":
                self.paren_nest += 1
            elif c == ")":
                self.paren_nest -= 1
                if self.paren_nest == 0:
                    break
        self.copy(fr, fr.pos, p)
        fr.pos = p
        if self.paren_nest == 0:
            self.state = "INITIAL"
            self.finish_pv()

    # ---------------------------------------------------------------- tokens
    def begin_token(self, fr: Frame, pos: int) -> None:
        self.tok_start = self._mark()
        self.tok_coord = fr.coord_at(pos)
        self.tok_value = []

    def finish_string(self) -> None:
        self.state = "SELECT" if self.in_select else "INITIAL"
        value = "".join(self.tok_value)
        expect, self.expect = self.expect, None
        if self.rules:
            new = run_rules(self.rules, value)
        else:
            new = None
        if expect and expect[0] == "subst":
            raw = self._emitted_since(self.tok_start)
            self._replace_since(self.tok_start, blanked(raw), self.tok_coord)
            self.add_subst(expect[1], new if new is not None else value, expect[2])
            return
        if expect and expect[0] == "loadmodule":
            name = module_define(new if new is not None else value)
            if name and name not in self.defines:
                self.set_define(name, None, self.tok_coord)
        if new is not None:
            raw = self._emitted_since(self.tok_start)
            core = raw.rstrip(" \t\b\r\n")
            lit = "'" + new + "'" if raw.startswith("'") and "'" not in new else string_literal(new)
            self._replace_since(self.tok_start, lit + "\n" * core.count("\n") + raw[len(core):], self.tok_coord)

    def finish_pv(self) -> None:
        if self.rules:
            raw = self._emitted_since(self.tok_start)
            new = run_rules(self.rules, raw)
            if new is not None:
                self._replace_since(self.tok_start, new, self.tok_coord)

    def st_SELECT(self, fr: Frame) -> None:
        m = SELECT_PART.match(fr.text, fr.pos)
        if m:
            self.copy(fr, fr.pos, m.end())
            fr.pos = m.end()
            if fr.pos >= len(fr.text):
                return
        if fr.text[fr.pos] == '"':
            self.begin_token(fr, fr.pos)
            self.copy(fr, fr.pos, fr.pos + 1)
            fr.pos += 1
            self.state = "STRING1"
        else:
            self.in_select = False
            self.state = "INITIAL"

    def _expect_other_token(self, fr: Frame, pos: int) -> None:
        """A token that is not a string arrives while a directive waits for one."""
        if self.expect is None:
            return
        if self.expect[0] == "subst":
            raise error(fr.coord_at(pos), "preproc-subst-syntax",
                        f"invalid #!{self.expect[1]} statement: a double-quoted rule string must follow")
        if self.expect[0] == "loadmodule" and fr.text[pos] == "(":   # 5.7 form loadmodule("x")
            return
        self.expect = None

    def st_INITIAL(self, fr: Frame) -> None:
        t, p = fr.text, fr.pos
        m = TOKEN.match(t, p)
        kind = m.lastgroup
        if kind in ("ws", "contline"):
            if kind == "contline":
                self.emit(fr, p, " \n")
            else:
                self.copy(fr, p, m.end())
            fr.pos = m.end()
            return
        if kind == "hdr":              # a compatibility header: kept, the lexer switches mode on it too
            self.copy(fr, p, m.end())
            self.mode = COMPAT_MODES[m.group("hdrword")]
            fr.pos = m.end()
            return
        if kind == "bcomment":
            self.state, self.comment_nest = "COMMENT", 1
            self.tok_coord = fr.coord_at(p)
            self.blank(fr, p, m.end())
            fr.pos = m.end()
            return
        if kind == "lcomment":
            self.state = "LINECOMMENT"
            return
        if kind in ("define", "ifdef", "elseif", "subst", "include", "defenv"):
            fr.pos = m.end()
            getattr(self, "dir_" + kind)(fr, p, m)
            return
        if kind in ("dq", "sq"):
            self.begin_token(fr, p)
            self.copy(fr, p, p + 1)
            fr.pos = p + 1
            self.state = "STRING1" if kind == "dq" else "STRING2"
            return
        self._expect_other_token(fr, p)
        if kind == "pv":
            self.scan_pv(fr, p)
        elif kind == "attr":
            a = AVP_NAME.match(t, p + 1)
            end = a.end() if a else p + 1
            self.copy(fr, p, end)
            fr.pos = end
        elif kind == "select":
            self.copy(fr, p, p + 1)
            fr.pos = p + 1
            self.in_select, self.state = True, "SELECT"
        elif kind == "word":
            self.scan_word(fr, p, m.end())
        elif kind == "colon":
            end = p + max(1, ipv6_length(t, p))
            self.copy(fr, p, end)
            fr.pos = end
        else:
            self.copy(fr, p, m.end())
            fr.pos = m.end()

    def scan_pv(self, fr: Frame, p: int) -> None:
        t = fr.text
        self.begin_token(fr, p)
        q = p + 1
        if t.startswith("(", q):
            self.copy(fr, p, q + 1)
            fr.pos, self.paren_nest, self.state = q + 1, 1, "PVAR_P"
            return
        if self.mode == "KAMAILIO":
            m = ID.match(t, q)
            end = m.end() if m else q
        else:
            m = AVP_NAME.match(t, q)
            end = m.end() if m else q
            if m and t.startswith("[", end):   # SER AVP $name[..]: the name is not a PV
                self.copy(fr, p, end)
                fr.pos = end
                return
        if m and t.startswith("(", end):
            self.copy(fr, p, end + 1)
            fr.pos, self.paren_nest, self.state = end + 1, 1, "PVAR_P"
            return
        self.copy(fr, p, end)
        fr.pos = end
        if self.mode == "KAMAILIO":
            self.finish_pv()

    def scan_word(self, fr: Frame, p: int, end: int) -> None:
        t, w = fr.text, fr.text[p:end]
        v6 = ipv6_length(t, p)
        if v6 > end - p:
            end = p + v6
        elif w[0].isdigit():
            pass
        elif any(t.startswith(k, p) for k in PREFIXED_KEYWORDS):
            end = p + next(len(k) for k in PREFIXED_KEYWORDS if t.startswith(k, p))
        elif w in ("include_file", "import_file"):
            fr.pos = end
            self.dir_include(fr, p, None)
            return
        elif w in RESERVED_WORDS:
            if w in ("loadmodule", "loadmodulex"):
                self.expect = ("loadmodule", fr.coord_at(p))
            elif w == "event_route":
                m = EVENT_ROUTE_NAME.match(t, end)
                if m:
                    end = m.end()
        elif w in self.defines:
            fr.pos = end
            self.expand(fr, p, w)
            return
        self.copy(fr, p, end)
        fr.pos = end

    def expand(self, fr: Frame, p: int, name: str) -> None:
        coord = fr.coord_at(p)
        if any(f.macro == name for f in self.stack) or len(self.stack) > MAX_MACRO_DEPTH:
            raise error(coord, "preproc-define-recursion",
                        f"define {name} expands to itself (Kamailio would loop forever)")
        value = self.defines[name]
        if value:
            self.stack.append(Frame(value, coord=coord, macro=name, depth=fr.depth))

    # ---------------------------------------------------------------- skipped branches
    def skip(self, fr: Frame) -> None:
        m = SKIP_DIRECTIVE.search(fr.text, fr.pos)
        stop = m.start() if m else len(fr.text)
        self.blank(fr, fr.pos, stop)
        fr.pos = stop
        if m:
            fr.pos = m.end()
            if m.group("ifdef"):
                self.dir_ifdef(fr, m.start(), m)
            else:
                self.dir_elseif(fr, m.start(), m)

    def _update_skipping(self) -> None:
        self.skipping = not all(c for c, _, _ in self.ifstack)

    # ---------------------------------------------------------------- directives
    def _directive_name(self, fr: Frame, what: str) -> str:
        m = ID.match(fr.text, fr.pos)
        coord = fr.coord_at(fr.pos)
        if not m:
            raise error(coord, "preproc-bad-name", f"#!{what} must be followed by a name (letters, digits, _)")
        if fr.text.startswith("-", m.end()):
            raise error(coord, "preproc-bad-name", f"'-' not allowed in the name after #!{what}")
        fr.pos = m.end()
        return m.group()

    def set_define(self, name: str, value: str | None, coord: Coord, how: str = "define") -> None:
        if name in self.defines:
            if how == "trydef":
                return
            if how != "redefine":
                raise error(coord, "preproc-redefined", f"already defined: {name}")
        elif len(self.defines) >= MAX_DEFINES:
            raise error(coord, "preproc-too-many-defines", f"too many defines (max {MAX_DEFINES})")
        self.defines[name] = value

    def dir_define(self, fr: Frame, start: int, m: re.Match) -> None:
        word = m.group("define")
        how = {"def": "define", "trydefine": "trydef", "redef": "redefine"}.get(word, word)
        coord = fr.coord_at(fr.pos)
        name = self._directive_name(fr, word)
        t = fr.text
        q = re.compile(r"[ \t\b\r]*").match(t, fr.pos).end()
        value = None
        if q < len(t) and t[q] != "\n":
            parts = []
            while True:
                end = DEFINE_DATA.match(t, q).end()
                parts.append(t[q:end])
                self.blank(fr, start, end)
                fr.pos = end
                if end < len(t):
                    value = re.sub(r"\\\n", "", "".join(parts))
                    break
                # flex keeps the define-data state when an included file ends: the value goes on with
                # the rest of the including file's line (Kamailio 5.6.3 accepts `#!define X "v"` as
                # the last line of an include without newline). At the main file's end it never closes.
                outer = self._outer_file_frame(fr)
                if outer is None:
                    break
                fr, t, start = outer, outer.text, outer.pos
                q = outer.pos
            self.set_define(name, value, coord, how)
            return
        self.set_define(name, value, coord, how)
        self.blank(fr, start, q)
        fr.pos = q

    def _outer_file_frame(self, fr: Frame) -> Frame | None:
        """The included file frame fr has ended: pop it and return the frame of its includer."""
        if fr.file is None or len(self.stack) < 2 or self.stack[-1] is not fr:
            return None
        self.stack.pop()
        return self.stack[-1] if self.stack[-1].file is not None else None

    def dir_ifdef(self, fr: Frame, start: int, m: re.Match) -> None:
        word = m.group("ifdef")
        coord = fr.coord_at(start)
        name = self._directive_name(fr, word)
        if len(self.ifstack) >= MAX_IFDEF_DEPTH:
            raise error(coord, "preproc-ifdef-depth", f"too many nested #!ifdef (max {MAX_IFDEF_DEPTH})")
        eol = fr.text.find("\n", fr.pos)
        eol = len(fr.text) if eol < 0 else eol
        self.ifstack.append([(name in self.defines) == (word == "ifdef"), coord, word])
        self.blank(fr, start, eol)
        fr.pos = eol
        self._update_skipping()

    def dir_elseif(self, fr: Frame, start: int, m: re.Match) -> None:
        word = m.group("elseif")
        coord = fr.coord_at(start)
        self.blank(fr, start, m.end())
        if not self.ifstack:
            if word == "endif":          # counted, not popped: see _check_balance
                self.stray_endifs.append(coord)
                return
            self.warnings.append(Diagnostic(coord, "warning", "preproc-stray-else",
                                            "#!else without a matching #!ifdef is ignored"))
            return
        if word == "else":
            self.ifstack[-1][0] = not self.ifstack[-1][0]
        else:
            self.ifstack.pop()
        self._update_skipping()

    def dir_subst(self, fr: Frame, start: int, m: re.Match) -> None:
        self._expect_other_token(fr, start)
        self.expect = ("subst", m.group("subst"), fr.coord_at(start))
        self.blank(fr, start, fr.pos)

    def add_subst(self, kind: str, text: str, coord: Coord) -> None:
        try:
            rule = parse_rule(text, self.defines)
        except SubstError as e:
            raise error(coord, "preproc-bad-subst", f"bad #!{kind} expression: {e}") from None
        self.rules.append(rule)
        for pv in rule.unevaluated:
            self.warnings.append(Diagnostic(coord, "warning", "preproc-subst-pv",
                                            f"{pv} in #!{kind} is kept as written (cfgvm evaluates only $env, $def, $defn and $version(num) [{{re.subst}}] here)"))
        if kind != "subst":
            if not rule.regex_text:
                raise error(coord, "preproc-bad-subst", f"#!{kind}: define name too short")
            value = rule.repl_text
            if kind == "substdefs":
                value = '"' + value + '"'
            self.set_define(rule.regex_text, value, coord)

    def dir_defenv(self, fr: Frame, start: int, m: re.Match) -> None:
        word = m.group("defenv")
        coord = fr.coord_at(start)
        a, b = _word_span(fr.text, fr.pos, _GAP_LINE)
        arg = fr.text[a:b]
        if not arg:
            raise error(coord, "preproc-bad-name", f"#!{word} must be followed by NAME or ID=VAR")
        name, _, var = arg.partition("=")
        if "=" in arg and not var:
            raise error(coord, "preproc-bad-name", f"invalid #!{word} argument [{arg}]")
        var = var or name
        value = os.environ.get(var)
        if value is None:
            if not word.startswith("try"):
                raise error(coord, "preproc-env-undefined", f"environment variable not defined [{var}]")
        else:
            if word.endswith("s"):
                value = '"' + value + '"'
            self.set_define(name, value or None, coord)
        self.blank(fr, start, b)
        fr.pos = b

    def dir_include(self, fr: Frame, start: int, m: re.Match | None) -> None:
        word = m.group("include") if m else fr.text[start:fr.pos]
        coord = fr.coord_at(start)
        a, b = _word_span(fr.text, fr.pos, _GAP_LINES)
        raw = fr.text[a:b]
        if not raw:
            raise error(coord, "preproc-include-name", f"{word} must be followed by a double-quoted file name")
        if self.rules:
            raw = run_rules(self.rules, raw) or raw
        try:
            fname = unquote_include(raw)
        except ValueError as e:
            raise error(coord, "preproc-include-name", str(e)) from None
        self.blank(fr, start, b)
        fr.pos = b
        if fr.depth >= MAX_INCLUDE_DEPTH:
            raise error(coord, "preproc-include-depth",
                        f"too many nested includes (max depth {MAX_INCLUDE_DEPTH}) at {raw}")
        includer = self._file_of(fr)
        name = resolve_include(fname, includer.name, self.cwd)
        if name is None:
            if word == "import_file":
                return
            raise error(coord, "preproc-include-missing", f"cannot open included file: {raw}")
        path = os.path.join(self.cwd, name) if self.cwd and not os.path.isabs(name) else name
        try:
            text = read_text(path)
        except OSError as e:
            raise error(coord, "preproc-include-missing", f"cannot read included file {raw}: {e.strerror}") from None
        sf = SourceFile(name, os.path.abspath(path), text)
        self.files.append(sf)
        self.stack.append(Frame(text, file=sf, depth=fr.depth + 1))

    def _file_of(self, fr: Frame) -> SourceFile:
        for f in reversed(self.stack):
            if f.file is not None:
                return f.file
        return self.files[0]
