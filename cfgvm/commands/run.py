"""`cfgvm run`: run a config as a SIP proxy on real sockets, with Kamailio's command-line flags."""
from __future__ import annotations

import argparse
import os
import signal
import sys

DESCRIPTION = """Run a Kamailio configuration as a SIP proxy (UDP and TCP, IPv4 and IPv6).

Kamailio's flags are accepted. cfgvm always runs in the foreground (-D/-DD change nothing) and always
logs to stderr (-E changes nothing; there is no syslog), in Kamailio's format ` RANK(PID) LEVEL: ...`.
-n N runs N logical workers (own $var each, shared state shared) in ONE process and one event loop.
-m/-M (memory sizes) and -L (module path) are accepted and ignored: Python manages memory and cfgvm's
modules are built in. Exit status: 0 after SIGTERM/SIGINT, 1 config error, 2 usage/start-up error."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-f", dest="file", required=True, metavar="FILE", help="configuration file")
    p.add_argument("-l", dest="listen", action="append", default=[], metavar="ADDR",
                   help="listen on [proto:]addr[:port][/advaddr[:advport]] (repeatable; IPv6 in brackets)")
    p.add_argument("-n", dest="children", type=int, metavar="N", help="number of (logical) workers")
    p.add_argument("-A", dest="defines", action="append", default=[], metavar="DEF[=VAL]",
                   help="define DEF (optionally with a value) before parsing")
    p.add_argument("-D", dest="foreground", action="count", default=0, help="foreground (always the case)")
    p.add_argument("-E", dest="stderr", action="store_true", help="log to stderr (always the case)")
    p.add_argument("-d", dest="debug", action="count", default=0,
                   help="raise the debug level by one (when the config sets no debug=)")
    p.add_argument("-P", dest="pidfile", metavar="FILE", help="write the process id to FILE")
    p.add_argument("-m", dest="shm", metavar="MB", help="accepted and ignored (shared memory size)")
    p.add_argument("-M", dest="pkg", metavar="MB", help="accepted and ignored (private memory size)")
    p.add_argument("-L", dest="modpath", metavar="DIR", help="accepted and ignored (modules are built in)")
    p.add_argument("-Y", dest="rundir", metavar="DIR", help="accepted and ignored (runtime directory)")
    p.add_argument("-w", dest="workdir", metavar="DIR", help="working directory (chdir after start)")
    p.add_argument("-c", dest="check", action="store_true", help="check the config and exit (= cfgvm check)")
    p.add_argument("--duration", type=float, metavar="SECONDS",
                   help="stop by itself after SECONDS (tests and benchmarks)")


def run(args) -> int:
    from cfgvm.commands.check import parse_defines
    if args.check:
        from cfgvm.commands import check
        ns = argparse.Namespace(file=args.file, defines=args.defines, parse_only=False, all_errors=False,
                                format="text")
        return check.run(ns)
    from cfgvm.diagnostics import CfgError
    from cfgvm.drivers.dryrun import compile_file
    from cfgvm.drivers import network as net
    from cfgvm.transport import sockets as S

    log = net.StderrLog()
    for opt, what in ((args.shm, "-m"), (args.pkg, "-M"), (args.modpath, "-L")):
        if opt is not None:
            log.core(net.L_DBG, f"{what} {opt} ignored by cfgvm", -10)
    try:
        program, warnings = compile_file(args.file, parse_defines(args.defines))
    except CfgError as e:
        for d in e.diagnostics:
            sys.stderr.write(f"{d.coord}: {d.severity}: {d.message}\n" if hasattr(d, "coord") else f"{d}\n")
        sys.stderr.write(f"ERROR: bad config file ({len(e.diagnostics)} errors)\n")
        return 1
    except OSError as e:
        sys.stderr.write(f"ERROR: cannot read {args.file}: {e}\n")
        return 2
    for w in warnings:
        sys.stderr.write(f"{getattr(w, 'coord', '')}: warning: {getattr(w, 'message', w)}\n")
    params = program.params
    for name, inst in getattr(program, "modules", {}).items():
        if getattr(getattr(inst, "exports", None), "service_only", False):
            log.core(net.L_WARN, f"module {name}: control interface not implemented yet in cfgvm "
                                 f"(loaded, serves nothing)", 10)
    if params.get("socket") is not None:
        sys.stderr.write("ERROR: socket= blocks are Kamailio 5.7+, not 5.6\n")
        return 1

    try:
        specs, aliases = S.config_listens(program)
        port = params.get("port") if isinstance(params.get("port"), int) else 5060
        cmdline = [t for a in args.listen for t in S.parse_listen(a, port)]
        specs = specs + cmdline          # 5.6.3 lists listen= sockets before -l ones
        if not specs:
            specs = [(None, ip, port, None, None) for ip in net.local_addresses()]
        disable_tcp = bool(params.get("disable_tcp", 0))
        import socket as _socket
        table = S.SocketTable(S.expand(specs, disable_tcp, lambda h: _socket.gethostbyname(h)), aliases,
                              mhomed=bool(params.get("mhomed", 0)))
    except (S.ListenError, OSError) as e:
        sys.stderr.write(f"ERROR: {e}\n")
        return 2
    if params.get("auto_aliases", 1):
        table.aliases += [(h.lower(), p) for h, p in net.auto_aliases(table) if (h.lower(), p) not in table.aliases]

    children = args.children if args.children is not None else params.get("children", 8)
    debug = None
    if "debug" not in params and args.debug:
        debug = args.debug
    driver = net.NetworkDriver(program, table, children=int(children) if isinstance(children, int) else 8,
                               log=log, debug=debug)
    try:
        driver.bind()
    except OSError as e:
        sys.stderr.write(f"ERROR: cannot bind a listening socket: {e}\n")
        driver.close()
        return 2
    signal.signal(signal.SIGTERM, driver.stop)     # before the banner: a test may signal right after it
    signal.signal(signal.SIGINT, driver.stop)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write(f"{os.getpid()}\n")
    sys.stdout.write(net.format_listening(table, table.aliases))
    sys.stdout.flush()
    if args.workdir:
        try:
            os.chdir(args.workdir)
        except OSError as e:
            log.core(net.L_WARN, f"cannot chdir to {args.workdir}: {e}")
    driver.report_startup()
    try:
        import time
        driver.serve(until=None if args.duration is None else time.monotonic() + args.duration)
    finally:
        driver.close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0
