"""`cfgvm dry-run`: one SIP message through a config, in memory, with a trace of what the script did."""
from __future__ import annotations

import json
import os
import sys

from cfgvm.diagnostics import CfgError

DESCRIPTION = """Run one SIP message through request_route (or the reply route for a reply) on an
in-memory driver with a virtual clock: nothing is sent on the network.

--trace text (default) prints the route path (start/return/exit/drop per route), a cfgtrace-style line
per action (route, file, line, action), the log, the outcome (reply sent, forwarded to where, dropped),
the variables the message left set and every outgoing message as bytes.
--trace json prints one JSON object: outcome, sent [{kind, proto, src, dst "IP:PORT", data}], flow,
trace, log, vars, error. --trace cfgt prints what Kamailio's cfgt module writes per message:
{"flow": [{"start|DEFAULT_ROUTE": {vars}}, ...], "sip_in": [...], "sip_out": [...]}.

Exit status: 0 the message was processed (whatever the script decided), 1 configuration errors or an
internal error while running, 2 usage error or unreadable file."""


def add_arguments(p):
    p.add_argument("-f", dest="file", required=True, metavar="CFG", help="configuration file")
    p.add_argument("-A", dest="defines", action="append", default=[], metavar="NAME[=VAL]",
                   help="define NAME (optionally with a value) before parsing, like kamailio -A")
    p.add_argument("--msg", default="-", metavar="FILE|-", help="the SIP message (default: stdin)")
    p.add_argument("--src", default="udp:127.0.0.2:5070", metavar="udp:IP:PORT",
                   help="where the message comes from ($si, $sp; default udp:127.0.0.2:5070)")
    p.add_argument("--dst", default="udp:127.0.0.1:5060", metavar="udp:IP:PORT",
                   help="the local socket it arrives on ($Ri, $Rp; default udp:127.0.0.1:5060)")
    p.add_argument("--trace", choices=("text", "json", "cfgt"), default="text")
    p.add_argument("--crlf", action="store_true", help="turn bare LF line ends of the message into CRLF")
    p.add_argument("--time", type=float, default=None, metavar="EPOCH",
                   help="virtual clock start, seconds since the epoch (default 2024-01-01T00:00:00Z)")


def _read_msg(where: str) -> bytes:
    if where == "-":
        return sys.stdin.buffer.read()
    with open(where, "rb") as f:
        return f.read()


def run(args) -> int:
    from cfgvm.commands.check import parse_defines
    from cfgvm.drivers import dryrun as D

    try:
        src, dst = D.parse_address(args.src), D.parse_address(args.dst)
    except ValueError as e:
        print(f"cfgvm dry-run: {e}", file=sys.stderr)
        return 2
    if src[0] != dst[0]:
        print(f"cfgvm dry-run: --src is {src[0]} but --dst is {dst[0]}", file=sys.stderr)
        return 2
    if not os.path.isfile(args.file) or not os.access(args.file, os.R_OK):
        print(f"cfgvm dry-run: cannot read {args.file}", file=sys.stderr)
        return 2
    try:
        buf = _read_msg(args.msg)
    except OSError as e:
        print(f"cfgvm dry-run: cannot read message: {e}", file=sys.stderr)
        return 2
    if args.crlf:
        buf = buf.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    try:
        program, diags = D.compile_file(args.file, parse_defines(args.defines))
        for d in diags:
            print(d.render(), file=sys.stderr)
    except CfgError as e:
        for d in e.diagnostics:
            print(d.render(), file=sys.stderr)
        return 1
    clock = D.VirtualClock(args.time) if args.time is not None else D.VirtualClock()
    result = D.DryRun(program, clock=clock).run(buf, D.receive_info(src, dst))
    if args.trace == "json":
        sys.stdout.write(json.dumps(D.render_json(result), indent=1) + "\n")
    elif args.trace == "cfgt":
        sys.stdout.write(json.dumps(D.render_cfgt(result), indent=1) + "\n")
    else:
        sys.stdout.write(D.render_text(result))
    failed = result.result.error or any(s.error for s in result.startup)
    if failed and args.trace != "text":
        print(failed if isinstance(failed, str) else "start-up event route failed", file=sys.stderr)
    return 1 if failed else 0
