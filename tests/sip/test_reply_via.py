"""A reply's top Via carries the same received=/rport= text the forwarding lumps write (both come from
forward.received_edits; the reply applies them to the header line without re-parsing the request)."""
import pytest

from cfgvm.sip import Message, SipParseError
from cfgvm.sip.forward import add_received
from cfgvm.sip.reply import build_reply
from .conftest import message_files

SOURCES = [("192.0.2.7", 5070, False), ("192.0.2.7", 5070, True), ("2001:db8::7", 5062, True)]


def _via_by_lumps(buf, ip, port, force):
    """The top Via line after add_received() as lumps on a fresh parse (the reference path)."""
    m = Message.parse(buf)
    hf = m.header("via")
    add_received(m, ip, port, force)
    new = m.to_bytes().decode("latin-1")
    return new[hf.start:hf.end + len(new) - len(m.text)]


def _cases():
    for p in message_files():
        buf = p.read_bytes()
        try:
            m = Message.parse(buf)
            if not m.is_request or m.header("via") is None:
                continue
            m.via1
        except SipParseError:
            continue
        yield pytest.param(buf, id=p.name)


@pytest.mark.parametrize("buf", list(_cases()))
def test_reply_top_via_matches_forwarding_lumps(buf):
    for ip, port, force in SOURCES:
        try:
            want = _via_by_lumps(buf, ip, port, force)
        except SipParseError:
            continue
        m = Message.parse(buf)
        try:
            reply = build_reply(m, 404, "Not Here", src_ip=ip, src_port=port, force_rport=force)
        except SipParseError:
            continue                    # a header Kamailio cannot parse: no reply at all
        text = reply.decode("latin-1")
        assert want in text, (want, text)
