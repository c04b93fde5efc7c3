"""The listen table: -l forms, `myself`, outgoing socket choice (Kamailio 5.6.3 behaviour noted per test)."""
import pytest

from cfgvm.transport.sockets import ListenError, SocketInfo, SocketTable, expand, parse_listen


@pytest.mark.parametrize("text,want", [
    ("udp:127.0.0.1:5070", [("udp", "127.0.0.1", 5070, None, None)]),
    ("127.0.0.1", [(None, "127.0.0.1", 5060, None, None)]),
    ("tcp:[::1]:5080", [("tcp", "::1", 5080, None, None)]),
    ("[::1]", [(None, "::1", 5060, None, None)]),
    ("::1", [(None, "::1", 5060, None, None)]),
    ("udp:10.0.0.1:5060/1.2.3.4:5099", [("udp", "10.0.0.1", 5060, "1.2.3.4", 5099)]),
])
def test_parse_listen(text, want):
    assert parse_listen(text) == want


@pytest.mark.parametrize("text", ["udp:127.0.0.1:0", "udp:127.0.0.1:99999", "tcp:[::1", "udp::5060"])
def test_parse_listen_rejects(text):
    with pytest.raises(ListenError):
        parse_listen(text)


def test_expand_without_proto_is_udp_and_tcp_and_tls_refused():
    socks = expand(parse_listen("127.0.0.1:5070"), disable_tcp=False)
    assert [str(s) for s in socks] == ["udp:127.0.0.1:5070", "tcp:127.0.0.1:5070"]
    assert [s.proto for s in expand(parse_listen("127.0.0.1"), disable_tcp=True)] == ["udp"]
    with pytest.raises(ListenError, match="TLS transport is not implemented"):
        expand(parse_listen("tls:127.0.0.1:5061"), disable_tcp=False)


def test_myself():
    t = SocketTable([SocketInfo("udp", "127.0.0.1", 5060), SocketInfo("udp", "::1", 5070)],
                    aliases=[("example.org", 0), ("sip.example.org", 5080)])
    assert t("127.0.0.1") and t("127.0.0.1", 5060) and not t("127.0.0.1", 5070)
    assert t("[::1]", 5070) and not t("::1")
    assert t("EXAMPLE.org", 1234) and t("sip.example.org", 5080) and not t("sip.example.org", 5081)
    assert not t("127.0.0.2")


def test_select_socket():
    u4, t4a, t4b, u6 = (SocketInfo("udp", "127.0.0.1", 5060), SocketInfo("tcp", "127.0.0.1", 5060),
                        SocketInfo("tcp", "127.0.0.2", 5060), SocketInfo("udp", "::1", 5060))
    t = SocketTable([u4, t4a, t4b, u6])
    assert t.select("udp", "10.1.1.1") is u4
    assert t.select("udp", "::2") is u6                  # bridging IPv4 -> IPv6
    assert t.select("tcp", "::2") is None                # no TCP IPv6 socket
    assert t.select("tcp", "127.0.0.9", force=("tcp", "127.0.0.1", 5060)) is t4a
    # Kamailio 5.6.3 with -l tcp:127.0.0.1 -l tcp:127.0.0.2 sent from 127.0.0.2: with only
    # loopback sockets the last one listed is the "main" TCP socket
    assert t.select("tcp", "127.0.0.9") is t4b
