"""Front end entry points: preprocess -> lex -> parse, giving a cfgvm.ast.Config.

    parse_file(path, defines, all_errors=False) -> Config
    parse_string(text, name="<string>", defines=None, all_errors=False) -> Config

Both raise cfgvm.diagnostics.CfgError carrying every diagnostic when the config is wrong.
"""
from __future__ import annotations

from cfgvm import preprocess as pp
from cfgvm.ast import Config
from cfgvm.diagnostics import CfgError
from cfgvm.grammar.parser import parse_source


def parse_source_or_raise(source, all_errors: bool = False) -> Config:
    cfg, diags = parse_source(source, all_errors)
    if any(d.severity == "error" for d in diags):
        raise CfgError(diags)
    return cfg


def parse_file(path: str, defines: dict[str, str | None] | None = None, all_errors: bool = False) -> Config:
    return parse_source_or_raise(pp.preprocess(path, defines), all_errors)


def parse_string(text: str, name: str = "<string>", defines: dict[str, str | None] | None = None,
                 all_errors: bool = False) -> Config:
    return parse_source_or_raise(pp.preprocess_string(text, name, defines), all_errors)
