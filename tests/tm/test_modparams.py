"""tm modparams on_sl_reply and fr_timer_avp / fr_inv_timer_avp (README of tm 5.6.3: the AVP holds
seconds and overrides fr_timer / fr_inv_timer for the transaction created while it is set; the
on_sl_reply route sees replies without a transaction and `drop` keeps them from being forwarded)."""
from .helpers import HEAD, INVITE, UAS, Flow, first_lines

FR_AVP = HEAD + """
modparam("tm", "fr_timer", 30000)
modparam("tm", "fr_timer_avp", "$avp(frt)")
request_route {
    if (is_method("ACK")) { t_check_trans(); exit; }
    $avp(frt) = 3;
    $du = "sip:127.0.0.3:5080";
    t_relay();
}
"""
SL_REPLY = HEAD + """
modparam("tm", "on_sl_reply", "stateless")
request_route { exit; }
onreply_route[stateless] {
    xlog("L_INFO", "sl reply $rs\\n");
    if ($rs == "486") { drop; }
}
"""
STRAY = (b"SIP/2.0 %d X\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-x\r\n"
         b"Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-y\r\nFrom: <sip:a@b>;tag=1\r\n"
         b"To: <sip:c@d>;tag=2\r\nCall-ID: stray\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")


def test_fr_timer_avp_seconds_override_fr_timer():
    f = Flow(FR_AVP)
    f.send(INVITE)
    finals = [(t, first_lines(r, "reply")) for t, r in f.run_timers(10) if first_lines(r, "reply")]
    assert finals[0] == (3.0, ["SIP/2.0 408 Request Timeout"])


def test_on_sl_reply_route_can_drop_a_stray_reply():
    f = Flow(SL_REPLY)
    dropped = f.send(STRAY % 486, UAS)
    assert "<script>: sl reply 486\n" in [x.text for x in dropped.logs] and dropped.sent == []
    passed = f.send(STRAY % 480, UAS)
    assert [a.dst for a in passed.sent] == [("127.0.0.2", 5070)]
