"""Selects (§8): parsing of `@a.b[1].c` and $sel() forms, 1-based indexes, unknown names.
Values for the oracle INVITE are checked against Kamailio in test_pv_oracle.py; these cover syntax."""
import pytest

from cfgvm.sip.message import Message
from cfgvm.vm.context import Context, ReceiveInfo, SharedState, WorkerState
from cfgvm.vm.select import SelectError, compile_select, parse_select, resolve_select

MSG = (b"INVITE sip:bob@example.com SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=b1, SIP/2.0/TCP 10.0.0.2;branch=b2\r\n"
       b"Via: SIP/2.0/UDP 10.0.0.3:5070;branch=b3\r\n"
       b"From: <sip:alice@a.example>;tag=ft\r\nTo: <sip:bob@example.com>\r\n"
       b"Call-ID: c1\r\nCSeq: 7 INVITE\r\nX-Foo: a, b\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def ctx():
    return Context(None, Message.parse(MSG), ReceiveInfo("udp", "10.0.0.1", 5060, "10.0.0.9", 5060),
                   worker=WorkerState(), shared=SharedState(), clock=lambda: 0.0)


def test_parse_forms():
    assert parse_select("@via[2].host") == [("via", 2), ("host", None)]
    assert parse_select('msg.header["X-Foo"]') == [("msg", None), ("header", "X-Foo")]
    assert parse_select("@via[-1]") == [("via", -1)]
    for bad in ("@", "@via.", "@via[x]", "@a..b", "@via[1][2]"):
        with pytest.raises(SelectError):
            parse_select(bad)


@pytest.mark.parametrize("text,value", [
    ("@via[1].host", "10.0.0.1"), ("@via[2].host", "10.0.0.2"), ("@via[3].port", "5070"),
    ("@via[-1].branch", "b3"), ("@via[4].host", None), ("@via.transport", "UDP"),
    ("@ruri.user", "bob"), ("@ruri.port", None), ("@ruri.hostport", "example.com:5060"),
    ("@from.tag", "ft"), ("@to.tag", None), ("@cseq.num", "7"), ("@call_id", "c1"),
    ('@msg.header["x-foo"]', "a, b"), ("@src.ip", "10.0.0.1"), ("@received.port", "5060"),
    ("@method", "INVITE"), ("@status", None),
])
def test_values(ctx, text, value):
    assert compile_select(text)(ctx) == value


def test_unknown_and_readonly():
    with pytest.raises(SelectError, match="unknown select"):
        compile_select("@nosuch")
    with pytest.raises(SelectError, match="unknown select field"):
        compile_select("@via[1].nosuch")
    ref = resolve_select("@ruri.user")
    assert ref.writable is False
    with pytest.raises(Exception):
        ref.check_writable()


def test_textopsx_selects_need_the_module():
    class P:
        modules = {}
    with pytest.raises(SelectError):
        compile_select('@hf_value["X-Foo"]', P())
