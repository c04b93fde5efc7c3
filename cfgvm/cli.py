"""`cfgvm` command line: one sub-command per module in cfgvm/commands (add_arguments + run)."""
from __future__ import annotations

import argparse
import importlib
import sys

from cfgvm import __version__

# name -> (module under cfgvm.commands, one-line help)
COMMANDS = {
    "check": ("check", "check a config like `kamailio -c`, plus what -c misses"),
    "dry-run": ("dry_run", "run one SIP message through a config in memory and trace it"),
    "disasm": ("disasm", "print each route's bytecode beside its source lines"),
    "run": ("run", "run a config as a SIP proxy on UDP/TCP sockets, with kamailio's flags"),
    "preprocess": ("preprocess", "print the preprocessed config like `kamailio --cfg-print`"),
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cfgvm", description=(
        "cfgvm: the Kamailio 5.6 configuration language in Python."))
    p.add_argument("--version", action="version", version=f"cfgvm {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, (modname, helptext) in COMMANDS.items():
        mod = importlib.import_module(f"cfgvm.commands.{modname}")
        sp = sub.add_parser(name, help=helptext, description=getattr(mod, "DESCRIPTION", helptext))
        mod.add_arguments(sp)
        sp.set_defaults(_run=mod.run)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors, 0 on --help
        return int(e.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    return int(args._run(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
