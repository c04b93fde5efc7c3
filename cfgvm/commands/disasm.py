"""`cfgvm disasm`: each route's bytecode beside its source lines, like `python -m dis`."""
from __future__ import annotations

import os
import sys

from cfgvm.diagnostics import CfgError, Report
from cfgvm.vm import opcodes as OP

DESCRIPTION = """Disassemble a Kamailio configuration: compile it (resolve + codegen) and print every
route block's bytecode grouped by source line (file:line and the line's text), one instruction per line:
offset, opcode, argument as written and, after '->', what it resolved to. '>>' marks jump targets.
--fused adds, after '|', the superinstruction that runs from that offset in one dispatch and how
many plain instructions it covers (untraced runs; traced runs execute the plain code).
Exit status: 0 printed, 1 configuration errors (printed as by `cfgvm check`), 2 usage error."""


def add_arguments(p):
    p.add_argument("-f", dest="file", required=True, metavar="FILE", help="configuration file")
    p.add_argument("-A", dest="defines", action="append", default=[], metavar="NAME[=VAL]",
                   help="define NAME (optionally with a value) before parsing, like kamailio -A")
    p.add_argument("--route", metavar="KIND[:NAME]",
                   help="only this block: request, failure:NAME, onreply:NAME, reply, branch:NAME, "
                        "onsend, event:NAME, or a bare NAME for route[NAME]")
    p.add_argument("--fused", action="store_true",
                   help="mark where a superinstruction (peephole pass) replaces a sequence")


def run(args) -> int:
    from cfgvm.commands.check import parse_defines
    from cfgvm.compiler.program import compile_config
    from cfgvm.parse import parse_file

    if not os.path.isfile(args.file):
        sys.stderr.write(f"cannot read {args.file}\n")
        return 2
    try:
        cfg = parse_file(args.file, parse_defines(args.defines))
        prog, diags = compile_config(cfg)
    except CfgError as e:
        r = Report()
        r.extend(e.diagnostics)
        sys.stderr.write(r.to_text())
        return 1
    codes = select(prog, args.route)
    if codes is None:
        sys.stderr.write(f"no route block {args.route!r} in {args.file}\n")
        return 2
    sys.stdout.write("\n".join(disassemble(c, fused=args.fused) for c in codes))
    return 0


_KINDS = ("request", "failure", "onreply", "reply", "branch", "onsend", "event")


def select(prog, which: str | None):
    blocks = [code for kind in _KINDS for _, code in prog.routes[kind].items()]
    if not which:
        return blocks
    kind, sep, name = which.partition(":")
    if not sep and kind not in _KINDS:
        kind, name = "request", which
    table = prog.routes.get(kind)
    if table is None:
        return None
    key = name if name else None
    if kind == "event" and name:
        key = name
    code = table.get(key)
    return [code] if code is not None else None


class _Sources:
    def __init__(self):
        self.files: dict[str, list[str]] = {}

    def line(self, path: str, n: int) -> str:
        lines = self.files.get(path)
        if lines is None:
            try:
                with open(path, encoding="latin-1") as fh:
                    lines = fh.read().splitlines()
            except OSError:
                lines = []
            self.files[path] = lines
        return lines[n - 1].strip() if 0 < n <= len(lines) else ""


def _resolved(op: OP.OpInfo, arg, raw) -> str:
    """The argument column: raw text, then '-> resolved' when resolution added something."""
    kind = op.arg
    if kind == "-":
        return ""
    if kind == "target":
        return f"to {arg}"
    if kind == "const":
        return repr(arg) if arg is not None else "$null"
    if kind == "pv":
        what = type(arg).__name__ if arg is not None else "UNRESOLVED"
        return f"{raw}  -> {what}"
    if kind == "op":
        return str(arg[0])
    if kind == "call":
        mod = getattr(arg.mod, "name", None) or "core"
        return f"{raw}  -> {mod}.{arg.name}/{len(arg.args)} {_args(arg.args)}"
    if kind == "loop":
        return f"slot {arg[0]}" + (f", exit to {arg[1]}" if arg[1] is not None else "")
    if kind == "switch":
        return repr(arg)
    return str(raw if raw is not None else arg)


def _args(args) -> str:
    out = []
    for a in args:
        if isinstance(a, (str, int)) or a is None:
            out.append(repr(a))
        else:
            out.append(repr(a) if type(a).__repr__ is not object.__repr__ else f"<{type(a).__name__}>")
    return "(" + ", ".join(out) + ")"


def disassemble(code, sources: _Sources | None = None, fused: bool = False) -> str:
    sources = sources or _Sources()
    targets = set()
    for op, arg in zip(code.ops, code.args):
        info = OP.OPS[op]
        if info.arg == "target":
            targets.add(arg)
        elif info.arg == "loop" and arg[1] is not None:
            targets.add(arg[1])
        elif info.arg == "switch":
            targets.update(pc for _, pc in arg.cases)
            targets.add(arg.end)
    out = [f"{code.label}  ({os.path.basename(code.coord.file)}:{code.coord.line})"]
    last = None
    for pc, (op, arg) in enumerate(zip(code.ops, code.args)):
        info = OP.OPS[op]
        coord = code.coords[pc]
        where = (coord.file, coord.line)
        if where != last and coord.line:
            out.append(f"  {os.path.basename(coord.file)}:{coord.line}  {sources.line(coord.file, coord.line)}")
            last = where
        mark = ">>" if pc in targets else "  "
        text = _resolved(info, arg, code.raw[pc])
        line = f"  {mark}{pc:5d} {info.name:<24}{text}".rstrip()
        if fused and pc in code.fused:
            line = f"{line:<72} | {OP.OPS[code.fast_ops[pc]].name} x{code.fused[pc]}"
        out.append(line)
    return "\n".join(out) + "\n"
