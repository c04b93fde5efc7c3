"""Preprocessor: #!define/#!ifdef/#!subst/include_file/... -> one expanded text plus a source map.

INTERFACE (shared by the preprocessor and the parser; keep it stable):

    src = preprocess(path, cmdline_defines={"WITH_X": None, "N": "5"}, cwd=None)
    src.text            # the expanded text the lexer (grammar/lexer.py) scans: includes spliced in,
                        # directives, comments and skipped #!ifdef branches blanked out (newlines kept),
                        # defines expanded, #!subst applied to string and PV tokens (a changed string
                        # is re-written as one double-quoted literal). Compatibility headers
                        # (#!KAMAILIO, #!SER, #!MAXCOMPAT, #!ALL, #!OPENSER) are passed through
                        # verbatim: the lexer switches mode on them.
    src.locate(offset)  # -> Coord(file, line, column) in the ORIGINAL file for an offset in text
                        # (inside a macro expansion: the place where the macro was used)
    src.defines         # final define table {name: value-or-None} (for $def/$defn)
    src.files           # every file read, in order (absolute paths)
    src.file_names      # the same files named as Kamailio names them (as given, relative to cwd)
    src.warnings        # non-fatal Diagnostics (e.g. a stray #!else, which Kamailio only warns about)
    src.cfg_print()     # what `kamailio --cfg-print` prints (defines not expanded)

Errors raise cfgvm.diagnostics.CfgError with file:line:col and a `preproc-...` code; the exception also
carries `.partial` (a Source of the text expanded up to the error) and `.partial_complete` (True when
the error was found after the whole input, e.g. an #!ifdef/#!endif count that differs), so that the
front end can report an earlier syntax error first, in Kamailio's order.

Behaviour is Kamailio 5.6.3's (src/core/cfg.lex, ppcfg.c): predefined KAMAILIO_5, KAMAILIO_5_6,
KAMAILIO_5_6_3; MOD_<name> once `loadmodule "name"` has been scanned; #!ifexp/#!defexp are 5.7+ and,
as in 5.6, are plain comments (so the #!endif of an #!ifexp is unbalanced). The implementation is
split into ppscan (expanding scan), ppprint (cfg-print mode) and ppsubst (#!subst rules).
"""
from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field

from cfgvm.diagnostics import CfgError, Coord, Diagnostic, error
from cfgvm.ppprint import cfg_print as _cfg_print
from cfgvm.ppscan import Expander, SourceFile, read_text

VERSION = (5, 6, 3)
CORE_DEFINES = ("KAMAILIO_5", "KAMAILIO_5_6", "KAMAILIO_5_6_3")


@dataclass
class Source:
    text: str
    file: str = ""
    defines: dict[str, str | None] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    file_names: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    _seg_starts: list[int] = field(repr=False, default_factory=list)
    _seg_origins: list[tuple] = field(repr=False, default_factory=list)
    _main: SourceFile | None = field(repr=False, default=None)
    _initial_defines: dict = field(repr=False, default_factory=dict)
    _cwd: str | None = field(repr=False, default=None)

    def locate(self, offset: int) -> Coord:
        if not self._seg_starts:
            return Coord(self.file, 1, 1)
        i = max(bisect.bisect_right(self._seg_starts, offset) - 1, 0)
        origin = self._seg_origins[i]
        if origin[0] == "c":
            return origin[1]
        sf, base = origin[1], origin[2]
        return sf.coord(min(base + offset - self._seg_starts[i], len(sf.text)))

    def cfg_print(self) -> str:
        """What `kamailio --cfg-print` prints for the same file, defines and working directory."""
        return _cfg_print(self._main, self._initial_defines, self._cwd)


def initial_defines(cmdline_defines: dict | None) -> dict:
    """-A defines first (a NAME=VALUE value is raw text), then the core ones, as Kamailio's main() does."""
    defines: dict[str, str | None] = {}
    for name, value in (cmdline_defines or {}).items():
        defines[name] = value if value else None
    for name in CORE_DEFINES:
        if name in defines:
            raise error(Coord("<command line>", 0, 0), "preproc-redefined", f"already defined: {name}")
        defines[name] = None
    return defines


def parse_cmdline_define(arg: str) -> tuple[str, str | None]:
    """`-A NAME` or `-A NAME=VALUE`."""
    name, eq, value = arg.partition("=")
    return name, (value if eq else None)


def _run(main: SourceFile, cmdline_defines, cwd) -> Source:
    init = initial_defines(cmdline_defines)
    ex = Expander(dict(init), cwd)
    try:
        text = ex.run(main)
    except CfgError as e:
        # Kamailio's parser pulls tokens from the scanner, so a syntax error BEFORE this point is
        # reported first: hand the text expanded so far to the front end (cfgvm/parse.py).
        e.partial = Source("".join(ex.out), main.name, ex.defines, [f.path for f in ex.files],
                           [f.name for f in ex.files], ex.warnings, ex.seg_starts, ex.seg_origins, main, init, cwd)
        e.partial_complete = ex.at_end
        raise
    return Source(text, main.name, ex.defines, [f.path for f in ex.files], [f.name for f in ex.files],
                  ex.warnings, ex.seg_starts, ex.seg_origins, main, init, cwd)


def preprocess(path: str, cmdline_defines: dict[str, str | None] | None = None, cwd: str | None = None) -> Source:
    full = os.path.join(cwd, path) if cwd and not os.path.isabs(path) else path
    try:
        text = read_text(full)
    except OSError as e:
        raise error(Coord(path, 0, 0), "io", f"cannot read {path}: {e.strerror}") from None
    return _run(SourceFile(path, os.path.abspath(full), text), cmdline_defines, cwd)


def cfg_print_file(path: str, cmdline_defines: dict | None = None, cwd: str | None = None) -> str:
    """`kamailio --cfg-print` alone: like Kamailio, it neither expands nor checks #!ifdef balance."""
    full = os.path.join(cwd, path) if cwd and not os.path.isabs(path) else path
    try:
        text = read_text(full)
    except OSError as e:
        raise error(Coord(path, 0, 0), "io", f"cannot read {path}: {e.strerror}") from None
    return _cfg_print(SourceFile(path, os.path.abspath(full), text), initial_defines(cmdline_defines), cwd)


def preprocess_string(text: str, name: str = "<string>", cmdline_defines=None, cwd: str | None = None) -> Source:
    return _run(SourceFile(name, name, text), cmdline_defines, cwd)
