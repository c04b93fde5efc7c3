"""VM and dry-run throughput on one core (prints figures, asserts nothing).

    .venv/bin/python bench/vm.py [--count N] [--repeats R] [--seconds S] [--profile] [--no-kamailio]

1. dry-run messages/s: REQINIT of the default config (force_rport, maxfwd, keepalive, sanity_check)
   plus a few PV tests and an sl reply, in an in-process loop (program start-up not counted);
   half the messages are OPTIONS keepalives (200), half INVITEs that end in a 404.
2. baseline on the same messages: parse + build the reply + its destination, without the VM.
3. VM statements/s: a while loop of assignments and arithmetic.
4. real Kamailio 5.6.3 on the same cfg (when it can run here): a bounded UDP blast on loopback inside a
   fresh network namespace, with a window of outstanding requests; replies/s counted.
5. --profile: cProfile of the dry-run loop, top costs by own time (file:function).
Figures 1-3 are the least disturbed of --repeats passes over --count messages, in CPU time of this
process (bench/timing.py), next to a reference loop of plain Python measured the same way in the same
run. Every loop is bounded by --count, --repeats and --seconds.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))     # the oracle harness (network namespaces)

from cfgvm.drivers.dryrun import DryRun, receive_info  # noqa: E402
from support.dryrun import compile_text  # noqa: E402
from support.reqinit import reqinit_cfg  # noqa: E402
from timing import min_batch_seconds, min_rate, reference_rate  # noqa: E402

SRC, DST = ("udp", "127.0.0.2", 5070), ("udp", "127.0.0.1", 5060)

# REQINIT of the default config (tests/support/reqinit.py, the config the sanity oracle runs through
# real Kamailio) with a few PV tests before its 404
BENCH_CFG = reqinit_cfg("""    if ($fU == "alice" && $(ru{uri.user}) != "") {
        $var(caller) = $fU;
        $var(n) = $var(n) + 1;
    }
    if ($ua =~ "scanner|sipvicious") {
        exit;
    }
""")

LOOP_CFG = """#!KAMAILIO
max_while_loops=100000000
loadmodule "pv.so"
loadmodule "sl.so"
request_route {
    $var(i) = 0;
    $var(acc) = 0;
    while ($var(i) < $var(limit)) {
        $var(acc) = $var(acc) + $var(i) * 3 - 1;
        $var(i) = $var(i) + 1;
    }
    exit;
}
"""

_HEAD = ("{first}\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-{tag};rport\r\n"
         "From: \"Alice\" <sip:alice@127.0.0.2>;tag=f-{tag}\r\nTo: <sip:{to}@127.0.0.1>\r\n"
         "Call-ID: {tag}@127.0.0.2\r\nCSeq: 1 {method}\r\nMax-Forwards: 70\r\n"
         "User-Agent: bench/1.0\r\nContent-Length: 0\r\n\r\n")


def messages(n: int) -> list[bytes]:
    out = []
    for i in range(n):
        if i % 2:
            out.append(_HEAD.format(first="OPTIONS sip:127.0.0.1:5060 SIP/2.0", tag=f"o{i}", to="ka",
                                    method="OPTIONS").encode())
        else:
            out.append(_HEAD.format(first="INVITE sip:bob@127.0.0.1 SIP/2.0", tag=f"i{i}", to="bob",
                                    method="INVITE").encode())
    return out


def bench_dryrun(msgs, repeats: int, seconds: float, profile: bool):
    program = compile_text(BENCH_CFG)
    dry = DryRun(program, trace=False)
    rcv = receive_info(SRC, DST)
    dry.listen_on(DST)                                      # `myself` = the receiving socket
    receive = dry.engine.receive
    first = [receive(m, rcv) for m in msgs[:2]]            # warm-up and a sanity look at the outcome
    for r in first:
        if r.error:
            raise SystemExit(f"dry-run failed:\n{r.error}")
    statuses = sorted({r.outcome["replies"][0] if r.outcome["replies"] else r.outcome["status"]
                       for r in first})
    one = lambda m: receive(m, rcv)     # noqa: E731
    rate = min_rate(one, msgs, repeats, seconds)
    prof = None
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        for m in msgs:
            one(m)
        prof.disable()
    return rate, statuses, prof


def bench_baseline(msgs, repeats: int, seconds: float):
    from cfgvm.sip import Message
    from cfgvm.sip.reply import build_reply, reply_destination

    def one(buf):
        m = Message.parse(buf)
        code, reason = (200, "Keepalive") if m.method_known == "OPTIONS" else (404, "Not here")
        build_reply(m, code, reason, src_ip="127.0.0.2", src_port=5070, force_rport=True)
        reply_destination(m, "127.0.0.2", 5070)
    return min_rate(one, msgs, repeats, seconds)


def bench_loop(iterations: int, repeats: int, seconds: float):
    program = compile_text(LOOP_CFG.replace("$var(limit)", str(iterations)))
    dry = DryRun(program, trace=False)
    rcv = receive_info(SRC, DST)
    msg = messages(1)[0]

    def run(_):
        r = dry.engine.receive(msg, rcv)
        if r.error:
            raise SystemExit(f"loop run failed:\n{r.error}")
    dt = min_batch_seconds(run, [None], repeats, seconds)
    return (iterations * 3 + 3) / dt     # per iteration: the test and two assignments


def bench_kamailio(msgs, seconds: float, window: int = 64):
    """Replies/s of real Kamailio on BENCH_CFG: UDP blast with `window` requests outstanding."""
    import socket

    from oracle import kamailio as K
    from support.netns import stop
    ok, why = K.kamailio_available()
    if not ok:
        return None, why
    with tempfile.TemporaryDirectory(prefix="kam-bench-") as tmp, K.Netns("cfgvmbench") as ns:
        try:
            proc, _log = K.start_kamailio(ns, tmp, BENCH_CFG, [f"udp:{K.LISTEN[0]}:{K.LISTEN[1]}"],
                                          ("udp", None, K.LISTEN[1]), shm_mb=64)
        except K.KamailioError:
            return None, "kamailio did not start"
        try:
            sock = ns.udp_socket(K.SOURCE)
            sock.settimeout(1.0)
            sent = got = 0
            t0 = time.perf_counter()
            end = t0 + seconds
            try:
                while got < len(msgs) and time.perf_counter() < end:
                    while sent < len(msgs) and sent - got < window:
                        sock.sendto(msgs[sent], K.LISTEN)
                        sent += 1
                    try:
                        sock.recvfrom(65535)
                        got += 1
                    except socket.timeout:
                        break       # a lost datagram: stop rather than wait forever
            finally:
                sock.close()
            return (got, time.perf_counter() - t0), ""
        finally:
            stop(proc, 5.0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=2000, help="messages per pass (default 2000)")
    ap.add_argument("--repeats", type=int, default=40,
                    help="passes; the fastest counts (default 40: short load bursts on a shared machine outlast 15)")
    ap.add_argument("--seconds", type=float, default=10.0, help="time bound per measurement")
    ap.add_argument("--loop", type=int, default=20000, help="while-loop iterations per run")
    ap.add_argument("--profile", action="store_true", help="cProfile one more pass of the dry-run loop")
    ap.add_argument("--no-kamailio", action="store_true")
    a = ap.parse_args(argv)
    msgs = messages(a.count)

    ref = reference_rate()
    vm_rate, statuses, prof = bench_dryrun(msgs, a.repeats, a.seconds, a.profile)
    base = bench_baseline(msgs, a.repeats, a.seconds)
    loop = bench_loop(a.loop, a.repeats, a.seconds)
    ref = max(ref, reference_rate())
    print(f"reference loop (plain Python work, bench/timing.py): {ref:,.0f} calls/s")
    print(f"min of {a.repeats} passes of {a.count} messages, CPU time of this process")
    print(f"dry-run (VM + modules + reply): {vm_rate:,.0f} msg/s ({vm_rate / ref:.4f} x reference) "
          f"[replies: {', '.join(statuses)}]  target >= 20,000 msg/s: {'met' if vm_rate >= 20000 else 'NOT met'}")
    print(f"baseline (parse + build reply, no VM): {base:,.0f} msg/s ({base / ref:.4f} x reference)")
    print(f"VM loop: {loop:,.0f} statements/s ({loop / ref:.3f} x reference)")
    if not a.no_kamailio:
        got, why = bench_kamailio(msgs, a.seconds)
        if got is None:
            print(f"kamailio: not measured ({why})")
        else:
            print(f"kamailio 5.6.3 (1 worker, UDP blast on loopback, window 64): {got[0]} replies in "
                  f"{got[1]:.2f} s = {got[0] / got[1]:,.0f} msg/s")
    if prof:
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(20)
        print(s.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
