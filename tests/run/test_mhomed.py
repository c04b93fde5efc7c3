"""mhomed=1: the UDP send socket is the one on the kernel's route source (get_out_socket())."""
import socket

from cfgvm.transport.route import SourceRoutes
from cfgvm.transport.sockets import SocketInfo, SocketTable


def _table(route):
    socks = [SocketInfo("udp", "10.0.1.1", 5060), SocketInfo("udp", "10.0.2.1", 5070),
             SocketInfo("tcp", "10.0.2.1", 5060)]
    return SocketTable(socks, mhomed=True, route_source=route)


def test_udp_socket_on_the_route_source_any_port():
    table = _table(lambda ip: "10.0.2.1")
    rcv = type("R", (), {"proto": "udp", "dst_ip": "10.0.1.1", "dst_port": 5060})()
    assert table.select("udp", "10.0.2.2", rcv=rcv) == SocketInfo("udp", "10.0.2.1", 5070)


def test_no_socket_when_no_route_or_no_socket_on_the_source():
    assert _table(lambda ip: None).select("udp", "10.9.9.9") is None
    assert _table(lambda ip: "10.0.3.1").select("udp", "10.9.9.9") is None


def test_tcp_ignores_mhomed():
    assert _table(lambda ip: "10.0.1.1").select("tcp", "10.0.2.2") == SocketInfo("tcp", "10.0.2.1", 5060)


def test_forced_socket_wins():
    table = _table(lambda ip: "10.0.2.1")
    assert table.select("udp", "10.0.2.2", force=("udp", "10.0.1.1", 5060)) == SocketInfo("udp", "10.0.1.1", 5060)


def test_kernel_route_source_on_loopback_is_cached():
    calls = []
    routes = SourceRoutes(clock=lambda: 0.0)
    real = routes._ask_kernel
    routes._ask_kernel = lambda ip, port: calls.append(ip) or real(ip, port)
    try:
        assert routes.source("127.0.0.1") == "127.0.0.1"
        assert routes.source("127.0.0.1") == "127.0.0.1"
        assert calls == ["127.0.0.1"]
        if socket.has_ipv6:
            assert routes.source("[::1]") in ("::1", None)     # None when IPv6 is disabled here
    finally:
        routes.close()
