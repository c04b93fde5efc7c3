"""`cfgvm preprocess -f FILE [-A NAME[=VAL]]... [--expand]`: the config as `kamailio --cfg-print` shows it,
or (--expand) the text the lexer reads, with defines and #!subst applied."""
from __future__ import annotations

import os
import sys

from cfgvm.diagnostics import CfgError
from cfgvm.preprocess import cfg_print_file, parse_cmdline_define, preprocess

DESCRIPTION = ("Print the config with includes spliced in and #!ifdef branches chosen, exactly as "
               "`kamailio --cfg-print` does (directives and comments kept, defines not expanded). "
               "With --expand print what the parser reads instead: defines and #!subst applied, "
               "directives and comments blanked. Exit 0 ok, 1 config error, 2 unreadable file or usage.")


def add_arguments(p) -> None:
    p.add_argument("-f", dest="file", required=True, metavar="FILE", help="config file")
    p.add_argument("-A", dest="defines", action="append", default=[], metavar="NAME[=VAL]",
                   help="define NAME (optionally with a value) before reading, like kamailio -A")
    p.add_argument("--expand", action="store_true", help="print the expanded text the parser reads")


def run(args) -> int:
    if not os.path.isfile(args.file) or not os.access(args.file, os.R_OK):
        print(f"cfgvm: cannot read {args.file}", file=sys.stderr)
        return 2
    defines = dict(parse_cmdline_define(a) for a in args.defines)
    try:
        if args.expand:
            src = preprocess(args.file, defines)
            out = src.text
            for w in src.warnings:
                sys.stderr.write(w.render() + "\n")
        else:
            out = cfg_print_file(args.file, defines)
    except CfgError as e:
        sys.stderr.write("".join(d.render() + "\n" for d in e.diagnostics))
        return 1
    sys.stdout.buffer.write(out.encode("latin-1"))
    return 0
