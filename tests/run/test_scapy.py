"""Crafted packets against `cfgvm run` and real Kamailio 5.6.3, side by side.

Each server runs in its own fresh network namespace with only loopback (scapy sends raw packets),
on udp+tcp 127.0.0.1:5060 with the same small cfg. Every case is played against both; what a
client can observe (the replies' status lines, whether the server closed the TCP connection) must
be the same, and afterwards each server must still answer an OPTIONS.

UDP cases are built with scapy (raw IP: fragments, bad checksums, a lying UDP length); TCP cases use
a plain socket with TCP_NODELAY so that each send() is one segment on loopback.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time

import pytest

from net import harness
from support.netns import Netns, read_text, stop, wait_bound

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
loadmodule "sl.so"
loadmodule "pv.so"
request_route {
    if ($rm == "OPTIONS") {
        sl_send_reply("200", "Alive");
        exit;
    }
    sl_send_reply("404", "Nothing here");
}
"""
SERVER = ("127.0.0.1", 5060)
CLIENT = "127.0.0.2"
WAIT = 0.6                  # seconds of silence that end a reply collection


def request(method="OPTIONS", call_id="scapy-1", body=b"", extra=b"", length=None, port=5070, proto="UDP"):
    """A request from CLIENT:port; Content-Length is len(body) unless `length` says otherwise."""
    cl = len(body) if length is None else length
    return (f"{method} sip:probe@127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/{proto} {CLIENT}:{port};branch=z9hG4bK-{call_id};rport\r\n"
            f"From: <sip:scapy@{CLIENT}>;tag=s1\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: {call_id}\r\n"
            f"CSeq: 1 {method}\r\nMax-Forwards: 70\r\n").encode() + extra + \
        f"Content-Length: {cl}\r\n\r\n".encode() + body


# ---- the servers ---------------------------------------------------------------------------------
class Server:
    """One proxy in its own namespace; stop() kills it by PID and deletes the namespace."""

    def __init__(self, proxy: harness.Proxy):
        self.proxy = proxy
        self.tmp = tempfile.mkdtemp(prefix="scapy-srv-")
        self.ns = Netns("cfgvmscapy").__enter__()
        cfg = os.path.join(self.tmp, "probe.cfg")
        with open(cfg, "w") as f:
            f.write(CFG)
        rundir = os.path.join(self.tmp, "run")
        os.mkdir(rundir)
        argv = [a.format(cfg=cfg, workdir=self.tmp, rundir=rundir) for a in proxy.argv]
        argv += ["-l", "udp:127.0.0.1:5060", "-l", "tcp:127.0.0.1:5060"]
        self.proc = harness.ns_run(self.ns.name, argv, os.path.join(self.tmp, "log"), self.tmp)
        problems = wait_bound(self.proc, [(proto, *SERVER) for proto in ("udp", "tcp")], 30, proxy.process_names)
        if problems:
            log = self.log()
            self.stop()
            pytest.fail(f"{proxy.name} " + "; ".join(problems) + f":\n{log}")

    def log(self) -> str:
        return read_text(os.path.join(self.tmp, "log"))

    def run(self, fn):
        """fn() in a thread inside the namespace (sockets it makes live there)."""
        return self.ns.call(fn)

    def stop(self):
        stop(self.proc, group=True)
        self.ns.delete()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def servers():
    cfgvm, why = harness.differential_proxy()
    if why:
        pytest.skip(why)
    pytest.importorskip("scapy")
    started = []
    try:
        for proxy in (harness.KAMAILIO, cfgvm):
            started.append(Server(proxy))
        yield dict(zip(("kamailio", "cfgvm"), started))
    finally:
        for s in started:
            s.stop()


# ---- client side (runs inside a namespace) ---------------------------------------------------------
def _first_lines(datas) -> list[str]:
    return [d.split(b"\r\n", 1)[0].decode("latin-1") for d in datas]


def _collect_udp(sock) -> list[bytes]:
    out = []
    sock.settimeout(WAIT)
    for _ in range(1000):             # bounded in count as well as in time (WAIT per datagram)
        try:
            out.append(sock.recv(65535))
        except socket.timeout:
            return out
    raise AssertionError("more than 1000 datagrams came back")


def udp_raw(packets_of):
    """packets_of(scapy) -> raw IP packets to send from CLIENT:5070; the replies' status lines."""
    def play():
        from scapy.all import L3RawSocket, conf, send
        import scapy.all as scapy
        conf.L3socket = L3RawSocket
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind((CLIENT, 5070))
        try:
            for p in packets_of(scapy):
                send(p, verbose=0)
            return _first_lines(_collect_udp(rx))
        finally:
            rx.close()
    return play


def options_answered():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind((CLIENT, 5071))
    try:
        rx.sendto(request(call_id=f"alive-{time.monotonic_ns()}", port=5071), SERVER)
        return _first_lines(_collect_udp(rx))
    finally:
        rx.close()


def tcp_play(chunks, pause=0.05):
    """Send each chunk as its own segment; (status lines of the replies, 'closed' or 'open')."""
    def play():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((CLIENT, 0))
        s.connect(SERVER)
        try:
            data, state = b"", "open"
            for c in chunks:
                try:
                    s.sendall(c)
                except (BrokenPipeError, ConnectionResetError):
                    state = "closed"          # the server gave up on the stream while we sent
                    break
                time.sleep(pause)
            s.settimeout(WAIT)
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except (ConnectionResetError, OSError):
                    state = "closed"
                    break
                if not chunk:
                    state = "closed"
                    break
                data += chunk
            replies = [b"SIP/2.0" + m for m in data.split(b"SIP/2.0")[1:] if m[:1] == b" "]
            return _first_lines(replies), state
        finally:
            s.close()
    return play


def _ip(scapy, payload, **udp):
    return scapy.IP(src=CLIENT, dst=SERVER[0]) / scapy.UDP(sport=5070, dport=SERVER[1], **udp) / payload


UDP_CASES = {
    # not SIP at all
    "garbage": lambda s: [_ip(s, b"\x00\x01hello, not sip\xff" * 4)],
    # headers cut in the middle of a line, no empty line
    "truncated_headers": lambda s: [_ip(s, request()[:70])],
    # Content-Length says more than the datagram carries
    "truncated_body": lambda s: [_ip(s, request(body=b"v=0\r\n", length=400))],
    # no Via at all
    "no_via": lambda s: [_ip(s, request().replace(b"Via: ", b"X-Via: "))],
    # a first line with a bad version
    "bad_version": lambda s: [_ip(s, request().replace(b"SIP/2.0\r\n", b"SIP/7.1\r\n", 1))],
    # wrong UDP checksum: the kernel drops it before any server sees it
    "bad_checksum": lambda s: [_ip(s, request(call_id="ck"), chksum=0x1234)],
    # an OPTIONS in three IP fragments: reassembled by the kernel, answered
    "ip_fragments": lambda s: s.fragment(_ip(s, request(call_id="frag", extra=b"X-Pad: " + b"p" * 900 + b"\r\n")),
                                         fragsize=400),
    # a 60 KB request in fragments (close to the UDP maximum)
    "near_max_udp": lambda s: s.fragment(_ip(s, request(call_id="big", extra=b"X-Pad: " + b"p" * 60000 + b"\r\n")),
                                         fragsize=1400),
}

TCP_CASES = {
    # one OPTIONS in five segments, split inside a header and inside the final CRLFCRLF
    "split_segments": lambda: [c for c in _split(request(call_id="split", proto="TCP"), (17, 60, 133, -3))],
    # ten requests in one segment, the last one with a body
    "many_in_one_segment": lambda: [b"".join(request(call_id=f"many{i}", proto="TCP") for i in range(9)) +
                                    request("MESSAGE", call_id="many9", proto="TCP", body=b"hello")],
    # a message larger than 65535 bytes (Content-Length 70000, body sent in full)
    "oversize_70000": lambda: _chunks(request("MESSAGE", call_id="huge", proto="TCP", body=b"x" * 70000), 8192),
    # garbage with an empty line
    "garbage": lambda: [b"HELLO WORLD\r\n\r\n"],
    # a negative Content-Length
    "bad_content_length": lambda: [request(call_id="neg", proto="TCP", length=-5)],
}


def _split(data, cuts):
    out, last = [], 0
    for c in cuts:
        c = c if c >= 0 else len(data) + c
        out.append(data[last:c])
        last = c
    return out + [data[last:]]


def _chunks(data, n):
    return [data[i:i + n] for i in range(0, len(data), n)]


def _named(fn, case):
    fn.__qualname__ = case
    return fn


# ---- the cases ---------------------------------------------------------------------------------
def _compare(servers, fn, report):
    seen = {}
    for name, srv in servers.items():
        seen[name] = srv.run(fn)
        alive = srv.run(options_answered)
        assert alive == ["SIP/2.0 200 Alive"], f"{name} does not answer OPTIONS after the case:\n{srv.log()[-3000:]}"
    report.append(seen)
    print(f"\n{fn.__qualname__}: {seen}")          # the observed outcomes (pytest -s shows them)
    assert seen["cfgvm"] == seen["kamailio"]
    return seen


@pytest.mark.parametrize("case", list(UDP_CASES))
def test_udp_crafted(servers, case):
    seen = _compare(servers, _named(udp_raw(UDP_CASES[case]), case), [])
    if case in ("ip_fragments", "near_max_udp"):
        assert seen["kamailio"] == ["SIP/2.0 200 Alive"]
    if case in ("garbage", "bad_checksum"):
        assert seen["kamailio"] == []


@pytest.mark.parametrize("case", list(TCP_CASES))
def test_tcp_segments(servers, case):
    seen = _compare(servers, _named(tcp_play(TCP_CASES[case]()), case), [])
    if case == "split_segments":
        assert seen["kamailio"] == (["SIP/2.0 200 Alive"], "open")
    if case in ("oversize_70000", "garbage", "bad_content_length"):
        assert seen["kamailio"] == ([], "closed")     # no reply; the reader drops the connection
    if case == "many_in_one_segment":
        assert seen["kamailio"] == (["SIP/2.0 200 Alive"] * 9 + ["SIP/2.0 404 Nothing here"], "open")
