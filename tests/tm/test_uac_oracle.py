"""t_uac_send, event_route[tm:local-request|local-response], t_replicate, t_set_retr and
t_set_no_e2e_cancel_reason side by side with real Kamailio 5.6.3 (tests/oracle/kamailio.py).

Every request tm sends goes to the test side's own address (127.0.0.2:5070), so the oracle captures
it with the replies: both runs must put the same datagrams there (branch, tags and generated
Call-IDs normalised; retransmissions counted) and log the same script lines (marked `K|`).
Nobody answers the requests, so every transaction ends by its fr_timer."""
import re

import pytest

from oracle.kamailio import LISTEN, SOURCE, kamailio_available, run_kamailio

from cfgvm.vm.context import ReceiveInfo

from .helpers import Flow

HEAD = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
modparam("tm", "fr_timer", 2000)
modparam("tm", "fr_inv_timer", 2000)
"""
UAC_SEND = HEAD + r"""
request_route {
    xlog("L_INFO", "K|req $rm $ru\n");
    if ($rU == "a") {
        $var(r) = t_uac_send("INVITE", "sip:alice@127.0.0.9:5070", "sip:127.0.0.2:5070", "", "From: <sip:bob@127.0.0.1>;tag=2w3e\r\nTo: <sip:alice@127.0.0.2>\r\nCall-ID: fixed-1\r\nCSeq: 33 INVITE\r\nContent-Type: application/sdp\r\n", "v=0\r\n");
        xlog("L_INFO", "K|rc=$var(r)\n");
        $var(r) = t_uac_send("MESSAGE", "sip:carol@127.0.0.2:5070", "", "udp:127.0.0.1:5060", "From: <sip:bob@127.0.0.1>\r\nTo: <sip:carol@127.0.0.2>\r\nX-A: 1\r\n", "");
        xlog("L_INFO", "K|rc2=$var(r)\n");
    }
    if ($rU == "b") {
        $var(r) = t_uac_send("OPTIONS", "sip:x@127.0.0.2:5070", "", "", "To: <sip:carol@127.0.0.2>\r\n", "");
        xlog("L_INFO", "K|rc3=$var(r)\n");
    }
    sl_send_reply("200", "ok");
}
event_route[tm:local-request] {
    xlog("L_INFO", "K|local-request $rm $ru $du $cs $fs $rb $hdr(X-A)\n");
    if ($rm == "MESSAGE") { append_hf("X-LR: 1\r\n"); $ru = "sip:dave@127.0.0.2:5070"; }
}
"""
RETR = HEAD + r"""
request_route {
    if ($rU == "c") { t_set_retr(250, 1000); }
    if ($rU == "d") { t_set_retr(1000, 0); }
    $du = "sip:127.0.0.2:5070";
    t_relay();
}
"""
LOCAL_RESPONSE = HEAD + r"""
request_route {
    xlog("L_INFO", "K|req $rm $ru n=$var(n)\n");
    if ($rU == "rep") { t_newtran(); t_reply("404", "Nope"); }
    if ($rU == "rep1") { t_newtran(); t_reply("180", "Ring"); t_reply("486", "Busy"); }
}
event_route[tm:local-response] {
    $var(n) = $var(n) + 1;
    xlog("L_INFO", "K|local-response $rm $rs $rr\n");
}
"""
REPLICATE = HEAD.replace("2000", "1000") + r"""
request_route {
    xlog("L_INFO", "K|req $rm $ru\n");
    if ($rU == "dup") { t_replicate("sip:127.0.0.2:5070"); xlog("L_INFO", "K|replicated\n"); t_reply("202", "Acc"); exit; }
    if ($rU == "dup2") { $var(rc) = t_replicate_udp("127.0.0.2", "5070"); xlog("L_INFO", "K|rc=$var(rc)\n"); exit; }
    if ($rU == "dup3") { t_replicate_to("udp", "127.0.0.2:5070"); sl_send_reply("200", "sl"); exit; }
}
event_route[tm:local-request] {
    xlog("L_INFO", "K|local-request $rm\n");
}
"""
CANCEL = HEAD.replace("2000", "1000") + r"""
modparam("tm", "cancel_b_method", 2)
request_route {
    xlog("L_INFO", "K|req $rm $ru\n");
    if (is_method("ACK")) { t_check_trans(); exit; }
    if (is_method("CANCEL")) { t_relay(); exit; }
    if ($hdr(X-NoReason) == "1") { t_set_no_e2e_cancel_reason(1); }
    $du = "sip:127.0.0.2:5070";
    t_relay();
}
event_route[tm:local-request] {
    xlog("L_INFO", "K|local-request $rm\n");
}
"""


def req(method, user, n, extra=""):
    return (f"{method} sip:{user}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-{n};rport\r\n"
            f"From: <sip:alice@127.0.0.2>;tag=fa\r\nTo: <sip:{user}@127.0.0.1>\r\nCall-ID: c{n}\r\n"
            f"CSeq: 7 {method}\r\nMax-Forwards: 70\r\n{extra}Content-Length: 0\r\n\r\n").encode("latin-1")


def cancel_of(invite):
    return invite.replace(b"INVITE sip", b"CANCEL sip", 1).replace(b"7 INVITE", b"7 CANCEL")


INV = req("INVITE", "bob", "i1", "Reason: SIP;cause=200\r\n")
INV2 = req("INVITE", "bob", "i2", "X-NoReason: 1\r\nReason: SIP;cause=200\r\n")
CASES = {
    "uac-send": (UAC_SEND, [req("MESSAGE", "a", 1), req("MESSAGE", "b", 2)]),
    "set-retr": (RETR, [req("MESSAGE", "c", 3), req("MESSAGE", "d", 4), req("MESSAGE", "e", 5)]),
    "local-response-once": (LOCAL_RESPONSE, [req("INVITE", "rep", 6), req("INVITE", "rep1", 7)]),
    "replicate": (REPLICATE, [req("MESSAGE", "dup", 8), req("MESSAGE", "dup2", 9), req("MESSAGE", "dup3", 10)]),
    "local-cancel-e2e-reason": (CANCEL, [INV, cancel_of(INV)]),
    "no-e2e-cancel-reason": (CANCEL, [INV2, cancel_of(INV2)]),
    "cancel-after-timeout": (CANCEL, [INV, cancel_of(INV)]),
}
# seconds without a datagram before the next message goes (the CANCEL ones reach a pending INVITE)
WAIT = {"local-cancel-e2e-reason": 0.3, "no-e2e-cancel-reason": 0.3}

_NORM = [(re.compile(r"branch=z9hG4bK[^;\r\n]*"), "branch=B"), (re.compile(r"tag=[^;\r\n>]+"), "tag=T"),
         (re.compile(r"Call-ID: [0-9a-f]{16}-\d+@"), "Call-ID: GEN@")]


def normalise(datagram: bytes) -> str:
    text = datagram.decode("latin-1")
    for rx, sub in _NORM:
        text = rx.sub(sub, text)
    return text


def marks(text):
    return re.findall(r"K\|[^\n]*", text)


def ours(cfg, messages, wait):
    """The oracle's pacing on the virtual clock: each message goes out once nothing has reached
    the test side for `wait` seconds (timers fire in between)."""
    f = Flow(cfg)
    rcv = ReceiveInfo("udp", SOURCE[0], SOURCE[1], LISTEN[0], LISTEN[1])
    sent, logs = [], []

    def take(r):
        out = [a.data for a in r.sent if a.dst == SOURCE]
        sent.extend(out)
        logs.extend(x.text for x in r.logs)
        return out

    for m in messages:
        last = f.clock.now
        take(f.send(m, rcv))
        for _ in range(100_000):      # bounded: a deadline that never advances must fail, not hang
            d = f.engine.next_deadline()
            if d is None or d > last + wait:
                break
            f.clock.now = d
            if take(f.engine.tick(d)):
                last = d
        else:
            raise AssertionError(f"timers still due after 100000 ticks (next deadline {d})")
        f.clock.now = last + wait
    return sorted(map(normalise, sent)), marks("".join(logs))


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_kamailio(name):
    ok, why = kamailio_available()
    if not ok:
        pytest.skip(why)
    cfg, messages = CASES[name]
    wait = WAIT.get(name, 2.6)
    run = run_kamailio(cfg, messages, reply_wait=wait)
    theirs = (sorted(map(normalise, run.replies)), marks(run.log_text))
    assert ours(cfg, messages, wait) == theirs


def test_uac_send_request_shape():
    """The request as 5.6.3 writes it (header order, default CSeq 10, generated From tag and
    Call-ID, User-Agent, the caller's headers after it); local-request changes go in without a
    new Via."""
    f = Flow(UAC_SEND)
    r = f.send(req("MESSAGE", "a", 1))
    inv, msg = [a for a in r.sent if a.kind == "relay"]
    assert inv.dst == SOURCE and normalise(inv.data) == (
        "INVITE sip:alice@127.0.0.9:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=B\r\n"
        "To: <sip:alice@127.0.0.2>\r\nFrom: <sip:bob@127.0.0.1>;tag=T\r\nCSeq: 33 INVITE\r\n"
        "Call-ID: fixed-1\r\nMax-Forwards: 70\r\nContent-Length: 5\r\n"
        "User-Agent: kamailio (5.6.3 (x86_64/linux))\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n")
    text = normalise(msg.data)
    assert text.startswith("MESSAGE sip:dave@127.0.0.2:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=B\r\n")
    assert "CSeq: 10 MESSAGE\r\nCall-ID: GEN@127.0.0.1\r\n" in text and text.endswith("X-A: 1\r\nX-LR: 1\r\n\r\n")


def test_uac_send_replies_are_absorbed():
    """A reply to a local request ends its transaction there: nothing relayed, no retransmission
    after it; a negative reply to a local INVITE is ACKed hop by hop."""
    f = Flow(UAC_SEND)
    r = f.send(req("MESSAGE", "a", 1))
    inv, msg = [a for a in r.sent if a.kind == "relay"]
    uas = ReceiveInfo("udp", SOURCE[0], SOURCE[1], LISTEN[0], LISTEN[1])
    r1 = f.send(Flow.reply_to(msg.data, 200, "OK"), uas)
    r2 = f.send(Flow.reply_to(inv.data, 486, "Busy"), uas)
    assert r1.sent == []
    assert [a.data.split(b" ", 1)[0] for a in r2.sent] == [b"ACK"]
    assert f.run_timers(5) == []
    rt = f.engine.shared.modules["tm"]["rt"]
    assert all(t.done for t in list(rt.table.by_label.values())) or len(rt.table) == 0
