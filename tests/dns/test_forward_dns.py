"""forward() with a host name: the engine resolves it through cfgvm.dns (RFC 3263, Kamailio's first
destination), against a DNS server on 127.0.0.1."""
import os
import tempfile

from cfgvm.dns import DnsConfig, Resolver
from cfgvm.drivers.dryrun import VirtualClock, load_program
from cfgvm.engine import Engine
from cfgvm.vm.context import ReceiveInfo
from tests.dns.dns_server import DnsServer

ZONE = """
_sip._udp.pbx 60 IN SRV 10 0 5070 b.pbx
_sip._udp.pbx 60 IN SRV  5 0 5072 a.pbx
_sip._tcp.pbx 60 IN SRV  5 0 5090 a.pbx
a.pbx         60 IN A    127.0.0.5
b.pbx         60 IN A    127.0.0.6
gw            60 IN A    127.0.0.7
"""
UAC = ReceiveInfo("udp", "127.0.0.2", 5070, "127.0.0.1", 5060)


def invite(ruri: str) -> bytes:
    return (f"INVITE {ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-d1\r\n"
            "From: <sip:a@127.0.0.2>;tag=1\r\nTo: <sip:b@pbx.test>\r\nCall-ID: d1@t\r\nCSeq: 1 INVITE\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode("latin-1")


def engine(route: str, server) -> Engine:
    fd, path = tempfile.mkstemp(suffix=".cfg")
    with os.fdopen(fd, "w") as f:
        f.write(f"loadmodule \"pv.so\"\nloadmodule \"xlog.so\"\nrequest_route {{\n {route}\n}}\n")
    try:
        program = load_program(path)
    finally:
        os.unlink(path)
    program.dns_resolver = Resolver(DnsConfig.from_params(program.params), nameservers=server.address)
    return Engine(program, clock=VirtualClock())


def sent(route, ruri, server):
    r = engine(route, server).receive(invite(ruri), UAC)
    assert r.error is None, r.error
    return [(s.proto, s.dst) for s in r.sent], r


def test_forward_uses_srv_of_the_request_uri():
    with DnsServer(ZONE) as s:
        assert sent("forward();", "sip:b@pbx.test", s)[0] == [("udp", ("127.0.0.5", 5072))]
        assert sent("forward();", "sip:b@pbx.test;transport=tcp", s)[0] == [("tcp", ("127.0.0.5", 5090))]
        assert sent("forward();", "sip:b@gw.test:5080", s)[0] == [("udp", ("127.0.0.7", 5080))]
        assert sent('forward("gw.test", 5099);', "sip:b@pbx.test", s)[0] == [("udp", ("127.0.0.7", 5099))]
        assert sent('$du = "sip:pbx.test;transport=tcp"; forward();', "sip:b@10.9.9.9", s)[0] == [
            ("tcp", ("127.0.0.5", 5090))]


def test_forward_to_an_unknown_name_fails():
    with DnsServer(ZONE) as s:
        out, r = sent('if (!forward()) { xlog("L_ERR", "failed\\n"); }', "sip:b@nope.test", s)
        assert out == []
        texts = [rec.text for rec in r.logs]
        assert any("bad host name nope.test" in t for t in texts) and "<script>: failed\n" in texts
