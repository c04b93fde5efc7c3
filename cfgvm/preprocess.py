"""Preprocessor: #!define/#!ifdef/#!subst/include_file/... -> one expanded text plus a source map.

INTERFACE (shared by the preprocessor and the parser; keep it stable):

    src = preprocess(path, cmdline_defines={"WITH_X": None, "N": "5"}, cwd=None)
    src.text            # the expanded text the lexer (grammar/lexer.py) scans: includes spliced in,
                        # directives and skipped #!ifdef branches blanked out, defines expanded,
                        # #!subst applied to string and PV tokens. Compatibility headers
                        # (#!KAMAILIO, #!SER, #!MAXCOMPAT, #!ALL, #!OPENSER) are passed through
                        # verbatim: the lexer switches mode on them.
    src.locate(offset)  # -> Coord(file, line, column) in the ORIGINAL file for an offset in text
                        # (inside a macro expansion: the place where the macro was used)
    src.defines         # final define table {name: value-or-None} (for $def/$defn)
    src.files           # every file read, in order
    src.cfg_print()     # what `kamailio --cfg-print` prints (defines not expanded)

Errors raise cfgvm.diagnostics.CfgError with file:line:col.

THIS FILE IS A STUB (no directives handled) until the real preprocessor lands.
"""
from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field

from cfgvm.diagnostics import Coord, error


@dataclass
class Source:
    text: str
    _line_starts: list[int] = field(repr=False, default_factory=list)
    file: str = ""
    defines: dict[str, str | None] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def locate(self, offset: int) -> Coord:
        i = bisect.bisect_right(self._line_starts, offset) - 1
        return Coord(self.file, i + 1, offset - self._line_starts[i] + 1)

    def cfg_print(self) -> str:
        return self.text


def read_text(path: str) -> str:
    """Configs are bytes; latin-1 maps each byte to one character, so offsets and lengths stay byte-exact."""
    with open(path, "rb") as f:
        return f.read().decode("latin-1")


def preprocess(path: str, cmdline_defines: dict[str, str | None] | None = None, cwd: str | None = None) -> Source:
    try:
        text = read_text(path)
    except OSError as e:
        raise error(Coord(path, 0, 0), "io", f"cannot read {path}: {e.strerror}") from None
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return Source(text, starts, path, dict(cmdline_defines or {}), [os.path.abspath(path)])


def preprocess_string(text: str, name: str = "<string>", cmdline_defines=None) -> Source:
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return Source(text, starts, name, dict(cmdline_defines or {}), [])
