"""tm driven through the engine on a virtual clock: expected wire behaviour from RFC 3261 §17/§16 and
Kamailio's tm (100 Trying text and order, hop-by-hop ACK, local 408, CANCEL handling, best reply)."""
import pytest

from cfgvm.sip import Message
from cfgvm.sip.forward import hash_index, reverse_hex

from .helpers import HEAD, INVITE, UAC, UAS, UAS2, Flow, first_lines, method, relayed

STATEFUL = HEAD + """
modparam("tm", "fr_timer", %(fr)d)
request_route {
    if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
    if (is_method("ACK") && t_check_trans()) { exit; }
    if (has_totag()) { t_relay(); exit; }
    t_check_trans();
    # extra first: append_branch copies the $du of that moment (corex)
    %(extra)s
    $du = "sip:127.0.0.3:5080";
    if (!t_relay()) { sl_reply_error(); }
}
failure_route[NEXT] {
    xlog("L_INFO", "failure $T_reply_code $T_reply_reason branch=$T_branch_idx\\n");
    if (t_is_canceled()) { exit; }
    if (t_check_status("486|408")) {
        $du = "sip:127.0.0.4:5080";
        t_relay();
    }
}
"""


def flow(extra="", fr=30000):
    return Flow(STATEFUL % {"extra": extra, "fr": fr})


def test_invite_gets_100_trying_first_then_is_relayed_with_tm_branch():
    f = flow()
    r = f.send(INVITE)
    assert first_lines(r) == ["SIP/2.0 100 trying -- your call is important to us",
                              "INVITE sip:uas@127.0.0.1:5060 SIP/2.0"]
    assert r.sent[0].dst == ("127.0.0.2", 5070) and r.sent[1].dst == ("127.0.0.3", 5080)
    m = Message.parse(r.sent[1].data)
    hidx = hash_index("c1@t", "1")
    assert m.via1.branch.startswith(f"z9hG4bK{reverse_hex(hidx)}.") and m.via1.branch.endswith(".0")
    assert len(m.vias()) == 2
    assert Message.parse(r.sent[0].data).to.tag is None       # no to-tag on 100


def test_request_retransmission_is_absorbed_and_answered_with_last_reply():
    f = flow()
    first = f.send(INVITE)
    again = f.send(INVITE)
    assert first_lines(again) == ["SIP/2.0 100 trying -- your call is important to us"]
    assert again.sent[0].data == first.sent[0].data


def test_negative_reply_acked_hop_by_hop_and_relayed_upstream():
    f = flow()
    inv = relayed(f.send(INVITE))[0].data
    r180 = f.send(Flow.reply_to(inv, 180, "Ringing"), UAS)
    assert first_lines(r180) == ["SIP/2.0 180 Ringing"] and r180.sent[0].dst == ("127.0.0.2", 5070)
    r = f.send(Flow.reply_to(inv, 486, "Busy Here"), UAS)
    assert first_lines(r) == ["ACK sip:uas@127.0.0.1:5060 SIP/2.0", "SIP/2.0 486 Busy Here"]
    ack = Message.parse(r.sent[0].data)
    sent = Message.parse(inv)
    # RFC 3261 17.1.1.3: same R-URI, one Via equal to the request's top Via, To of the response,
    # CSeq number of the request with method ACK
    assert ack.vias()[0].branch == sent.via1.branch and len(ack.vias()) == 1
    assert ack.to.tag == "u1" and ack.cseq.number == "1" and ack.cseq.method == "ACK"
    assert ack.header("contact") is None and ack.content_length == 0
    up = Message.parse(r.sent[1].data)
    assert len(up.vias()) == 1 and up.via1.branch == "z9hG4bK-c1"
    # the UAC's ACK for the 486 matches the INVITE transaction and is absorbed
    a = f.send(method(INVITE, "ACK", "u1"))
    assert a.sent == []
    # a retransmitted 486 is acked again, not relayed again (RFC 3261 17.1.1.2)
    again = f.send(Flow.reply_to(inv, 486, "Busy Here"), UAS)
    assert first_lines(again) == ["ACK sip:uas@127.0.0.1:5060 SIP/2.0"]


def test_timer_a_doubles_to_t2_and_fr_timer_gives_local_408():
    f = flow()
    f.send(INVITE)
    ticks = f.run_timers(31)
    retr = [t for t, r in ticks if first_lines(r) == ["INVITE sip:uas@127.0.0.1:5060 SIP/2.0"]]
    # T1 = 500 ms doubling, capped at T2 = 4 s (Kamailio caps INVITE retransmissions too)
    assert retr[:6] == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5]
    final = [(t, first_lines(r, "reply")) for t, r in ticks if first_lines(r, "reply")]
    # 408 at fr_timer, then retransmitted upstream by timer G until an ACK comes (RFC 3261 17.2.1)
    assert final[0] == (30.0, ["SIP/2.0 408 Request Timeout"]) and final[1][0] == 30.5
    r408 = Message.parse([a for a in ticks[-1][1].sent if a.kind == "reply"][0].data)
    assert r408.to.tag and "-" in r408.to.tag                 # the tm to-tag (md5 "-" crc)


def test_provisional_reply_stops_retransmissions_and_fr_inv_timer_applies():
    f = Flow((STATEFUL % {"extra": "", "fr": 2000}).replace(
        'modparam("tm", "fr_timer", 2000)', 'modparam("tm", "fr_timer", 2000)\nmodparam("tm", "fr_inv_timer", 9000)'))
    inv = relayed(f.send(INVITE))[0].data
    f.clock.advance(0.2)
    f.send(Flow.reply_to(inv, 180, "Ringing"), UAS)
    ticks = f.run_timers(60)
    assert [(t, first_lines(r)) for t, r in ticks] == [(9.2, ["SIP/2.0 408 Request Timeout",
                                                              "CANCEL sip:uas@127.0.0.1:5060 SIP/2.0"])] or \
        [first_lines(r) for t, r in ticks][0][0] == "SIP/2.0 408 Request Timeout"


def test_failure_route_serial_forking_on_486():
    f = flow('t_on_failure("NEXT");')
    inv = relayed(f.send(INVITE))[0].data
    r = f.send(Flow.reply_to(inv, 486, "Busy Here"), UAS)
    assert first_lines(r) == ["ACK sip:uas@127.0.0.1:5060 SIP/2.0", "INVITE sip:uas@127.0.0.1:5060 SIP/2.0"]
    assert r.sent[1].dst == ("127.0.0.4", 5080)
    assert Message.parse(r.sent[1].data).via1.branch.endswith(".1")          # second branch
    # failure_route's $T_branch_idx counts the branches so far (5.6.3 tmx: nr_of_outgoings + nr_branches)
    assert any("failure 486 Busy Here branch=1" in l.text for l in r.logs)
    inv2 = r.sent[1].data
    ok = f.send(Flow.reply_to(inv2, 200, "OK", tag="u2"), UAS2)
    assert first_lines(ok) == ["SIP/2.0 200 OK"]


def test_failure_route_on_timeout_sees_408_and_second_failure_goes_upstream():
    f = flow('t_on_failure("NEXT");', fr=1000)
    f.send(INVITE)
    ticks = f.run_timers(1.0)
    r = ticks[-1][1]
    assert first_lines(r)[-1] == "INVITE sip:uas@127.0.0.1:5060 SIP/2.0"
    assert any("failure 408 Request Timeout branch=1" in l.text for l in r.logs)
    inv2 = relayed(r)[-1].data
    busy = f.send(Flow.reply_to(inv2, 486, "Busy Here", tag="u2"), UAS2)
    assert first_lines(busy) == ["ACK sip:uas@127.0.0.1:5060 SIP/2.0", "SIP/2.0 486 Busy Here"]


def test_cancel_after_180_propagates_and_487_is_relayed():
    f = flow()
    inv = relayed(f.send(INVITE))[0].data
    f.send(Flow.reply_to(inv, 180, "Ringing"), UAS)
    c = f.send(method(INVITE, "CANCEL"))
    assert first_lines(c) == ["CANCEL sip:uas@127.0.0.1:5060 SIP/2.0", "SIP/2.0 200 canceling"]
    cancel = Message.parse(c.sent[0].data)
    assert cancel.via1.branch == Message.parse(inv).via1.branch and cancel.cseq.method == "CANCEL"
    r = f.send(Flow.reply_to(inv, 487, "Request Terminated"), UAS)
    assert first_lines(r) == ["ACK sip:uas@127.0.0.1:5060 SIP/2.0", "SIP/2.0 487 Request Terminated"]
    # the 200 for our CANCEL is absorbed
    assert f.send(Flow.reply_to(c.sent[0].data, 200, "OK"), UAS).sent == []


def test_cancel_before_any_reply_waits_for_a_provisional():
    f = flow()
    inv = relayed(f.send(INVITE))[0].data
    c = f.send(method(INVITE, "CANCEL"))
    assert first_lines(c) == ["SIP/2.0 200 canceling"]          # cancel_b_method=1: no CANCEL yet
    r = f.send(Flow.reply_to(inv, 180, "Ringing"), UAS)
    assert first_lines(r) == ["CANCEL sip:uas@127.0.0.1:5060 SIP/2.0"]   # and the 180 is not relayed


def test_unmatched_cancel_is_not_relayed_by_t_check_trans():
    f = flow()
    assert f.send(method(INVITE, "CANCEL")).sent == []


@pytest.mark.parametrize("codes,best", [((404, 486), 404), ((486, 603), 603), ((503, 401), 401),
                                        ((302, 404), 302), ((500, 408), 408)])
def test_best_reply_selection(codes, best):
    """RFC 3261 16.7 with Kamailio's priorities: 6xx > 3xx > 4xx (401/407/415/420/484 first) > 5xx."""
    f = flow('append_branch("sip:b@127.0.0.4:5080");')
    r = f.send(INVITE)
    inv = relayed(r)
    assert [a.dst for a in inv] == [("127.0.0.3", 5080), ("127.0.0.4", 5080)]
    a = f.send(Flow.reply_to(inv[0].data, codes[0], "X"), UAS)
    assert first_lines(a, "reply") == []
    b = f.send(Flow.reply_to(inv[1].data, codes[1], "Y", tag="u2"), UAS2)
    assert first_lines(b, "reply") == [f"SIP/2.0 {best} {'X' if best == codes[0] else 'Y'}"]


def test_200_on_one_branch_cancels_the_other():
    f = flow('append_branch("sip:b@127.0.0.4:5080");')
    inv = relayed(f.send(INVITE))
    f.send(Flow.reply_to(inv[1].data, 180, "Ringing", tag="u2"), UAS2)
    r = f.send(Flow.reply_to(inv[0].data, 200, "OK"), UAS)
    assert first_lines(r) == ["SIP/2.0 200 OK", "CANCEL sip:b@127.0.0.4:5080 SIP/2.0"]
    assert b'Reason: SIP;cause=200;text="Call completed elsewhere"' in r.sent[1].data


def test_non_invite_no_100_and_timer_e():
    f = flow()
    opt = INVITE.replace(b"INVITE sip", b"OPTIONS sip").replace(b"1 INVITE", b"1 OPTIONS")
    r = f.send(opt)
    assert first_lines(r) == ["OPTIONS sip:uas@127.0.0.1:5060 SIP/2.0"]
    ticks = f.run_timers(31)
    retr = [t for t, r in ticks if first_lines(r, "relay")]
    assert retr[:5] == [0.5, 1.5, 3.5, 7.5, 11.5]
    assert [first_lines(r, "reply") for t, r in ticks if first_lines(r, "reply")] == [["SIP/2.0 408 Request Timeout"]]


def test_t_reply_and_avp_lifetime_in_failure_route():
    f = Flow(HEAD + """
modparam("tm", "fr_timer", 1000)
request_route {
    $avp(x) = "kept";
    t_on_failure("F");
    $du = "sip:127.0.0.3:5080";
    t_relay();
}
failure_route[F] {
    if (t_branch_timeout() && !t_branch_replied()) { t_reply("480", "Gone $avp(x)"); }
}
""")
    f.send(INVITE)
    ticks = f.run_timers(2)
    assert first_lines(ticks[-1][1], "reply") == ["SIP/2.0 480 Gone kept"]


def test_t_newtran_then_t_reply_and_t_reply_without_transaction():
    f = Flow(HEAD + """
request_route {
    if (is_method("OPTIONS")) { t_reply("200", "no T"); exit; }
    t_newtran();
    t_reply("404", "Not Here");
}
""")
    r = f.send(INVITE)
    assert first_lines(r) == ["SIP/2.0 404 Not Here"]
    tag = Message.parse(r.sent[0].data).to.tag
    assert tag and "-" in tag
    again = f.send(INVITE)
    assert again.sent[0].data == r.sent[0].data            # retransmission answered by the transaction
    opt = INVITE.replace(b"INVITE sip", b"OPTIONS sip").replace(b"1 INVITE", b"1 OPTIONS")
    r = f.send(opt)
    assert r.sent == [] and any("no T-state" in l.text for l in r.logs)
