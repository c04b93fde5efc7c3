"""`cfgvm run` on loopback: OPTIONS over UDP and TCP, IPv4 and ::1, stream framing, a stalled TCP
sender vs a UDP client, clean SIGTERM, pidfile. Expected replies: sl_reply.cfg answers OPTIONS to
myself with 200 "Keepalive OK" (as real Kamailio 5.6.3 does: tests/net pair options_sl), and the top
Via gets rport=<source port>;received=<source ip> (RFC 3581, Kamailio's order)."""
import os
import socket
import time

import pytest

from run.proxy import CFGS, Proxy, free_port, options, read_messages, tcp_client, udp_client

SL = os.path.join(CFGS, "sl_reply.cfg")


def _has_ipv6() -> bool:
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def proxy():
    hosts = ("127.0.0.1", "::1") if _has_ipv6() else ("127.0.0.1",)
    port = free_port(hosts)
    listen = [f"{p}:{'[::1]' if ':' in h else h}:{port}" for h in hosts for p in ("udp", "tcp")]
    px = Proxy(SL, listen)
    px.port, px.hosts = port, hosts
    yield px
    assert px.stop() == 0


def _status_and_via(data: bytes) -> tuple[str, str]:
    lines = data.decode("latin-1").split("\r\n")
    via = next(l for l in lines if l.lower().startswith("via:"))
    return lines[0], via


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_options_udp(proxy, host):
    if host not in proxy.hosts:
        pytest.skip("no IPv6 loopback here")
    c = udp_client(host)
    lport = c.getsockname()[1]
    c.sendto(options(host, proxy.port, "udp", lport), (host, proxy.port))
    data, src = c.recvfrom(65535)
    status, via = _status_and_via(data)
    assert status == "SIP/2.0 200 Keepalive OK"
    h = f"[{host}]" if ":" in host else host
    assert via == f"Via: SIP/2.0/UDP {h}:{lport};branch=z9hG4bK-run-1;rport={lport};received={h}"
    assert src[1] == proxy.port        # the reply leaves from the socket the request came in on
    c.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_options_tcp(proxy, host):
    if host not in proxy.hosts:
        pytest.skip("no IPv6 loopback here")
    c = tcp_client(host, proxy.port)
    lport = c.getsockname()[1]
    c.sendall(options(host, proxy.port, "tcp", lport))
    [reply] = read_messages(c, 1)
    status, via = _status_and_via(reply)
    assert status == "SIP/2.0 200 Keepalive OK"
    assert f";rport={lport}" in via
    c.close()


def test_many_messages_in_one_segment(proxy):
    c = tcp_client("127.0.0.1", proxy.port)
    lport = c.getsockname()[1]
    batch = b"".join(options("127.0.0.1", proxy.port, "tcp", lport, cseq=i) for i in range(1, 6))
    c.sendall(b"\r\n\r\n" + batch)          # keep-alive CRLFs first, then five requests at once
    replies = read_messages(c, 5)
    assert [r.split(b"\r\n", 1)[0] for r in replies] == [b"SIP/2.0 200 Keepalive OK"] * 5
    assert [b"CSeq: %d OPTIONS" % i in r for i, r in enumerate(replies, 1)] == [True] * 5
    c.close()


def test_one_message_split_over_segments(proxy):
    c = tcp_client("127.0.0.1", proxy.port)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg = options("127.0.0.1", proxy.port, "tcp", c.getsockname()[1])
    for i in range(0, len(msg), 7):
        c.send(msg[i:i + 7])
        time.sleep(0.002)
    [reply] = read_messages(c, 1)
    assert reply.startswith(b"SIP/2.0 200 Keepalive OK\r\n")
    c.close()


def test_partial_tcp_sender_does_not_block_udp(proxy):
    stalled = tcp_client("127.0.0.1", proxy.port)
    msg = options("127.0.0.1", proxy.port, "tcp", stalled.getsockname()[1])
    stalled.sendall(msg[:len(msg) // 2])     # half a message, then nothing
    c = udp_client("127.0.0.1")
    for i in range(1, 4):
        c.sendto(options("127.0.0.1", proxy.port, "udp", c.getsockname()[1], cseq=i), ("127.0.0.1", proxy.port))
        data, _ = c.recvfrom(65535)
        assert data.startswith(b"SIP/2.0 200 Keepalive OK\r\n")
    stalled.sendall(msg[len(msg) // 2:])     # the stalled one completes and is served too
    [reply] = read_messages(stalled, 1)
    assert reply.startswith(b"SIP/2.0 200 Keepalive OK\r\n")
    stalled.close()
    c.close()


def test_sigterm_and_pidfile(tmp_path):
    port = free_port()
    pidfile = tmp_path / "cfgvm.pid"
    px = Proxy(SL, [f"udp:127.0.0.1:{port}"], ["-P", str(pidfile)])
    try:
        assert int(pidfile.read_text()) == px.proc.pid
    finally:
        rc = px.stop()
    assert rc == 0
    assert not pidfile.exists()
    assert "Listening on" in px.log and f"udp: 127.0.0.1:{port}" in px.log


def test_xlog_lines_in_kamailio_format(tmp_path):
    """kamailio -E prints xlog as ` RANK(PID) LEVEL: <script>: text` (seen on 5.6.3)."""
    cfg = tmp_path / "x.cfg"
    cfg.write_text('debug=2\nloadmodule "pv.so"\nloadmodule "xlog.so"\nloadmodule "sl.so"\nrequest_route {\n'
                   '    xlog("L_NOTICE", "got $rm\\n");\n    xlog("L_ERR", "err $rm\\n");\n'
                   '    sl_send_reply("404", "No");\n}\n')
    port = free_port()
    px = Proxy(str(cfg), [f"udp:127.0.0.1:{port}"])
    try:
        c = udp_client("127.0.0.1")
        c.sendto(options("127.0.0.1", port, "udp", c.getsockname()[1]), ("127.0.0.1", port))
        assert c.recvfrom(65535)[0].startswith(b"SIP/2.0 404 No\r\n")
    finally:
        assert px.stop() == 0
    pid = px.proc.pid
    assert f"({pid}) NOTICE: <script>: got OPTIONS\n" in px.log
    assert f"({pid}) ERROR: <script>: err OPTIONS\n" in px.log


def test_check_flag(tmp_path):
    import subprocess
    import sys
    from run.proxy import ROOT
    bad = tmp_path / "bad.cfg"
    bad.write_text("request_route {\n    nosuchfunction();\n}\n")
    ok = subprocess.run([sys.executable, "-m", "cfgvm", "run", "-c", "-f", SL], cwd=ROOT, capture_output=True)
    assert ok.returncode == 0
    r = subprocess.run([sys.executable, "-m", "cfgvm", "run", "-c", "-f", str(bad)], cwd=ROOT, capture_output=True)
    assert r.returncode == 1
