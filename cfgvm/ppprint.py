"""`kamailio --cfg-print`: the config with includes spliced in and #!ifdef branches chosen, nothing expanded.

Kamailio prints from a dedicated scanner state (CFGPRINTMODE in src/core/cfg.lex) that knows far less
than the normal one, and we reproduce it as it is, quirks included:
  * it knows no strings, so `include_file`/`loadmodule` are acted on wherever the letters appear outside
    a comment (even inside an ID or a string), and `#`/`//` start a comment anywhere;
  * #!ifdef/#!ifndef/#!else/#!endif lines vanish with their newline (text before them on the line stays;
    anything after the name of #!ifdef is echoed, the newline is not); skipped branches vanish;
  * `include_file "x"` vanishes (the rest of its line stays), the file's text takes its place;
  * #!define/#!defenv lines are printed and define names (for later #!ifdef); #!subst/#!substdef are
    plain comments here, so names defined by #!substdef are unknown to #!ifdef in this mode;
  * `loadmodule NAME` defines MOD_<name> (quotes, directory and .so dropped).
"""
from __future__ import annotations

import os
import re

from cfgvm.diagnostics import Coord, error
from cfgvm.ppscan import (ID, MAX_IFDEF_DEPTH, MAX_INCLUDE_DEPTH, SKIP_DIRECTIVE, SourceFile, read_text,
                          resolve_include, unquote_include)

PRINT_TOKEN = re.compile(r"""
  (?P<bcomment>/\*)
| (?:\#!|!!)(?:
      (?P<define>define|def|trydefine|trydef|redefine|redef)[ \t\b\r]+
    | (?P<ifdef>ifdef|ifndef)[ \t\b\r]+
    | (?P<elseif>else|endif)[ \t\b\r]*\n
    | (?P<pinclude>include_file|import_file)
    | (?P<defenv>trydefenvs|trydefenv|defenvs|defenv))
| (?P<include>include_file|import_file)
| (?P<lcomment>\#|//)
| (?P<loadmodule>loadmodule)
""", re.X)
COMMENT_MARK = re.compile(r"/\*|\*/")
IFDEF_EOL = re.compile(r"[ \t\b\r]*\n")


class CfgPrinter:
    def __init__(self, defines: dict, cwd: str | None):
        self.defines = dict(defines)
        self.cwd = cwd
        self.out: list[str] = []
        self.ifstack: list[bool] = []
        self.state = "PRINT"
        self.nest = 0

    def run(self, main: SourceFile) -> str:
        stack = [(main, 0)]
        self.pos = {id(main): 0}
        while stack:
            sf, depth = stack[-1]
            p = self.pos[id(sf)]
            if p >= len(sf.text):
                stack.pop()
                continue
            pushed = self.step(sf, p, depth)
            if pushed:
                stack.append(pushed)
                self.pos[id(pushed[0])] = 0
        return "".join(self.out)

    def _set(self, sf, p):
        self.pos[id(sf)] = p

    def step(self, sf: SourceFile, p: int, depth: int):
        t = sf.text
        if self.state == "SKIP":
            m = SKIP_DIRECTIVE.search(t, p)
            if not m:
                self._set(sf, len(t))
                return None
            return self.directive(sf, m, depth)
        if self.state == "LINECOMMENT":
            end = t.find("\n", p)
            end = len(t) if end < 0 else end + 1
            self.out.append(t[p:end])
            if t.endswith("\n", 0, end):
                self.state = "PRINT"
            self._set(sf, end)
            return None
        if self.state == "COMMENT":
            while True:
                m = COMMENT_MARK.search(t, p)
                if not m:
                    self.out.append(t[p:])
                    self._set(sf, len(t))
                    return None
                self.out.append(t[p:m.end()])
                p = m.end()
                self.nest += 1 if m.group() == "/*" else -1
                if self.nest == 0:
                    self.state = "PRINT"
                    self._set(sf, p)
                    return None
        m = PRINT_TOKEN.search(t, p)
        if not m:
            self.out.append(t[p:])
            self._set(sf, len(t))
            return None
        self.out.append(t[p:m.start()])
        return self.directive(sf, m, depth)

    def directive(self, sf: SourceFile, m: re.Match, depth: int):
        t, kind, p = sf.text, m.lastgroup, m.end()
        if kind == "bcomment":
            self.out.append(m.group())
            self.state, self.nest = "COMMENT", 1
        elif kind == "lcomment":
            self.out.append(m.group())
            self.state = "LINECOMMENT"
        elif kind == "define":
            self.out.append(m.group())
            n = ID.match(t, p)
            if not n or t.startswith("-", n.end()):
                raise error(sf.coord(p), "preproc-bad-name", f"bad name after #!{m.group(kind)}")
            name = n.group()
            if name not in self.defines or m.group(kind).startswith("re"):
                self.defines[name] = None
            end = re.compile(r"(?:[^\\\n]|\\\n|\\(?!\n))*\n?").match(t, n.start()).end()
            self.out.append(t[n.start():end])
            p = end
        elif kind == "ifdef":
            n = ID.match(t, p)
            if not n or t.startswith("-", n.end()):
                raise error(sf.coord(p), "preproc-bad-name", f"bad name after #!{m.group(kind)}")
            if len(self.ifstack) >= MAX_IFDEF_DEPTH:
                raise error(sf.coord(m.start()), "preproc-ifdef-depth", "too many nested #!ifdef")
            q = n.end()
            e = IFDEF_EOL.search(t, q)
            end = e.start() if e else len(t)
            self.out.append(t[q:end])            # flex echoes what its rules do not match
            p = e.end() if e else len(t)
            self.ifstack.append((n.group() in self.defines) == (m.group(kind) == "ifdef"))
            self._update()
        elif kind == "elseif":
            if self.ifstack:
                if m.group(kind) == "else":
                    self.ifstack[-1] = not self.ifstack[-1]
                else:
                    self.ifstack.pop()
                self._update()
        elif kind in ("include", "pinclude"):
            word = m.group(kind)
            a = re.compile(r"[ \t\r\n]*").match(t, p).end()
            self.out.append(re.sub(r"[ \t]", "", t[p:a]))   # only \r \n are echoed
            b = re.compile(r"[^ \t\r\n]*").match(t, a).end()
            self._set(sf, b)
            raw = t[a:b]
            try:
                fname = unquote_include(raw)
            except ValueError as e:
                raise error(sf.coord(m.start()), "preproc-include-name", str(e)) from None
            if depth >= MAX_INCLUDE_DEPTH:
                raise error(sf.coord(m.start()), "preproc-include-depth", f"too many nested includes at {raw}")
            name = resolve_include(fname, sf.name, self.cwd)
            if name is None:
                if word == "import_file":
                    return None
                raise error(sf.coord(m.start()), "preproc-include-missing", f"cannot open included file: {raw}")
            path = os.path.join(self.cwd, name) if self.cwd and not os.path.isabs(name) else name
            return (SourceFile(name, os.path.abspath(path), read_text(path)), depth + 1)
        elif kind == "defenv":
            word = m.group(kind)
            a = re.compile(r"[ \t]*").match(t, p).end()
            b = re.compile(r"[^ \t\r\n]*").match(t, a).end()
            self.out.append(t[m.start():b])
            arg = t[a:b]
            name, _, var = arg.partition("=")
            value = os.environ.get(var or name)
            if value is None and not word.startswith("try"):
                raise error(sf.coord(m.start()), "preproc-env-undefined",
                            f"environment variable not defined [{var or name}]")
            if value is not None and name not in self.defines:
                self.defines[name] = value
            p = b
        elif kind == "loadmodule":
            self.out.append(m.group())
            a = re.compile(r"[ \t\r\n]*").match(t, p).end()
            b = re.compile(r"[^ \t\r\n]*").match(t, a).end()
            self.out.append(t[p:b])
            self._define_module(t[a:b])
            p = b
        self._set(sf, p)
        return None

    def _define_module(self, path: str) -> None:
        name = path
        if len(name) <= 2:
            return
        if name[0] == name[-1] and name[0] in "'\"":
            name = name[1:-1]
        if len(name) > 3 and name.endswith(".so"):
            name = name[:-3]
        if "/" in path:
            name = name.rsplit("/", 1)[-1]
        if len(name) >= 60:
            self.out.append(f"\n# ***** ERROR: too long module name: {path}\n")
            return
        if "MOD_" + name in self.defines:
            self.out.append(f"\n# ***** ERROR: unable to set cfg define for module: {path}\n")
            return
        self.defines["MOD_" + name] = None

    def _update(self) -> None:
        self.state = "PRINT" if all(self.ifstack) else "SKIP"


def cfg_print(main: SourceFile, defines: dict, cwd: str | None) -> str:
    return CfgPrinter(defines, cwd).run(main)


__all__ = ["cfg_print", "Coord"]
