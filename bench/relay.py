"""Relay benchmark: the same SIPp INVITE-ACK-BYE flow through real Kamailio (`-x tlsf`) and through
`cfgvm run`, stateless (tests/net/cfgs/stateless.cfg) and stateful tm+rr (stateful.cfg), children=1.

    sudo .venv/bin/python bench/relay.py [--calls 500] [--rate 100]

Each run happens in a fresh network namespace with only loopback (proxy 127.0.0.1:5060, UAC
127.0.0.2:5070, UAS 127.0.0.3:5080, as tests/net). Printed per row: calls/s (wall time of the UAC
run), failed calls, proxy CPU ms per call (utime+stime of the proxy and its child processes from
/proc/PID/stat), and the cfgvm/Kamailio CPU ratio. Bounded: --calls calls at --rate calls/s, each
run limited to calls/rate + 30 s.
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from net import harness  # noqa: E402  (the proxies, scenarios and fixed addresses)
from support.netns import Netns, socket_bound, stop, wait_bound, wait_for  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")
CFGS = {"stateless": "stateless.cfg", "stateful": "stateful.cfg"}


def proxies():
    kam = ("kamailio", "-x", "tlsf", "-DD", "-E", "-n", "1", "-f", "{cfg}", "-Y", "{rundir}", "-w", "{workdir}",
           "-m", "64", "-M", "8", "-l", "udp:127.0.0.1:5060")
    cfgvm = (os.path.join(ROOT, ".venv", "bin", "cfgvm"), "run", "-DD", "-E", "-n", "1", "-f", "{cfg}",
             "-l", "udp:127.0.0.1:5060")
    return {"kamailio": (kam, ("kamailio",)), "cfgvm": (cfgvm, ())}


def tree_cpu(pid: int) -> float:
    """CPU seconds of pid and all its descendants."""
    parents, cpu = {}, {}
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(path.split("/")[2])
        parents[p] = int(rest[1])
        cpu[p] = (int(rest[11]) + int(rest[12])) / CLK
    total = 0.0
    for p in cpu:
        q = p
        while q and q != pid:
            q = parents.get(q, 0)
        if q == pid:
            total += cpu[p]
    return total


def run_one(proxy: str, kind: str, calls: int, rate: int) -> dict:
    argv_t, names = proxies()[proxy]
    with tempfile.TemporaryDirectory(prefix="relay-") as tmp:
        rundir = os.path.join(tmp, "run")
        os.mkdir(rundir)
        fill = {"cfg": os.path.join(harness.CFGS, CFGS[kind]), "rundir": rundir, "workdir": tmp}
        argv = [a.format(**fill) for a in argv_t]
        ns = Netns("cfgvmbench").__enter__()
        procs = []
        try:
            px = harness.ns_run(ns.name, argv, os.path.join(tmp, "proxy.log"), tmp)
            procs.append(px)
            if wait_bound(px, [("udp", "127.0.0.1", 5060)], 30, names):
                raise RuntimeError(f"{proxy} did not bind")
            uas = harness.ns_run(ns.name, ["sipp", "-sf", os.path.join(harness.SCENARIOS, "uas_invite.xml"),
                                       "-i", "127.0.0.3", "-p", "5080", "-bind_local", "-mp", "6100",
                                       "-nostdin", "-m", str(calls)], os.path.join(tmp, "uas.out"), tmp)
            procs.append(uas)
            wait_for(lambda: socket_bound(uas.pid, 5080, "127.0.0.3", "udp", ("sipp",)), 10)
            stat = os.path.join(tmp, "uac.csv")
            uac_argv = ["sipp", "-sf", os.path.join(harness.SCENARIOS, "uac_invite.xml"), "-i", "127.0.0.2",
                        "-p", "5070", "-bind_local", "-mp", "6000", "-nostdin", "-m", str(calls), "-r", str(rate),
                        "-timeout", f"{calls // rate + 30}s", "-trace_stat", "-stf", stat, "-fd", "3600",
                        "-s", "uas", "127.0.0.1:5060"]
            c0, t0 = tree_cpu(px.pid), time.monotonic()
            uac = harness.ns_run(ns.name, uac_argv, os.path.join(tmp, "uac.out"), tmp)
            procs.append(uac)
            try:
                uac.wait(calls / rate + 40)
            except subprocess.TimeoutExpired:
                pass
            t1, c1 = time.monotonic(), tree_cpu(px.pid)
            ok, failed = _stats(stat)
        finally:
            for p in reversed(procs):
                stop(p, group=True)
            ns.delete()
    return {"proxy": proxy, "kind": kind, "ok": ok, "failed": failed, "cps": ok / (t1 - t0),
            "cpu_ms_call": (c1 - c0) * 1000 / max(ok + failed, 1)}


def _stats(path: str) -> tuple[int, int]:
    try:
        with open(path) as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return 0, -1
    head, last = rows[0], rows[-1]
    return int(last[head.index("SuccessfulCall(C)")]), int(last[head.index("FailedCall(C)")])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--rate", type=int, default=100, help="calls per second offered by the UAC")
    ap.add_argument("--kinds", default="stateless,stateful")
    a = ap.parse_args()
    why = harness.live_reason(harness.KAMAILIO)
    if why:
        print(f"cannot run: {why}")
        return 2
    print(f"{a.calls} INVITE-ACK-BYE calls at {a.rate} calls/s offered, children=1, UDP")
    print(f"{'config':10s} {'proxy':9s} {'calls/s':>8s} {'ok':>6s} {'failed':>6s} {'CPU ms/call':>12s} {'ratio':>7s}")
    for kind in a.kinds.split(","):
        rows = {p: run_one(p, kind, a.calls, a.rate) for p in ("kamailio", "cfgvm")}
        base = rows["kamailio"]["cpu_ms_call"]
        for p, r in rows.items():
            ratio = r["cpu_ms_call"] / base if base else float("nan")
            print(f"{kind:10s} {p:9s} {r['cps']:8.1f} {r['ok']:6d} {r['failed']:6d} {r['cpu_ms_call']:12.3f} "
                  f"{ratio:6.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
