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
    """Errors raise CfgError (the preprocessor's warnings first); warnings alone stay in cfg.source.warnings."""
    cfg, diags = parse_source(source, all_errors)
    if any(d.severity == "error" for d in diags):
        raise CfgError(list(source.warnings) + diags)
    return cfg


def _preprocessed(run, all_errors: bool):
    """run() -> Source; on a preprocessor error, first parse the text expanded before it: Kamailio's
    scanner feeds its parser as it goes, so a syntax error earlier in the input is Kamailio's first
    error (and an #!ifdef count is only checked after the whole parse)."""
    try:
        return run()
    except CfgError as e:
        partial = getattr(e, "partial", None)
        if partial is None:
            raise
        _, diags = parse_source(partial, all_errors)
        if not e.partial_complete:      # the input was cut at the directive: its end is no error
            diags = [d for d in diags if not d.message.endswith("unexpected end of file")
                     and not d.message.startswith("unterminated")]
        earlier = [d for d in diags if d.severity == "error"]
        raise CfgError(list(partial.warnings) + earlier + e.diagnostics) from None


def parse_file(path: str, defines: dict[str, str | None] | None = None, all_errors: bool = False) -> Config:
    return parse_source_or_raise(_preprocessed(lambda: pp.preprocess(path, defines), all_errors), all_errors)


def parse_string(text: str, name: str = "<string>", defines: dict[str, str | None] | None = None,
                 all_errors: bool = False) -> Config:
    return parse_source_or_raise(_preprocessed(lambda: pp.preprocess_string(text, name, defines), all_errors),
                                 all_errors)
