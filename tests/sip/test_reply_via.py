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


@pytest.mark.parametrize("buf", list(_cases()))
def test_reply_same_from_header_lines_and_offset_table(buf):
    """build_reply reads the usual header block's lines, or the per-header offsets once something built
    them: both give the same bytes, and Content-Length counts the reply body (RFC 3261 20.14)."""
    body = b"v=0\r\n"
    for code in (100, 180, 404):
        a = Message.parse(buf)
        b = Message.parse(buf)
        b._h                            # the offset table, as after a full header walk
        try:
            ra = build_reply(a, code, "X", to_tag="t1", src_ip="192.0.2.7", src_port=5070,
                             body=body, content_type="application/sdp")
        except SipParseError:
            continue
        rb = build_reply(b, code, "X", to_tag="t1", src_ip="192.0.2.7", src_port=5070,
                         body=body, content_type="application/sdp")
        assert ra == rb
        head, _, got_body = ra.partition(b"\r\n\r\n")
        assert got_body == body
        assert f"\r\nContent-Length: {len(body)}".encode() in head
        if code > 100:                  # the To was parsed (else build_reply raised)
            assert (b";tag=t1\r\n" in head) == (a.to is not None and a.to.tag is None)
        else:
            assert b";tag=t1" not in head
