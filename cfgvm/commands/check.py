"""`cfgvm check`: parse a config like `kamailio -c`, then (without --parse-only) resolve it."""
from __future__ import annotations

import os
import sys

from cfgvm.diagnostics import CfgError, Coord, Diagnostic, Report

DESCRIPTION = """Check a Kamailio configuration file.

Exit status: 0 accepted (warnings allowed), 1 configuration errors, 2 usage error or unreadable file.
Text diagnostics (`file:line:col: severity: message [code]`) go to stderr, as Kamailio prints them;
--format json prints {"ok": bool, "diagnostics": [{"file","line","column","severity","code","message"}]}
on stdout instead. Without --parse-only the modules are checked too: a Kamailio module that cfgvm does
not provide yet is [module-unsupported], a name that is no Kamailio 5.6 module is [module-unknown]."""


def add_arguments(p):
    p.add_argument("-f", dest="file", required=True, metavar="FILE", help="configuration file")
    p.add_argument("-A", dest="defines", action="append", default=[], metavar="NAME[=VAL]",
                   help="define NAME (optionally with a value) before parsing, like kamailio -A")
    p.add_argument("--parse-only", action="store_true", help="stop after parsing (like kamailio -c)")
    p.add_argument("--all-errors", action="store_true", help="recover from syntax errors and report all")
    p.add_argument("--format", choices=("text", "json"), default="text")


def parse_defines(items: list[str]) -> dict[str, str | None]:
    out = {}
    for d in items:
        name, eq, value = d.partition("=")
        out[name] = value if eq else None
    return out


def run(args) -> int:
    from cfgvm.compiler import check_config
    from cfgvm.parse import parse_file

    report = Report()
    if not os.path.isfile(args.file) or not os.access(args.file, os.R_OK):
        report.add(Diagnostic(Coord(args.file, 0, 0), "error", "io", f"cannot read {args.file}"))
        _emit(report, args.format)
        return 2
    try:
        cfg = parse_file(args.file, parse_defines(args.defines), all_errors=args.all_errors)
        report.extend(cfg.source.warnings)
        if not args.parse_only:
            report.extend(check_config(cfg))
    except CfgError as e:
        report.extend(e.diagnostics)
    _emit(report, args.format)
    return 0 if report.ok else 1


def _emit(report: Report, fmt: str):
    if fmt == "json":
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stderr.write(report.to_text())
