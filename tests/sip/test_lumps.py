"""Lumps, one by one and combined. Expected outputs follow Kamailio's data_lump.c/process_lumps():
main lumps (anchor/delete) are kept sorted by offset (stable), before-text is written newest first,
after-text newest first right after the anchor, deletions that overlap are trimmed.
Checked on Kamailio 5.6.3 through textops (tests/modules/cfgcases.py, same message): two insert_hf()
before one header keep call order (test_equal_offsets_keep_insertion_order), append_hf() goes before the
empty line in call order, remove_hf("To") + insert_hf(new To, "To") gives the new header in place
(test_anchor_inside_deleted_zone_moves_to_its_end), a new body of 8 bytes gives Content-Length: 8."""
from cfgvm.sip import Message

RAW = (b"INVITE sip:bob@example.com SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
       b"Max-Forwards: 70\r\n"
       b"To: Bob <sip:bob@example.com>\r\n"
       b"From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
       b"Call-ID: a84b4c76e66710\r\n"
       b"CSeq: 314159 INVITE\r\n"
       b"Content-Type: text/plain\r\n"
       b"Content-Length: 5\r\n"
       b"\r\n"
       b"hello")


def msg():
    return Message.parse(RAW)


def test_no_lumps_same_bytes():
    assert msg().to_bytes() == RAW


def test_append_header_goes_before_empty_line():
    m = msg()
    m.lumps.append_header("X-A: 1\r\n")
    assert m.to_bytes() == RAW.replace(b"\r\n\r\nhello", b"\r\nX-A: 1\r\n\r\nhello")


def test_remove_header():
    m = msg()
    m.lumps.remove_header(m.header("max-forwards"))
    assert m.to_bytes() == RAW.replace(b"Max-Forwards: 70\r\n", b"")


def test_insert_header_before_first():
    m = msg()
    m.lumps.insert_header("X-First: y\r\n")
    assert m.to_bytes() == RAW.replace(b"SIP/2.0\r\nVia", b"SIP/2.0\r\nX-First: y\r\nVia")


def test_replace_header_value():
    m = msg()
    h = m.header("max-forwards")
    m.lumps.replace(h.body_start, h.body_end - h.body_start, "69")
    assert m.to_bytes() == RAW.replace(b"Max-Forwards: 70", b"Max-Forwards: 69")


def test_before_chain_newest_first_and_after_chain_newest_first():
    # same anchor: before() texts print newest first, after() texts print newest first too
    m = msg()
    h = m.header("call-id")
    a = m.lumps.anchor(h.start)
    a.before("B1;").before("B2;")
    a.after("A1;").after("A2;")
    assert m.to_bytes() == RAW.replace(b"Call-ID:", b"B2;B1;A2;A1;Call-ID:")


def test_equal_offsets_keep_insertion_order():
    m = msg()
    h = m.header("call-id")
    m.lumps.insert_before(h.start, "X-1: a\r\n")
    m.lumps.insert_before(h.start, "X-2: b\r\n")
    assert m.to_bytes() == RAW.replace(b"Call-ID:", b"X-1: a\r\nX-2: b\r\nCall-ID:")


def test_overlapping_deletions_are_trimmed():
    # second deletion starts inside the first: only its remainder is removed
    m = msg()
    h = m.header("to")
    m.lumps.delete(h.start, 10)          # "To: Bob <s"
    m.lumps.delete(h.start + 5, 10)      # overlaps: removes 5 more chars "ip:bo"
    assert m.to_bytes() == RAW.replace(b"To: Bob <sip:bob@", b"b@")


def test_anchor_inside_deleted_zone_moves_to_its_end():
    m = msg()
    h = m.header("to")
    m.lumps.delete(h.start, h.end - h.start)
    m.lumps.insert_before(h.start + 3, "To: <sip:carol@example.com>\r\n")
    assert m.to_bytes() == RAW.replace(b"To: Bob <sip:bob@example.com>\r\n",
                                       b"To: <sip:carol@example.com>\r\n")


def test_body_replace_updates_content_length():
    m = msg()
    m.lumps.replace_body("goodbye!")
    out = m.to_bytes()
    assert out.endswith(b"Content-Length: 8\r\n\r\ngoodbye!")


def test_ruri_rewrite_applied_at_serialisation_only():
    m = msg()
    m.new_uri = "sip:carol@example.net"
    assert m.ruri_str == "sip:bob@example.com"          # the received R-URI is kept
    assert m.current_uri_str == "sip:carol@example.net"  # $ru sees the rewrite at once
    assert m.to_bytes().startswith(b"INVITE sip:carol@example.net SIP/2.0\r\n")


def test_three_lumps_combined_and_apply_changes():
    m = msg()
    m.lumps.append_header("X-A: 1\r\n")
    m.lumps.remove_header(m.header("max-forwards"))
    via = m.header("via")
    m.lumps.insert_before(via.start, "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n")
    expected = (RAW.replace(b"Max-Forwards: 70\r\n", b"")
                .replace(b"SIP/2.0\r\nVia", b"SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\nVia")
                .replace(b"\r\n\r\nhello", b"\r\nX-A: 1\r\n\r\nhello"))
    assert m.to_bytes() == expected
    # reads still see the original until apply_changes()
    assert m.hdr("x-a") is None and m.header_count("via") == 1
    m.apply_changes()
    assert m.hdr("x-a") == "1" and m.header_count("via") == 2 and m.header("max-forwards") is None
    assert m.to_bytes() == expected and not m.lumps
