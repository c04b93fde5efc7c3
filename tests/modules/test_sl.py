"""sl: reply bytes compared with what real Kamailio 5.6.3 sent for the same request (captured with
tests/oracle/kamailio.py: listen udp:127.0.0.1:5060, requests from 127.0.0.2:5070)."""
import pytest

from cfgvm.exports import FAILURE_ROUTE
from cfgvm.vm.context import ReceiveInfo
from modules.helpers import make_ctx, mod_instance
from cfgvm.stdlib import maxfwd, sl, textops

SL = mod_instance(sl)


def req(method, mf="70"):
    return (f"{method} sip:bob@127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-{method}-1;rport\r\n"
            f"Max-Forwards: {mf}\r\nTo: <sip:bob@127.0.0.1>\r\nFrom: <sip:a@127.0.0.2>;tag=abc\r\n"
            f"Call-ID: c1-{method}@x\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n")


def no_via(text):
    return "\r\n".join(ln for ln in text.split("\r\n") if not ln.startswith("Via:"))


def ctx_for(raw):
    ctx = make_ctx(raw)
    ctx.rcv = ReceiveInfo("udp", "127.0.0.2", 5070, "127.0.0.1", 5060)
    return ctx


KAMAILIO_200 = (
    "SIP/2.0 200 OK Then\r\n"
    "Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-OPTIONS-1;rport=5070;received=127.0.0.2\r\n"
    "To: <sip:bob@127.0.0.1>;tag=9dd61ff61e802d8e2bef5f14621ef3c2.99e4064c\r\n"
    "From: <sip:a@127.0.0.2>;tag=abc\r\n"
    "Call-ID: c1-OPTIONS@x\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "X-A: 1\r\n"
    "Server: kamailio (5.6.3 (x86_64/linux))\r\n"
    "Content-Length: 0\r\n\r\n")

KAMAILIO_404 = (
    "SIP/2.0 404 Nope  9\r\n"
    "Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-INVITE-1;rport=5070;received=127.0.0.2\r\n"
    "To: <sip:bob@127.0.0.1>;tag=9dd61ff61e802d8e2bef5f14621ef3c2.e1e823db\r\n"
    "From: <sip:a@127.0.0.2>;tag=abc\r\n"
    "Call-ID: c1-INVITE@x\r\n"
    "CSeq: 1 INVITE\r\n"
    "Server: kamailio (5.6.3 (x86_64/linux))\r\n"
    "Content-Length: 0\r\n\r\n")


def test_options_reply_with_append_to_reply_matches_kamailio():
    ctx = ctx_for(req("OPTIONS"))
    assert textops.append_to_reply(ctx, mod_instance(textops), "X-A: 1\r\n") == 1
    assert sl.w_sl_send_reply(ctx, SL, 200, "OK Then") == 1
    assert ctx.replied
    [out] = ctx.sent
    assert (out.kind, out.proto, out.dst, out.src) == ("reply", "udp", ("127.0.0.2", 5070),
                                                        ("127.0.0.1", 5060))
    assert no_via(out.data.decode("latin-1")) == no_via(KAMAILIO_200)


def test_reply_after_maxfwd_matches_kamailio():
    ctx = ctx_for(req("INVITE", "10"))
    assert maxfwd.process_maxfwd(ctx, mod_instance(maxfwd), 10) == 1
    sl.w_sl_send_reply(ctx, SL, 404, "Nope " + ctx.msg.hdr("Max-Forwards"))
    assert no_via(ctx.sent[0].data.decode("latin-1")) == no_via(KAMAILIO_404)


def test_reply_via_param_order_matches_kamailio():
    ctx = ctx_for(req("INVITE", "10"))
    maxfwd.process_maxfwd(ctx, mod_instance(maxfwd), 10)
    sl.w_sl_send_reply(ctx, SL, 404, "Nope " + ctx.msg.hdr("Max-Forwards"))
    assert ctx.sent[0].data.decode("latin-1") == KAMAILIO_404


def test_no_reply_to_ack_and_defaults():
    ctx = ctx_for(req("ACK"))
    assert sl.w_sl_send_reply(ctx, SL, 200, "OK") == -1
    assert ctx.sent == []
    ctx = ctx_for(req("INVITE"))
    sl.w_sl_send_reply(ctx, SL, None, None)
    assert ctx.sent[0].data.startswith(b"SIP/2.0 500 Internal Server Error\r\n")


def test_sl_reply_error_default_text():
    ctx = ctx_for(req("INVITE"))
    assert sl.w_sl_reply_error(ctx, SL) == 1
    assert ctx.sent[0].data.startswith(
        b"SIP/2.0 500 I'm terribly sorry, server error occurred (1/SL)\r\n")


def test_send_reply_refuses_replies():
    raw = ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\nTo: <sip:a@b>;tag=1\r\n"
           "From: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
    ctx = make_ctx(raw, route_type=FAILURE_ROUTE)
    assert sl.w_send_reply(ctx, SL, 200, "OK") == -1


def test_ltt_is_the_stateless_tag():
    from cfgvm.vm import fmt
    ctx = ctx_for(req("OPTIONS"))
    spec = fmt.parse("$ltt(s)").items[0]
    assert sl.get_ltt(ctx, spec) == "9dd61ff61e802d8e2bef5f14621ef3c2.99e4064c"
